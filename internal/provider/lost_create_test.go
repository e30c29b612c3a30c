package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// lostCreateConfig holds one resource of every kind, none depending on
// another, so that the first apply sends every create.
const lostCreateConfig = `
provider "keymate" {
  max_retries = 1
}

variable "key_secret" {
  type      = string
  sensitive = true
  ephemeral = true
  default   = "lost-answer-supplied-secret-0123456789"
}

resource "keymate_api_key" "generated" {
  name   = "lost-generated"
  scopes = ["keys:read"]
}

resource "keymate_api_key" "supplied" {
  name              = "lost-supplied"
  scopes            = ["keys:read"]
  secret_wo         = var.key_secret
  secret_wo_version = 1
}

resource "keymate_notification_channel" "email" {
  name  = "lost-email"
  type  = "email"
  email = { addresses = ["lost@example.com"] }
}

resource "keymate_alert_rule" "errors" {
  name     = "lost-errors"
  severity = "warning"
  metric   = "api.error_rate"
  condition = {
    operator  = "gt"
    threshold = 0.5
    window    = "5m"
  }
}

resource "keymate_access_grant" "viewer" {
  principal = {
    type = "team"
    id   = "lost"
  }
  role          = "viewer"
  resource      = "alert-rules/*"
  justification = "lost answers"
  expires_at    = "2099-01-01T00:00:00Z"
}

resource "keymate_backup_schedule" "nightly" {
  name = "lost-nightly"
  cron = "0 3 * * *"
}
`

// liveObjects lists the ids of the objects on the server that are in
// service (keys and grants not revoked), by kind and name (grants by
// principal).
func liveObjects(t *testing.T, c *client.Client) map[string][]string {
	t.Helper()
	ctx := context.Background()
	live := map[string][]string{}
	keys, err := c.ListAPIKeys(ctx, client.ListAPIKeysOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Status != apiv1.KeyStatusRevoked && strings.HasPrefix(k.Name, "lost-") {
			live["api key "+k.Name] = append(live["api key "+k.Name], k.ID)
		}
	}
	channels, err := c.ListNotificationChannels(ctx, client.ListNotificationChannelsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range channels {
		live["notification channel "+ch.Name] = append(live["notification channel "+ch.Name], ch.ID)
	}
	rules, err := c.ListAlertRules(ctx, client.ListAlertRulesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		live["alert rule "+r.Name] = append(live["alert rule "+r.Name], r.ID)
	}
	grants, err := c.ListAccessGrants(ctx, client.ListAccessGrantsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range grants {
		if g.Status != apiv1.GrantStatusRevoked {
			live["access grant for "+g.Principal.ID] = append(live["access grant for "+g.Principal.ID], g.ID)
		}
	}
	schedules, err := c.ListBackupSchedules(ctx, client.ListBackupSchedulesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range schedules {
		live["backup schedule "+s.Name] = append(live["backup schedule "+s.Name], s.ID)
	}
	return live
}

// wantLive is what the configuration manages, each exactly once.
var wantLive = []string{
	"api key lost-generated", "api key lost-supplied", "notification channel lost-email",
	"alert rule lost-errors", "access grant for lost", "backup schedule lost-nightly",
}

// A proxy in front of the server drops every response, after the server
// processed the request, for the whole first apply: every create of every
// resource kind is carried out by the server but never answered, retries
// included. The apply fails and says so. The next apply, with the network
// healthy, converges: exactly one object of each resource in service on
// the server, each the one in state, and the plan after it is empty.
func TestAccProvider_lostCreateAnswersConverge(t *testing.T) {
	t.Parallel()
	inst, _ := testAccSetup(t, servertest.WithClock(clock.Real{})) // the provider binary reads the real clock
	proxy := startWireProxy(t, inst.URL, nil)
	c := testClient(t, inst)
	w := newCLIWorkdir(t, envEndpoint+"="+proxy.URL, envAPIKey+"="+inst.AdminKey)
	w.writeConfig(lostCreateConfig)
	apply := func() (string, int) {
		return w.run(nil, "apply", "-auto-approve", "-input=false", "-no-color")
	}
	start := time.Now()

	proxy.dropping.Store(true)
	out, status := apply()
	proxy.dropping.Store(false)
	if status != 1 || strings.Count(out, "Error: Unable to create") != len(wantLive) {
		t.Fatalf("first apply exited %d, want 1 with %d failed creates:\n%s", status, len(wantLive), out)
	}
	if got := liveObjects(t, c); len(got) != len(wantLive) {
		t.Fatalf("after the first apply the server holds %v: the creates did not all reach it, so the test proves nothing", got)
	}
	t.Logf("first apply, every answer dropped (%d): %s", proxy.dropped.Load(), time.Since(start).Round(time.Millisecond))

	if out, status := apply(); status != 0 {
		t.Fatalf("second apply exited %d, want 0:\n%s", status, out)
	}
	t.Logf("second apply: %s", time.Since(start).Round(time.Millisecond))
	if out, status := w.run(nil, "plan", "-detailed-exitcode", "-input=false", "-no-color"); status != 0 {
		t.Fatalf("plan after the second apply exited %d, want 0 (empty):\n%s", status, out)
	}
	live, state := liveObjects(t, c), w.file("terraform.tfstate")
	for _, what := range wantLive {
		if len(live[what]) != 1 {
			t.Errorf("%s: %d in service on the server (%v), want 1", what, len(live[what]), live[what])
		}
		for _, id := range live[what] {
			if !strings.Contains(state, `"id": "`+id+`"`) {
				t.Errorf("%s %s is in service on the server but not in state", what, id)
			}
		}
	}
	if len(live) != len(wantLive) {
		t.Errorf("objects in service: %v, want one of each of %v", live, wantLive)
	}
	t.Logf("converged and checked: %s", time.Since(start).Round(time.Millisecond))
}
