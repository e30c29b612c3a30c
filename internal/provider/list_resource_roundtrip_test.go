package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// accountObjects creates, through the API, objects of every kind as an
// account built by hand has them: secrets generated and supplied, channels
// of every type with their secrets, a critical rule notifying a channel,
// grants with and without expiry, schedules enabled and not, and a revoked
// key and grant, which cannot be adopted. It returns the ids of the objects
// that can be adopted, by resource type.
func accountObjects(t *testing.T, c *client.Client, now time.Time) map[string][]string {
	t.Helper()
	ctx := context.Background()
	ids := map[string][]string{}
	add := func(typ, id string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("creating %s: %v", typ, err)
		}
		ids[typ] = append(ids[typ], id)
	}
	keys, err := c.ListAPIKeys(ctx, client.ListAPIKeysOptions{Status: apiv1.KeyStatusActive})
	if err != nil || len(keys) != 1 {
		t.Fatalf("bootstrap keys %v: %v", keys, err)
	}
	add("keymate_api_key", keys[0].ID, nil) // the bootstrap admin key is adopted too
	for _, req := range []apiv1.CreateAPIKeyRequest{
		{Name: "ci-deployer", Description: "deploys payments", Scopes: []string{"keys:read", "audit:read"},
			RotationDays: ptr(int64(30)), RotationGracePeriod: ptr("720m")},
		{Name: "payments-supplied", Scopes: []string{"keys:read"}, Secret: ptr("supplied-secret-0123456789abcdefghij")},
		{Name: "ops-admin", Scopes: []string{"admin"}, ExpiresAt: ptr(apiv1.TimeText(now.Add(180 * 24 * time.Hour).Truncate(time.Second)))},
	} {
		k, err := c.CreateAPIKey(ctx, req)
		add("keymate_api_key", k.ID, err)
	}
	revoked, err := c.CreateAPIKey(ctx, apiv1.CreateAPIKeyRequest{Name: "retired", Scopes: []string{"keys:read"}})
	if err != nil || c.RevokeAPIKey(ctx, revoked.ID) != nil {
		t.Fatalf("revoked key: %v", err)
	}

	url, slackURL, routingKey := "https://oncall.example.com/hooks/keymate", "https://hooks.slack.com/services/T0/B0/x", strings.Repeat("a1", 16)
	for _, req := range []apiv1.CreateNotificationChannelRequest{
		{Name: "oncall-webhook", Type: apiv1.ChannelTypeWebhook, Webhook: &apiv1.WebhookInput{URL: &url,
			SigningSecret: ptr("whsec_0123456789abcdef"), Headers: &map[string]string{"Authorization": "Bearer hook-token"}}},
		{Name: "security-slack", Type: apiv1.ChannelTypeSlack, Enabled: ptr(false),
			Slack: &apiv1.SlackInput{WebhookURL: &slackURL, Channel: ptr("#security")}},
		{Name: "pager", Type: apiv1.ChannelTypePagerDuty, PagerDuty: &apiv1.PagerDutyInput{RoutingKey: &routingKey}},
		{Name: "mail", Type: apiv1.ChannelTypeEmail, Email: &apiv1.EmailInput{Addresses: &[]string{"oncall@example.com", "sec@example.com"}}},
	} {
		ch, err := c.CreateNotificationChannel(ctx, req)
		add("keymate_notification_channel", ch.ID, err)
	}

	for _, req := range []apiv1.CreateAlertRuleRequest{
		{Name: "auth-failure-burst", Description: "credential stuffing", Severity: apiv1.SeverityCritical, Metric: apiv1.MetricAuthFailures,
			Condition:              apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 20, Window: "300s"},
			NotificationChannelIDs: ids["keymate_notification_channel"][:2], RenotifyInterval: ptr("1h"),
			Labels: map[string]string{"team": "security"}},
		{Name: "error-rate", Severity: apiv1.SeverityWarning, Metric: apiv1.MetricAPIErrorRate, Enabled: ptr(false),
			Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGTE, Threshold: 0.05, Window: "15m"}},
	} {
		r, err := c.CreateAlertRule(ctx, req)
		add("keymate_alert_rule", r.ID, err)
	}

	expires := apiv1.TimeText(now.Add(90 * 24 * time.Hour).Truncate(time.Second))
	for _, req := range []apiv1.CreateAccessGrantRequest{
		{Principal: apiv1.Principal{Type: apiv1.PrincipalTeam, ID: "sre"}, Role: apiv1.RoleOperator, Resource: "alert-rules/*",
			Justification: "on-call tunes alerts", Ticket: "SEC-1", ReviewIntervalDays: ptr(int64(30))},
		{Principal: apiv1.Principal{Type: apiv1.PrincipalUser, ID: "alice"}, Role: apiv1.RoleAdmin, Resource: "*",
			Justification: "break glass", ExpiresAt: &expires},
	} {
		g, err := c.CreateAccessGrant(ctx, req)
		add("keymate_access_grant", g.ID, err)
	}
	revokedGrant, err := c.CreateAccessGrant(ctx, apiv1.CreateAccessGrantRequest{
		Principal: apiv1.Principal{Type: apiv1.PrincipalUser, ID: "bob"}, Role: apiv1.RoleViewer, Resource: "*", Justification: "left"})
	if err != nil || c.RevokeAccessGrant(ctx, revokedGrant.ID) != nil {
		t.Fatalf("revoked grant: %v", err)
	}

	for _, req := range []apiv1.CreateBackupScheduleRequest{
		{Name: "nightly", Cron: "0 3 * * *", Timezone: ptr("Europe/Berlin"), RetentionDays: ptr(int64(35))},
		{Name: "weekly", Cron: "30 2 * * 0", Include: []string{"api_keys", "access_grants"}, Destination: ptr("backups/weekly"),
			VerifyRestore: ptr(false), Enabled: ptr(false)},
	} {
		s, err := c.CreateBackupSchedule(ctx, req)
		add("keymate_backup_schedule", s.ID, err)
	}
	return ids
}

