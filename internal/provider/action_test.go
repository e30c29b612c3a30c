package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// Actions run in Terraform 1.14 and later.
var actionVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// actionRootModule is the start of a configuration run with the real CLI:
// the provider, as published configurations declare it.
const actionRootModule = `
terraform {
  required_providers {
    keymate = {
      source = "keymate/keymate"
    }
  }
}
`

// invokeWorkdir returns a working directory for running actions of inst's
// account with the real CLI, with config after actionRootModule.
func invokeWorkdir(t *testing.T, inst *servertest.Instance, config string) *cliWorkdir {
	t.Helper()
	skipBelowCLI(t, tfversion.Version1_14_0)
	w := newCLIWorkdir(t, envEndpoint+"="+inst.URL, envAPIKey+"="+inst.AdminKey)
	w.writeConfig(actionRootModule + config)
	return w
}

// invoke runs terraform apply -invoke=action.<addr> and returns its output
// and exit status.
func (w *cliWorkdir) invoke(addr string) (string, int) {
	w.t.Helper()
	return w.run(nil, "apply", "-invoke=action."+addr, "-auto-approve", "-input=false", "-no-color")
}

// mustMatch fails the test unless out matches every pattern.
func mustMatch(t *testing.T, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(out) {
			t.Errorf("output does not match %q:\n%s", p, out)
		}
	}
}

// triggerConfig is a terraform_data whose creation and every change of
// input run the actions.
func triggerConfig(input string, actions ...string) string {
	return fmt.Sprintf(`
resource "terraform_data" "trigger" {
  input = %q
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [%s]
    }
  }
}
`, input, strings.Join(actions, ", "))
}

// stateSecret returns the secret of the API key resource at addr from the
// state of w.
func stateSecret(t *testing.T, w *cliWorkdir, addr string) string {
	t.Helper()
	var show struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(w.mustRun("show", "-json")), &show); err != nil {
		t.Fatal(err)
	}
	for _, r := range show.Values.RootModule.Resources {
		if r.Address == addr {
			s, _ := r.Values["secret"].(string)
			return s
		}
	}
	t.Fatalf("%s is not in state", addr)
	return ""
}

