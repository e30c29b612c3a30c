package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// byID filters query results by their identity.
func byID(id string) queryfilter.QueryFilter {
	return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
}

// listQuery is a list block of type typ named name with the list
// configuration config ("" for none) and extra arguments.
func listQuery(typ, name, config, extra string) string {
	if config != "" {
		config = "\n  config {\n    " + config + "\n  }"
	}
	return fmt.Sprintf("\nlist %q %q {\n  provider = keymate%s\n  %s\n}\n", typ, name, config, extra)
}

// Every list resource lists what its API filters select, through the real
// terraform query: each filter alone and combined, pagination past the API's
// largest page (100) up to the block's limit, Terraform's default limit of
// 100 results, revoked keys and grants left out, identities and display
// names on every result, and with include_resource the state that importing
// the object gives.
func TestAccListResources_query(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	ctx := context.Background()
	ids := accountObjects(t, c, inst.Clock.Now())
	keys, channels, rules, grants, schedules := ids["keymate_api_key"], ids["keymate_notification_channel"],
		ids["keymate_alert_rule"], ids["keymate_access_grant"], ids["keymate_backup_schedule"]
	const bulk = 130 // more disabled schedules than one of the client's pages (100) holds
	for i := range bulk {
		if _, err := c.CreateBackupSchedule(ctx, apiv1.CreateBackupScheduleRequest{
			Name: fmt.Sprintf("bulk-%03d", i), Cron: "0 4 * * *", Enabled: ptr(false)}); err != nil {
			t.Fatal(err)
		}
	}

	query := listQuery("keymate_api_key", "keys", "", "") +
		listQuery("keymate_api_key", "ci_keys", `name_prefix = "ci-"`, "include_resource = true") +
		listQuery("keymate_api_key", "admin_keys", `scope = "admin"`, "") +
		listQuery("keymate_api_key", "active_readers", "status = \"active\"\n    scope = \"keys:read\"", "") +
		listQuery("keymate_api_key", "expired_keys", `status = "expired"`, "") +
		listQuery("keymate_notification_channel", "channels", "", "") +
		listQuery("keymate_notification_channel", "slack", `type = "slack"`, "include_resource = true") +
		listQuery("keymate_alert_rule", "critical", `severity = "critical"`, "") +
		listQuery("keymate_alert_rule", "error_rate", `metric = "api.error_rate"`, "") +
		listQuery("keymate_alert_rule", "none", "severity = \"info\"\n    metric = \"api.error_rate\"", "") +
		listQuery("keymate_access_grant", "grants", "", "") +
		listQuery("keymate_access_grant", "alice", "principal_type = \"user\"\n    principal_id = \"alice\"", "") +
		listQuery("keymate_access_grant", "operators", `role = "operator"`, "") +
		listQuery("keymate_access_grant", "active", `status = "active"`, "include_resource = true") +
		listQuery("keymate_backup_schedule", "enabled", `enabled = true`, "include_resource = true") +
		listQuery("keymate_backup_schedule", "disabled", `enabled = false`, "limit = 1000") +
		listQuery("keymate_backup_schedule", "default_limit", "", "")

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{Config: `provider "keymate" {}`},
			{
				Query:  true,
				Config: query,
				QueryResultChecks: []querycheck.QueryResultCheck{
					// The bootstrap key and three more; the revoked key is not listed.
					querycheck.ExpectLength("keymate_api_key.keys", 4),
					querycheck.ExpectIdentity("keymate_api_key.keys", map[string]knownvalue.Check{"id": knownvalue.StringExact(keys[1])}),
					querycheck.ExpectResourceDisplayName("keymate_api_key.keys", byID(keys[1]), knownvalue.StringExact("ci-deployer")),
					querycheck.ExpectLength("keymate_api_key.ci_keys", 1),
					querycheck.ExpectResourceKnownValues("keymate_api_key.ci_keys", byID(keys[1]), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("ci-deployer")},
						{Path: tfjsonpath.New("rotation_days"), KnownValue: knownvalue.Int64Exact(30)},
						{Path: tfjsonpath.New("rotation_grace_period"), KnownValue: knownvalue.StringExact("12h")},
						{Path: tfjsonpath.New("scopes"), KnownValue: knownvalue.SetExact([]knownvalue.Check{
							knownvalue.StringExact("audit:read"), knownvalue.StringExact("keys:read")})},
						// As after terraform import: the API returns no secret.
						{Path: tfjsonpath.New("secret"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("secret_fingerprint"), KnownValue: knownvalue.StringRegexp(regexp.MustCompile(`^sha256:[0-9a-f]{16}$`))},
					}),
					querycheck.ExpectLength("keymate_api_key.admin_keys", 2),
					querycheck.ExpectIdentity("keymate_api_key.admin_keys", map[string]knownvalue.Check{"id": knownvalue.StringExact(keys[0])}),
					querycheck.ExpectIdentity("keymate_api_key.admin_keys", map[string]knownvalue.Check{"id": knownvalue.StringExact(keys[3])}),
					querycheck.ExpectLength("keymate_api_key.active_readers", 2),
					querycheck.ExpectLength("keymate_api_key.expired_keys", 0),

					querycheck.ExpectLength("keymate_notification_channel.channels", 4),
					querycheck.ExpectLength("keymate_notification_channel.slack", 1),
					querycheck.ExpectResourceKnownValues("keymate_notification_channel.slack", byID(channels[1]), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("enabled"), KnownValue: knownvalue.Bool(false)},
						{Path: tfjsonpath.New("slack").AtMapKey("channel"), KnownValue: knownvalue.StringExact("#security")},
						{Path: tfjsonpath.New("slack").AtMapKey("webhook_url"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("send_test_on_apply"), KnownValue: knownvalue.Bool(false)},
					}),

					querycheck.ExpectLength("keymate_alert_rule.critical", 1),
					querycheck.ExpectIdentity("keymate_alert_rule.critical", map[string]knownvalue.Check{"id": knownvalue.StringExact(rules[0])}),
					querycheck.ExpectLength("keymate_alert_rule.error_rate", 1),
					querycheck.ExpectIdentity("keymate_alert_rule.error_rate", map[string]knownvalue.Check{"id": knownvalue.StringExact(rules[1])}),
					querycheck.ExpectLength("keymate_alert_rule.none", 0),

					// The revoked grant is not listed.
					querycheck.ExpectLength("keymate_access_grant.grants", 2),
					querycheck.ExpectLength("keymate_access_grant.alice", 1),
					querycheck.ExpectIdentity("keymate_access_grant.alice", map[string]knownvalue.Check{"id": knownvalue.StringExact(grants[1])}),
					querycheck.ExpectResourceDisplayName("keymate_access_grant.alice", byID(grants[1]), knownvalue.StringExact("user alice: admin on *")),
					querycheck.ExpectLength("keymate_access_grant.operators", 1),
					querycheck.ExpectLength("keymate_access_grant.active", 2),
					querycheck.ExpectResourceKnownValues("keymate_access_grant.active", byID(grants[0]), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("ticket"), KnownValue: knownvalue.StringExact("SEC-1")},
						{Path: tfjsonpath.New("review_interval_days"), KnownValue: knownvalue.Int64Exact(30)},
						{Path: tfjsonpath.New("expires_at"), KnownValue: knownvalue.Null()},
					}),

					querycheck.ExpectLength("keymate_backup_schedule.enabled", 1),
					querycheck.ExpectResourceKnownValues("keymate_backup_schedule.enabled", byID(schedules[0]), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("timezone"), KnownValue: knownvalue.StringExact("Europe/Berlin")},
						{Path: tfjsonpath.New("retention_days"), KnownValue: knownvalue.Int64Exact(35)},
					}),
					// Two pages of the API, up to the block's limit.
					querycheck.ExpectLength("keymate_backup_schedule.disabled", bulk+1),
					querycheck.ExpectIdentity("keymate_backup_schedule.disabled", map[string]knownvalue.Check{"id": knownvalue.StringExact(schedules[1])}),
					// Terraform asks for at most 100 results unless the block says otherwise.
					querycheck.ExpectLength("keymate_backup_schedule.default_limit", 100),
				},
			},
			{
				// The documentation's examples.
				Query: true,
				Config: readExample(t, "list-resources/keymate_api_key/list-resource.tfquery.hcl") +
					readExample(t, "list-resources/keymate_notification_channel/list-resource.tfquery.hcl") +
					readExample(t, "list-resources/keymate_alert_rule/list-resource.tfquery.hcl") +
					readExample(t, "list-resources/keymate_access_grant/list-resource.tfquery.hcl") +
					readExample(t, "list-resources/keymate_backup_schedule/list-resource.tfquery.hcl"),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("keymate_api_key.ci", 1),
					querycheck.ExpectResourceKnownValues("keymate_api_key.ci", byID(keys[1]), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("ci-deployer")},
					}),
					querycheck.ExpectLength("keymate_api_key.admins", 2),
					querycheck.ExpectLength("keymate_notification_channel.slack", 1),
					querycheck.ExpectLength("keymate_alert_rule.critical_auth", 1),
					querycheck.ExpectLength("keymate_access_grant.user_admins", 1),
					querycheck.ExpectLength("keymate_access_grant.sre", 1),
					querycheck.ExpectLength("keymate_backup_schedule.disabled", 100),
				},
			},
			{
				Query:       true,
				Config:      listQuery("keymate_api_key", "bad", `scope = "keys:fly"`, ""),
				ExpectError: regexp.MustCompile(`(?s)scope.*value must be one of`),
			},
		},
	})
}