// apiSnapshot is every object of the account as the API returns it, to
// prove that adopting the account changed nothing.
func apiSnapshot(t *testing.T, c *client.Client) string {
	t.Helper()
	ctx := context.Background()
	var all []any
	keys, err := c.ListAPIKeys(ctx, client.ListAPIKeysOptions{})
	for i := range keys {
		keys[i].LastUsedAt = nil // the provider's own key is used by every run
	}
	all = append(all, keys, err)
	channels, err := c.ListNotificationChannels(ctx, client.ListNotificationChannelsOptions{})
	all = append(all, channels, err)
	rules, err := c.ListAlertRules(ctx, client.ListAlertRulesOptions{})
	all = append(all, rules, err)
	grants, err := c.ListAccessGrants(ctx, client.ListAccessGrantsOptions{})
	all = append(all, grants, err)
	schedules, err := c.ListBackupSchedules(ctx, client.ListBackupSchedulesOptions{})
	all = append(all, schedules, err)
	b, err := json.MarshalIndent(all, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The round trip of the guide "Bringing an existing account under
// Terraform", with its files, through the real CLI and the real provider
// binary: objects of
// every kind, created through the API, are listed by terraform query
// -generate-config-out, the generated configuration applies without a single
// edit (every object imported, none added, changed or destroyed, no object
// changed in the API, no secret touched), and the next plan is empty. Revoked
// objects are not listed.
func TestAccListResources_generateConfigRoundTrip(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	skipBelowCLI(t, tfversion.Version1_14_0)
	// The provider binary reads the wall clock, so the server does too: keys
	// created now are not due for rotation.
	inst := servertest.Start(t, servertest.WithClock(clock.Real{}))
	c := testClient(t, inst)
	ids := accountObjects(t, c, time.Now())
	before := apiSnapshot(t, c)

	w := newCLIWorkdir(t, envEndpoint+"="+inst.URL, envAPIKey+"="+inst.AdminKey)
	w.writeConfig(readExample(t, "guides/adopting-an-existing-account/main.tf"))
	w.writeFile("account.tfquery.hcl", readExample(t, "guides/adopting-an-existing-account/account.tfquery.hcl"))
	w.mustRun("init", "-input=false", "-no-color")
	w.mustRun("query", "-generate-config-out=generated.tf", "-no-color")
	generated := []byte(w.file("generated.tf"))
	t.Logf("generated.tf:\n%s", generated)
	var total int
	for typ, want := range ids {
		got := regexp.MustCompile(`(?m)^resource "`+typ+`" `).FindAllIndex(generated, -1)
		if len(got) != len(want) {
			t.Errorf("%s: %d resource blocks generated, want %d", typ, len(got), len(want))
		}
		for _, id := range want {
			if !strings.Contains(string(generated), `id = "`+id+`"`) {
				t.Errorf("%s %s: no import block", typ, id)
			}
		}
		total += len(want)
	}
	if t.Failed() {
		t.FailNow()
	}

	out := w.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	if want := fmt.Sprintf("Apply complete! Resources: %d imported, 0 added, 0 changed, 0 destroyed.", total); !strings.Contains(out, want) {
		t.Fatalf("apply of the generated configuration did not say %q:\n%s", want, out)
	}
	w.mustRun("plan", "-detailed-exitcode", "-input=false", "-no-color")
	if after := apiSnapshot(t, c); after != before {
		t.Fatalf("adopting the account changed objects in the API:\nbefore: %s\nafter: %s", before, after)
	}
	state := w.mustRun("state", "list")
	for typ, want := range ids {
		if n := strings.Count(state, typ+"."); n != len(want) {
			t.Errorf("%s: %d in state, want %d", typ, n, len(want))
		}
	}
}