// Rotating a key Terraform manages, by -invoke with grace_period "0s", cuts
// off the secret in state at once; the next plan shows exactly that: an
// in-place rotation of that key (its fingerprint no longer matches), and for
// a key with a write-only secret no change but the warning that it needs a
// new one. Applying puts a working secret in state and the plan is empty
// again. An unknown key fails the run with the API's 404.
func TestAccAPIKeyRotateAction_invoke(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	// The provider binary reads the wall clock, so the server does too.
	inst := servertest.Start(t, servertest.WithClock(clock.Real{}))
	w := invokeWorkdir(t, inst, `
resource "keymate_api_key" "deployer" {
  name   = "deployer"
  scopes = ["keys:read"]
}

resource "keymate_api_key" "supplied" {
  name              = "supplied"
  scopes            = ["keys:read"]
  secret_wo         = "supplied-secret-0123456789abcdefghijkl"
  secret_wo_version = 1
}

action "keymate_api_key_rotate" "deployer" {
  config {
    id           = keymate_api_key.deployer.id
    grace_period = "0s"
  }
}

action "keymate_api_key_rotate" "supplied" {
  config {
    id = keymate_api_key.supplied.id
  }
}

action "keymate_api_key_rotate" "missing" {
  config {
    id = "key_000000000000000000000000"
  }
}
`)
	w.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	before := stateSecret(t, w, "keymate_api_key.deployer")
	if !authenticates(t, inst, before) {
		t.Fatal("the secret in state does not work before the rotation")
	}

	out, status := w.invoke("keymate_api_key_rotate.deployer")
	if status != 0 {
		t.Fatalf("invoke exited %d:\n%s", status, out)
	}
	mustMatch(t, out, `Rotating Keymate API key key_[0-9a-f]+`, `Rotated Keymate API key key_[0-9a-f]+ \(deployer\): its secret fingerprint is now sha256:[0-9a-f]{16}; the previous secret no longer works`)
	if authenticates(t, inst, before) {
		t.Fatal("the previous secret still works after a rotation with grace_period 0s")
	}
	if out, status := w.invoke("keymate_api_key_rotate.supplied"); status != 0 {
		t.Fatalf("invoke exited %d:\n%s", status, out)
	}

	out, status = w.run(nil, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if status != 2 {
		t.Fatalf("plan after the rotations exited %d, want 2 (changes):\n%s", status, out)
	}
	mustMatch(t, out, `keymate_api_key\.deployer will be updated in-place`, `secret_fingerprint += "sha256:[0-9a-f]{16}" -> \(known after apply\)`,
		`Plan: 0 to add, 1 to change, 0 to destroy`, `Keymate API key needs a new secret`)
	if strings.Contains(out, "keymate_api_key.supplied will be") {
		t.Errorf("the plan changes the key with a write-only secret:\n%s", out)
	}

	w.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if after := stateSecret(t, w, "keymate_api_key.deployer"); after == before || !authenticates(t, inst, after) {
		t.Fatal("after apply, the state does not hold a new, working secret")
	}
	if out, status := w.run(nil, "plan", "-detailed-exitcode", "-input=false", "-no-color"); status != 0 {
		t.Fatalf("plan after apply exited %d, want 0 (no changes):\n%s", status, out)
	}

	out, status = w.invoke("keymate_api_key_rotate.missing")
	if status != 1 {
		t.Fatalf("invoke of an unknown key exited %d, want 1:\n%s", status, out)
	}
	mustMatch(t, out, `Unable to rotate Keymate API key`, `404`)
}

// Triggered by a change of another resource, the rotation of a key with
// grace_period "1h" keeps the previous secret working for that hour and no
// longer; invalid arguments fail at plan, naming them.
func TestAccAPIKeyRotateAction_trigger(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	key, err := c.CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{Name: "leaked", Scopes: []string{"keys:read"}})
	if err != nil {
		t.Fatal(err)
	}
	action := func(grace string) string {
		return fmt.Sprintf(`
action "keymate_api_key_rotate" "leaked" {
  config {
    id           = %q
    grace_period = %q
  }
}
`, key.ID, grace)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionVersions,
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      action("forever") + triggerConfig("INC-8", "action.keymate_api_key_rotate.leaked"),
				ExpectError: regexp.MustCompile(`(?s)grace_period.*is not a duration`),
			},
			{
				Config:      strings.Replace(action("1h"), key.ID, "nc_0123456789abcdef01234567", 1) + triggerConfig("INC-8", "action.keymate_api_key_rotate.leaked"),
				ExpectError: regexp.MustCompile(`(?s)id.*must be an id starting with key_ \(the id of the API key\)`),
			},
			{
				Config: action("1h") + triggerConfig("INC-7", "action.keymate_api_key_rotate.leaked"),
				Check: func(*terraform.State) error {
					got, err := c.GetAPIKey(context.Background(), key.ID)
					if err != nil {
						return err
					}
					if got.SecretFingerprint == key.SecretFingerprint {
						return fmt.Errorf("the key was not rotated")
					}
					if !authenticates(t, inst, key.Secret) {
						return fmt.Errorf("the previous secret stopped working within its grace period")
					}
					inst.Clock.Advance(61 * time.Minute)
					if authenticates(t, inst, key.Secret) {
						return fmt.Errorf("the previous secret still works after its grace period of 1h")
					}
					return nil
				},
			},
		},
	})
}

// testReceiver counts the test notifications it receives.
func testReceiver(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var tests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(apiv1.HeaderEvent) == "test" {
			tests.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, &tests
}

// createWebhook creates a webhook channel to url through the API.
func createWebhook(t *testing.T, c *client.Client, name, url string) string {
	t.Helper()
	ch, err := c.CreateNotificationChannel(context.Background(), apiv1.CreateNotificationChannelRequest{
		Name: name, Type: apiv1.ChannelTypeWebhook, Webhook: &apiv1.WebhookInput{URL: &url}})
	if err != nil {
		t.Fatal(err)
	}
	return ch.ID
}

// The channel test, by -invoke, reports the delivery and succeeds when the
// receiver takes the notification, and fails naming the receiver's answer
// when it does not.
func TestAccNotificationChannelTestAction_invoke(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	c := testClient(t, inst)
	receiver, tests := testReceiver(t)
	ok, down := createWebhook(t, c, "ok", receiver.URL), createWebhook(t, c, "down", failingReceiver(t).URL)
	w := invokeWorkdir(t, inst, fmt.Sprintf(`
action "keymate_notification_channel_test" "ok" {
  config {
    id = %q
  }
}

action "keymate_notification_channel_test" "down" {
  config {
    id = %q
  }
}
`, ok, down))
	out, status := w.invoke("keymate_notification_channel_test.ok")
	if status != 0 {
		t.Fatalf("invoke exited %d:\n%s", status, out)
	}
	mustMatch(t, out, `Sending a test notification through Keymate notification channel `+ok,
		`Delivered the test notification through `+ok+` after 1 attempt\(s\) \(\d+ ms, HTTP 204\)`)
	if n := tests.Load(); n != 1 {
		t.Fatalf("the receiver got %d test notifications, want 1", n)
	}
	out, status = w.invoke("keymate_notification_channel_test.down")
	if status != 1 {
		t.Fatalf("invoke of a failing channel exited %d, want 1:\n%s", status, out)
	}
	mustMatch(t, out, `Test notification through Keymate notification channel\s+`+down+`\s+failed`, `500`)
}

// Triggered by another resource, the channel test delivers a notification;
// through a failing channel it fails the apply.
func TestAccNotificationChannelTestAction_trigger(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t, servertest.WithLoopbackDestinations())
	c := testClient(t, inst)
	receiver, tests := testReceiver(t)
	ok, down := createWebhook(t, c, "ok", receiver.URL), createWebhook(t, c, "down", failingReceiver(t).URL)
	action := func(id string) string {
		return fmt.Sprintf("action \"keymate_notification_channel_test\" \"oncall\" {\n  config {\n    id = %q\n  }\n}\n", id)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionVersions,
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: action(ok) + triggerConfig("v1", "action.keymate_notification_channel_test.oncall"),
				Check: func(*terraform.State) error {
					if n := tests.Load(); n != 1 {
						return fmt.Errorf("the receiver got %d test notifications, want 1", n)
					}
					return nil
				},
			},
			{
				Config:      action(down) + triggerConfig("v2", "action.keymate_notification_channel_test.oncall"),
				ExpectError: regexp.MustCompile(`(?s)Test notification through Keymate notification channel.*failed.*500`),
			},
		},
	})
}

