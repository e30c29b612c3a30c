package provider

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
)

// identityConfig holds one resource of every kind.
const identityConfig = `
resource "keymate_api_key" "test" {
  name   = "identity"
  scopes = ["keys:read"]
}

resource "keymate_notification_channel" "test" {
  name  = "identity"
  type  = "email"
  email = { addresses = ["oncall@example.com"] }
}

resource "keymate_alert_rule" "test" {
  name                     = "identity"
  severity                 = "warning"
  metric                   = "keys.rotation_overdue"
  condition                = { operator = "gt", threshold = 0, window = "1h" }
  notification_channel_ids = [keymate_notification_channel.test.id]
}

resource "keymate_access_grant" "test" {
  principal     = { type = "team", id = "sre" }
  role          = "viewer"
  resource      = "*"
  justification = "identity test"
  expires_at    = "2026-06-30T00:00:00Z"
}

resource "keymate_backup_schedule" "test" {
  name = "identity"
  cron = "0 3 * * *"
}
`

// identityKinds are the resource addresses of identityConfig with the
// prefix of their ids.
var identityKinds = []struct{ addr, prefix string }{
	{"keymate_api_key.test", "key_"},
	{"keymate_notification_channel.test", "nc_"},
	{"keymate_alert_rule.test", "ar_"},
	{"keymate_access_grant.test", "ag_"},
	{"keymate_backup_schedule.test", "bs_"},
}

// Every resource stores its identity { id } on create, equal to its id, and
// imports by identity (an import block with identity = { id = ... }) and by
// id (an import block with id = ...) with an empty plan: the imported state
// is the state Terraform created.
func TestAccResourceIdentity_allKinds(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	var stateChecks []statecheck.StateCheck
	steps := []resource.TestStep{{Config: identityConfig}}
	for _, k := range identityKinds {
		stateChecks = append(stateChecks,
			statecheck.ExpectIdentity(k.addr, map[string]knownvalue.Check{
				"id": knownvalue.StringRegexp(regexp.MustCompile("^" + k.prefix + "[0-9a-f]{24}$")),
			}),
			statecheck.ExpectIdentityValueMatchesState(k.addr, tfjsonpath.New("id")),
		)
		steps = append(steps,
			resource.TestStep{ResourceName: k.addr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			resource.TestStep{ResourceName: k.addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID},
		)
	}
	steps[0].ConfigStateChecks = stateChecks
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps:                    steps,
	})
}

// Importing by an identity whose object does not exist fails with
// Terraform's own message, not with an error about a missing identity.
func TestAccResourceIdentity_importMissing(t *testing.T) {
	t.Parallel()
	_, factories := testAccSetup(t)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: `
import {
  to       = keymate_backup_schedule.test
  identity = { id = "bs_000000000000000000000000" }
}

resource "keymate_backup_schedule" "test" {
  name = "missing"
  cron = "0 3 * * *"
}`,
			ExpectError: regexp.MustCompile(`Cannot import non-existent remote object`),
		}},
	})
}

// The import block examples of every resource, by id (Terraform 1.5+) and by
// identity (Terraform 1.12+), with their placeholder ids replaced by objects
// created through the API, adopt those objects instead of creating others,
// and updating them to the resource examples leaves an empty plan.
func TestAccExamples_importBlocks(t *testing.T) {
	t.Parallel()
	for i, kind := range []struct {
		name    string
		minimum *version.Version
	}{
		{"by id", tfversion.Version1_5_0},
		{"by identity", tfversion.Version1_12_0},
	} {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			inst, factories := testAccSetup(t, withBackupKey) // the schedule example encrypts
			ids := createImportExampleObjects(t, testClient(t, inst))
			config := readExample(t, "resources/keymate_alert_rule/resource.tf") +
				readExample(t, "resources/keymate_api_key/resource.tf") +
				readExample(t, "resources/keymate_access_grant/resource.tf") +
				readExample(t, "resources/keymate_backup_schedule/resource.tf")
			var checks []statecheck.StateCheck
			for _, typ := range slices.Sorted(maps.Keys(ids)) {
				o := ids[typ]
				config += exampleWithID(t, o.examples[i], o.placeholder, o.id)
				checks = append(checks, statecheck.ExpectKnownValue(o.addr, tfjsonpath.New("id"), knownvalue.StringExact(o.id)))
			}
			checks = append(checks,
				// Adopting the configuration updated the objects in place.
				statecheck.ExpectKnownValue("keymate_access_grant.sre_alerts", tfjsonpath.New("review_interval_days"), knownvalue.Int64Exact(30)),
				statecheck.ExpectKnownValue("keymate_alert_rule.auth_failures", tfjsonpath.New("renotify_interval"), knownvalue.StringExact("1h")),
				statecheck.ExpectKnownValue("keymate_backup_schedule.nightly", tfjsonpath.New("cron"), knownvalue.StringExact("0 3 * * *")),
				// Adopting rotate_when_changed rotated the key, so Terraform
				// now holds a working secret.
				statecheck.ExpectKnownValue("keymate_api_key.example", tfjsonpath.New("secret"), knownvalue.NotNull()),
			)
			resource.Test(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(kind.minimum)},
				ProtoV6ProviderFactories: factories,
				CheckDestroy:             checkDestroyed(t, inst),
				Steps:                    []resource.TestStep{{Config: config, ConfigStateChecks: checks}},
			})
		})
	}
}