// brokenSchedule creates a backup schedule whose destination cannot be
// written: a file comes to stand where its directory would be.
func brokenSchedule(t *testing.T, inst *servertest.Instance, c *client.Client) string {
	t.Helper()
	s, err := c.CreateBackupSchedule(context.Background(), apiv1.CreateBackupScheduleRequest{
		Name: "broken", Cron: "0 3 * * *", Destination: ptr("later-a-file")})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inst.BackupRoot(), "later-a-file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return s.ID
}

// The backup run, by -invoke, reports its progress and the run, whose
// restore drill verified it, and the API lists the run; a run that fails
// fails the action with the server's reason.
func TestAccBackupRunAction_invoke(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	inst := servertest.Start(t)
	c := testClient(t, inst)
	s, err := c.CreateBackupSchedule(context.Background(), apiv1.CreateBackupScheduleRequest{Name: "nightly", Cron: "0 3 * * *"})
	if err != nil {
		t.Fatal(err)
	}
	broken := brokenSchedule(t, inst, c)
	w := invokeWorkdir(t, inst, fmt.Sprintf(`
action "keymate_backup_run" "nightly" {
  config {
    schedule_id = %q
    timeout     = "5m"
  }
}

action "keymate_backup_run" "broken" {
  config {
    schedule_id = %q
  }
}
`, s.ID, broken))
	out, status := w.invoke("keymate_backup_run.nightly")
	if status != 0 {
		t.Fatalf("invoke exited %d:\n%s", status, out)
	}
	runs, err := c.ListBackupRuns(context.Background(), s.ID, 0)
	if err != nil || len(runs) != 1 || runs[0].Status != apiv1.BackupRunSucceeded || !runs[0].RestoreVerified {
		t.Fatalf("runs %+v (%v), want one verified run", runs, err)
	}
	mustMatch(t, out, `Running backup schedule `+s.ID+` \(nightly\) now; waiting up to 5m for the backup and its restore drill`,
		`Backup run `+runs[0].ID+` finished in 0s: \d+ bytes, sha256 [0-9a-f]{64}; the restore drill verified it`)

	out, status = w.invoke("keymate_backup_run.broken")
	if status != 1 {
		t.Fatalf("invoke of a failing backup exited %d, want 1:\n%s", status, out)
	}
	mustMatch(t, out, `Keymate backup run br_[0-9a-f]+ of schedule\s+`+broken+`\s+failed`, `not a directory`)
}

// Triggered by another resource, the backup run runs once per trigger;
// arguments are checked at plan.
func TestAccBackupRunAction_trigger(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	s, err := c.CreateBackupSchedule(context.Background(), apiv1.CreateBackupScheduleRequest{Name: "nightly", Cron: "0 3 * * *"})
	if err != nil {
		t.Fatal(err)
	}
	action := func(timeout string) string {
		return fmt.Sprintf("action \"keymate_backup_run\" \"drill\" {\n  config {\n    schedule_id = %q\n    timeout = %q\n  }\n}\n", s.ID, timeout)
	}
	runs := func(want int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			got, err := c.ListBackupRuns(context.Background(), s.ID, 0)
			if err != nil {
				return err
			}
			if len(got) != want {
				return fmt.Errorf("%d backup runs, want %d", len(got), want)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionVersions,
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      action("1s") + triggerConfig("2026-Q1", "action.keymate_backup_run.drill"),
				ExpectError: regexp.MustCompile(`(?s)timeout.*between 10s and 24h`),
			},
			{Config: action("10m") + triggerConfig("2026-Q1", "action.keymate_backup_run.drill"), Check: runs(1)},
			{Config: action("10m") + triggerConfig("2026-Q2", "action.keymate_backup_run.drill"), Check: runs(2)},
		},
	})
}