// importExampleObject is an object created for the import examples: the
// address they import to, their placeholder id, the real id and the
// examples, by id and by identity.
type importExampleObject struct {
	addr, placeholder, id string
	examples              [2]string
}

// createImportExampleObjects creates through the API, by resource type, the
// objects the import examples adopt, each a little different from its
// resource example.
func createImportExampleObjects(t *testing.T, c *client.Client) map[string]importExampleObject {
	t.Helper()
	ctx := context.Background()
	url := "https://oncall.example.com/hooks/keymate"
	ch, err := c.CreateNotificationChannel(ctx, apiv1.CreateNotificationChannelRequest{
		Name: "oncall-webhook", Type: apiv1.ChannelTypeWebhook, Webhook: &apiv1.WebhookInput{URL: &url}})
	if err != nil {
		t.Fatal(err)
	}
	rule, err := c.CreateAlertRule(ctx, apiv1.CreateAlertRuleRequest{
		Name: "auth-failure-burst", Severity: apiv1.SeverityCritical, Metric: apiv1.MetricAuthFailures,
		Condition:              apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 20, Window: "5m"},
		NotificationChannelIDs: []string{ch.ID},
	})
	if err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAPIKey(ctx, apiv1.CreateAPIKeyRequest{Name: "ci-deployer", Scopes: []string{"keys:read"}})
	if err != nil {
		t.Fatal(err)
	}
	grant, err := c.CreateAccessGrant(ctx, apiv1.CreateAccessGrantRequest{
		Principal: apiv1.Principal{Type: apiv1.PrincipalTeam, ID: "sre"}, Role: apiv1.RoleOperator, Resource: "alert-rules/*",
		Justification: "created before Terraform",
	})
	if err != nil {
		t.Fatal(err)
	}
	schedule, err := c.CreateBackupSchedule(ctx, apiv1.CreateBackupScheduleRequest{Name: "nightly", Cron: "0 2 * * *"})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]importExampleObject{
		"keymate_notification_channel": {"keymate_notification_channel.oncall", "nc_0123456789abcdef", ch.ID, [2]string{
			"resources/keymate_notification_channel/import-by-string-id.tf", "resources/keymate_notification_channel/import-by-identity.tf"}},
		"keymate_alert_rule": {"keymate_alert_rule.auth_failures", "ar_0123456789abcdef", rule.ID, [2]string{
			"resources/keymate_alert_rule/import-by-string-id.tf", "resources/keymate_alert_rule/import-by-identity.tf"}},
		"keymate_api_key": {"keymate_api_key.example", "key_0123456789abcdef", key.ID, [2]string{
			"resources/keymate_api_key/import-by-string-id.tf", "resources/keymate_api_key/import-by-identity.tf"}},
		"keymate_access_grant": {"keymate_access_grant.sre_alerts", "ag_0123456789abcdef", grant.ID, [2]string{
			"resources/keymate_access_grant/import-by-string-id.tf", "resources/keymate_access_grant/import-by-identity.tf"}},
		"keymate_backup_schedule": {"keymate_backup_schedule.nightly", "bs_0123456789abcdef", schedule.ID, [2]string{
			"resources/keymate_backup_schedule/import-by-string-id.tf", "resources/keymate_backup_schedule/import-by-identity.tf"}},
	}
}