// A review by -invoke records the reviewer, decision and comment and moves
// the next review on; a revoke ends the grant and warns that a resource
// managing it would grant it again.
func TestAccAccessReviewAction_invoke(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	inst := servertest.Start(t)
	c := testClient(t, inst)
	ctx := context.Background()
	grant := func(id string) *apiv1.AccessGrant {
		g, err := c.CreateAccessGrant(ctx, apiv1.CreateAccessGrantRequest{Principal: apiv1.Principal{Type: apiv1.PrincipalUser, ID: id},
			Role: apiv1.RoleViewer, Resource: "*", Justification: "reads dashboards", ReviewIntervalDays: ptr(int64(30))})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	kept, revoked := grant("alice"), grant("bob")
	inst.Clock.Advance(20 * 24 * time.Hour)
	w := invokeWorkdir(t, inst, fmt.Sprintf(`
action "keymate_access_review" "alice" {
  config {
    grant_id = %q
    reviewer = "carol@example.com"
    decision = "keep"
    comment  = "still on the dashboards team"
  }
}

action "keymate_access_review" "bob" {
  config {
    grant_id = %q
    reviewer = "carol@example.com"
    decision = "revoke"
  }
}
`, kept.ID, revoked.ID))
	out, status := w.invoke("keymate_access_review.alice")
	if status != 0 {
		t.Fatalf("invoke exited %d:\n%s", status, out)
	}
	mustMatch(t, out, `Kept Keymate access grant `+kept.ID+`; its next review is due 2026-02-20T00:00:00Z`)
	reviews, err := c.ListAccessGrantReviews(ctx, kept.ID)
	if err != nil || len(reviews) != 1 || reviews[0].Reviewer != "carol@example.com" || reviews[0].Decision != "keep" ||
		reviews[0].Comment != "still on the dashboards team" {
		t.Fatalf("reviews %+v (%v)", reviews, err)
	}

	out, status = w.invoke("keymate_access_review.bob")
	if status != 0 {
		t.Fatalf("invoke exited %d:\n%s", status, out)
	}
	mustMatch(t, out, `Revoked Keymate access grant `+revoked.ID+` \(user bob: viewer on \*\)`, `Keymate access grant revoked`,
		`remove that resource\s+from the\s+configuration`)
	if g, err := c.GetAccessGrant(ctx, revoked.ID); err != nil || g.Status != apiv1.GrantStatusRevoked {
		t.Fatalf("grant %+v (%v), want revoked", g, err)
	}
	out, status = w.invoke("keymate_access_review.bob")
	if status != 1 {
		t.Fatalf("a review of a revoked grant exited %d, want 1:\n%s", status, out)
	}
	mustMatch(t, out, `Unable to review Keymate access grant`, `409`)
}

// A review triggered when a grant Terraform manages is created records a
// keep; the grant's next plan stays empty (the framework's check after each
// step). Bad arguments fail at plan, naming them.
func TestAccAccessReviewAction_trigger(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	config := func(decision, reviewer string) string {
		return fmt.Sprintf(`
resource "keymate_access_grant" "sre" {
  principal     = { type = "team", id = "sre" }
  role          = "operator"
  resource      = "alert-rules/*"
  justification = "on-call tunes alerts"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.keymate_access_review.sre]
    }
  }
}

action "keymate_access_review" "sre" {
  config {
    grant_id = keymate_access_grant.sre.id
    reviewer = %q
    decision = %q
  }
}
`, reviewer, decision)
	}
	var id string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionVersions,
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{Config: config("maybe", "carol"), ExpectError: regexp.MustCompile(`(?s)decision.*value must be one of`)},
			{Config: config("keep", " "), ExpectError: regexp.MustCompile(`(?s)reviewer.*must not be empty`)},
			{
				Config: config("keep", "carol"),
				Check: resource.ComposeAggregateTestCheckFunc(captureAttr("keymate_access_grant.sre", "id", &id), func(*terraform.State) error {
					reviews, err := c.ListAccessGrantReviews(context.Background(), id)
					if err != nil {
						return err
					}
					if len(reviews) != 1 || reviews[0].Reviewer != "carol" || reviews[0].Decision != "keep" {
						return fmt.Errorf("reviews %+v, want one keep by carol", reviews)
					}
					return nil
				}),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// The documentation's action examples, each directory on its own as a user
// copies it, with their placeholders replaced by objects of a test account
// and the channel's URL by a loopback receiver, work through the real CLI:
// applying them creates the channel, whose trigger sends a test
// notification, and the schedule; each action then runs by -invoke and does
// what its example says; the plans stay empty.
func TestAccActions_examples(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	skipBelowCLI(t, tfversion.Version1_14_0)
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	c := testClient(t, inst)
	ctx := context.Background()
	key, err := c.CreateAPIKey(ctx, apiv1.CreateAPIKeyRequest{Name: "leaked", Scopes: []string{"keys:read"}})
	if err != nil {
		t.Fatal(err)
	}
	grant, err := c.CreateAccessGrant(ctx, apiv1.CreateAccessGrantRequest{Principal: apiv1.Principal{Type: apiv1.PrincipalTeam, ID: "sre"},
		Role: apiv1.RoleOperator, Resource: "alert-rules/*", Justification: "on call"})
	if err != nil {
		t.Fatal(err)
	}
	receiver, tests := testReceiver(t)
	// example returns a working directory holding an example directory's
	// terraform.tf and its action.tf as given.
	example := func(terraformTF, actionTF string) *cliWorkdir {
		w := newCLIWorkdir(t, envEndpoint+"="+inst.URL, envAPIKey+"="+inst.AdminKey)
		w.writeFile("terraform.tf", readExample(t, terraformTF))
		w.writeFile("action.tf", actionTF)
		return w
	}
	invoke := func(w *cliWorkdir, addr string) {
		t.Helper()
		if out, status := w.invoke(addr); status != 0 {
			t.Fatalf("invoke %s exited %d:\n%s", addr, status, out)
		}
	}
	emptyPlan := func(w *cliWorkdir) {
		t.Helper()
		if out, status := w.run(nil, "plan", "-detailed-exitcode", "-input=false", "-no-color"); status != 0 {
			t.Fatalf("plan exited %d, want 0:\n%s", status, out)
		}
	}

	rotate := example("actions/keymate_api_key_rotate/terraform.tf",
		exampleWithID(t, "actions/keymate_api_key_rotate/action.tf", "key_0123456789abcdef", key.ID))
	invoke(rotate, "keymate_api_key_rotate.leaked")
	if authenticates(t, inst, key.Secret) {
		t.Error("the leaked secret still works")
	}

	channel := example("actions/keymate_notification_channel_test/terraform.tf",
		exampleWithID(t, "actions/keymate_notification_channel_test/action.tf", "https://oncall.example.com/hooks/keymate", receiver.URL))
	channel.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if n := tests.Load(); n != 1 {
		t.Fatalf("creating the channel sent %d test notifications, want 1", n)
	}
	invoke(channel, "keymate_notification_channel_test.oncall")
	if n := tests.Load(); n != 2 {
		t.Errorf("the receiver got %d test notifications, want 2", n)
	}
	emptyPlan(channel)
	channel.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")

	backup := example("actions/keymate_backup_run/terraform.tf", readExample(t, "actions/keymate_backup_run/action.tf"))
	backup.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	invoke(backup, "keymate_backup_run.restore_test")
	schedules, err := c.ListBackupSchedules(ctx, client.ListBackupSchedulesOptions{})
	if err != nil || len(schedules) != 1 {
		t.Fatalf("schedules %+v (%v)", schedules, err)
	}
	if runs, err := c.ListBackupRuns(ctx, schedules[0].ID, 0); err != nil || len(runs) != 1 || !runs[0].RestoreVerified {
		t.Errorf("runs %+v (%v), want one verified run", runs, err)
	}
	emptyPlan(backup)
	backup.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")

	review := example("actions/keymate_access_review/terraform.tf",
		exampleWithID(t, "actions/keymate_access_review/action.tf", "ag_0123456789abcdef", grant.ID))
	invoke(review, "keymate_access_review.sre_q3")
	if reviews, err := c.ListAccessGrantReviews(ctx, grant.ID); err != nil || len(reviews) != 1 || reviews[0].Decision != "keep" {
		t.Errorf("reviews %+v (%v), want one keep", reviews, err)
	}
}
