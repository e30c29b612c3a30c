package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

const ruleAddr = "keymate_alert_rule.test"

const ruleChannelConfig = `
resource "keymate_notification_channel" "test" {
  name = "oncall"
  type = "email"
  email = {
    addresses = ["oncall@example.com"]
  }
}
`

// Create, update in place, import and destroy of an alert rule: durations
// keep their configured spelling, a semantically equal duration plans no
// change, and removing optional arguments clears them.
func TestAccAlertRuleResource_lifecycle(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var id string
	getRule := func() (*apiv1.AlertRule, error) { return c.GetAlertRule(context.Background(), id) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: ruleChannelConfig + `
resource "keymate_alert_rule" "test" {
  name     = "error-rate"
  severity = "warning"
  metric   = "api.error_rate"
  condition = {
    operator  = "gte"
    threshold = 0.05
    window    = "300s"
  }
  labels = { team = "payments" }
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(ruleAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^ar_`))),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					// The configured spelling is kept although the API answers "5m0s".
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("condition").AtMapKey("window"), knownvalue.StringExact("300s")),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("condition").AtMapKey("threshold"), knownvalue.Float64Exact(0.05)),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("notification_channel_ids"), knownvalue.SetSizeExact(0)),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("renotify_interval"), knownvalue.Null()),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("labels"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("payments")})),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("created_at"), knownvalue.StringExact("2026-01-01T00:00:00Z")),
				},
				Check: captureAttr(ruleAddr, "id", &id),
			},
			{
				// "5m" equals the "300s" in state: no change for it, only for
				// the fields that really changed.
				Config: ruleChannelConfig + `
resource "keymate_alert_rule" "test" {
  name        = "error-rate-critical"
  description = "Page when 10% of requests fail"
  severity    = "critical"
  metric      = "api.error_rate"
  condition = {
    operator  = "gt"
    threshold = 0.1
    window    = "5m"
  }
  notification_channel_ids = [keymate_notification_channel.test.id]
  renotify_interval        = "60m"
  labels                   = { team = "payments" }
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(ruleAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("condition").AtMapKey("window"), knownvalue.StringExact("300s")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(ruleAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("renotify_interval"), knownvalue.StringExact("60m")),
					statecheck.CompareValueCollection(ruleAddr, []tfjsonpath.Path{tfjsonpath.New("notification_channel_ids")},
						"keymate_notification_channel.test", tfjsonpath.New("id"), compare.ValuesSame()),
				},
				Check: func(*terraform.State) error {
					rule, err := getRule()
					if err != nil {
						return err
					}
					if rule.Severity != "critical" || rule.Condition.Operator != "gt" || rule.Condition.Threshold != 0.1 ||
						rule.RenotifyInterval != "1h0m0s" || len(rule.NotificationChannelIDs) != 1 || rule.Description == "" {
						return fmt.Errorf("API holds %+v", rule)
					}
					return nil
				},
			},
			{
				ResourceName:      ruleAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// Written differently in the configuration; compared below as
				// the same durations.
				ImportStateVerifyIgnore: []string{"condition.window", "renotify_interval"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					attrs := states[0].Attributes
					if attrs["condition.window"] != "5m" || attrs["renotify_interval"] != "1h" {
						return fmt.Errorf("imported window %q, renotify_interval %q; want 5m and 1h", attrs["condition.window"], attrs["renotify_interval"])
					}
					return nil
				},
			},
			{
				// Removing renotify_interval and labels clears them; the
				// channel set goes empty for a warning.
				Config: ruleChannelConfig + `
resource "keymate_alert_rule" "test" {
  name        = "error-rate-critical"
  description = "Page when 10% of requests fail"
  severity    = "warning"
  metric      = "api.error_rate"
  condition = {
    operator  = "gt"
    threshold = 0.1
    window    = "5m"
  }
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(ruleAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					rule, err := getRule()
					if err != nil {
						return err
					}
					if rule.RenotifyInterval != "" || len(rule.Labels) != 0 || len(rule.NotificationChannelIDs) != 0 {
						return fmt.Errorf("API still has renotify_interval %q, labels %v, channels %v", rule.RenotifyInterval, rule.Labels, rule.NotificationChannelIDs)
					}
					return nil
				},
			},
		},
	})
}

const driftRuleConfig = ruleChannelConfig + `
resource "keymate_alert_rule" "test" {
  name     = "drifting"
  severity = "critical"
  metric   = "api.latency_p99_ms"
  condition = {
    operator  = "gt"
    threshold = 500
    window    = "10m"
  }
  notification_channel_ids = [keymate_notification_channel.test.id]
}`

// Changes made outside Terraform show in the plan: a rule renamed with
// another threshold and without its channel plans an update back, and a
// deleted rule plans a new one. A channel still used by a rule cannot be
// deleted (409 naming the rule).
func TestAccAlertRuleResource_outOfBand(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	var id, channelID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: driftRuleConfig,
				Check: resource.ComposeAggregateTestCheckFunc(captureAttr(ruleAddr, "id", &id), captureAttr(channelAddr, "id", &channelID),
					func(*terraform.State) error {
						err := c.DeleteNotificationChannel(context.Background(), channelID)
						var apiErr *client.APIError
						if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusConflict || !strings.Contains(apiErr.Message, id) {
							return fmt.Errorf("deleting a channel in use: want 409 naming rule %s, got %w", id, err)
						}
						return nil
					}),
			},
			{
				PreConfig: func() {
					name, severity, none := "renamed-by-hand", "warning", []string{}
					cond := apiv1.AlertCondition{Operator: "gt", Threshold: 900, Window: "10m"}
					if _, err := c.UpdateAlertRule(context.Background(), id, apiv1.UpdateAlertRuleRequest{
						Name: &name, Severity: &severity, Condition: &cond, NotificationChannelIDs: &none}); err != nil {
						t.Fatal(err)
					}
				},
				Config: driftRuleConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(ruleAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("condition").AtMapKey("threshold"), knownvalue.Float64Exact(500)),
					},
				},
				Check: func(*terraform.State) error {
					rule, err := c.GetAlertRule(context.Background(), id)
					if err != nil {
						return err
					}
					if rule.Name != "drifting" || rule.Condition.Threshold != 500 || len(rule.NotificationChannelIDs) != 1 {
						return fmt.Errorf("apply did not restore the rule: %+v", rule)
					}
					return nil
				},
			},
			recreateStep(t, ruleAddr, driftRuleConfig, &id, c.DeleteAlertRule),
		},
	})
}

// Bad configurations fail at plan, before any API call, naming the
// attribute; an unknown channel id, which only the API can tell, fails the
// apply on notification_channel_ids.
func TestAccAlertRuleResource_validation(t *testing.T) {
	t.Parallel()
	_, factories := testAccSetup(t)
	cfg := func(severity, metric, operator, threshold, window, extra string) string {
		return fmt.Sprintf(`
resource "keymate_alert_rule" "test" {
  name     = "invalid"
  severity = %q
  metric   = %q
  condition = {
    operator  = %q
    threshold = %s
    window    = %q
  }
  %s
}`, severity, metric, operator, threshold, window, extra)
	}
	var steps []resource.TestStep
	for _, tc := range []struct{ config, want string }{
		{cfg("critical", "auth.failures", "gt", "5", "5m", ""), `(?s)KM-ALERT-001: Critical alert rule without a notification channel.*notification_channel_ids\s+is\s+empty,\s+but\s+a\s+critical\s+rule`},
		{cfg("critical", "auth.failures", "gt", "5", "5m", `notification_channel_ids = []`), `(?s)KM-ALERT-001: Critical alert rule without a notification channel.*notification_channel_ids\s+is\s+empty,\s+but\s+a\s+critical\s+rule`},
		{cfg("warning", "auth.failures", "gt", "5", "5x", ""), `(?s)condition.window.*"5x" is not a duration`},
		{cfg("warning", "auth.failures", "gt", "5", "30s", ""), `(?s)condition.window.*between 1m0s and 24h0m0s`},
		{cfg("warning", "auth.failures", "gt", "5", "5m", `renotify_interval = "25h"`), `(?s)renotify_interval.*between 1m0s and 24h0m0s`},
		{cfg("warning", "cpu.load", "gt", "5", "5m", ""), `(?s)metric.*value must be one of.*auth.failures`},
		{cfg("warning", "auth.failures", "eq", "5", "5m", ""), `(?s)condition.operator.*value must be one of`},
		{cfg("urgent", "auth.failures", "gt", "5", "5m", ""), `(?s)severity.*value must be one of`},
		{cfg("warning", "auth.failures", "gt", "-1", "5m", ""), `(?s)condition.threshold.*at least 0`},
		{cfg("warning", "api.error_rate", "gt", "5", "5m", ""), `(?s)condition.threshold.*fraction between 0 and 1`},
		{cfg("warning", "auth.failures", "gt", "5", "5m", `notification_channel_ids = ["slack"]`), `(?s)notification_channel_ids.*must be a notification\s+channel id`},
	} {
		steps = append(steps, resource.TestStep{Config: tc.config, PlanOnly: true, ExpectError: regexp.MustCompile(tc.want)})
	}
	steps = append(steps, resource.TestStep{
		Config:      cfg("warning", "auth.failures", "gt", "5", "5m", `notification_channel_ids = ["nc_doesnotexist"]`),
		ExpectError: regexp.MustCompile(`(?s)Unable to create Keymate alert rule.*notification_channel_ids\[0\]`),
	})
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: steps})
}

func firingConfig(receiverURL string) string {
	return fmt.Sprintf(`
resource "keymate_notification_channel" "test" {
  name = "security-hook"
  type = "webhook"
  webhook = {
    url                       = %q
    signing_secret_wo         = "receiver-shared-secret-0123"
    signing_secret_wo_version = 1
  }
}

resource "keymate_alert_rule" "test" {
  name     = "auth-failure-burst"
  severity = "critical"
  metric   = "auth.failures"
  condition = {
    operator  = "gt"
    threshold = 3
    window    = "5m"
  }
  notification_channel_ids = [keymate_notification_channel.test.id]
}

data "keymate_alert_rules" "firing" {
  metric     = "auth.failures"
  depends_on = [keymate_alert_rule.test]
}`, receiverURL)
}

// badRequests sends n requests with a key the server does not know.
func badRequests(t *testing.T, inst *servertest.Instance, n int) {
	t.Helper()
	for range n {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, inst.URL+"/v1/api-keys", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer km_not_a_key_0000000000000000000000000000")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a request with an unknown key got %d, want 401", resp.StatusCode)
		}
	}
}

// An alert rule declared in HCL really fires: after a burst of 5 requests
// with a wrong key, the evaluator (run after moving the clock, no sleeping)
// opens an incident and the rule's webhook receives a signed alert.opened
// notification; the data source shows the open incident while the resource
// plans no change; once the window holds no failures the incident resolves
// and the receiver gets alert.resolved.
func TestAccAlertRuleResource_firesOnAuthFailures(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t, servertest.WithLoopbackDestinations())
	receiver := newWebhookReceiver(t, inst, "receiver-shared-secret-0123")
	config := firingConfig(receiver.URL + "/alerts")
	rules := "data.keymate_alert_rules.firing"
	expectEvent := func(event string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			d := receiver.next(t)
			if d.event != event || !d.signatureOK || d.body["rule_name"] != "auth-failure-burst" {
				return fmt.Errorf("receiver got event %q (valid signature %t, rule %v), want a signed %s for auth-failure-burst",
					d.event, d.signatureOK, d.body["rule_name"], event)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rules, tfjsonpath.New("rules"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(rules, tfjsonpath.New("rules").AtSliceIndex(0).AtMapKey("open_incidents"), knownvalue.Int64Exact(0)),
				},
			},
			{
				PreConfig: func() {
					badRequests(t, inst, 5)
					inst.Clock.Advance(time.Minute)
					inst.RunJobs(t)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}, // the incident is no drift of the rule
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rules, tfjsonpath.New("rules").AtSliceIndex(0).AtMapKey("open_incidents"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(rules, tfjsonpath.New("rules").AtSliceIndex(0).AtMapKey("open_incident_id"),
						knownvalue.StringRegexp(regexp.MustCompile(`^inc_`))),
				},
				Check: expectEvent(apiv1.EventAlertOpened),
			},
			{
				PreConfig: func() {
					inst.Clock.Advance(6 * time.Minute) // the failures are out of the 5m window
					inst.RunJobs(t)
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rules, tfjsonpath.New("rules").AtSliceIndex(0).AtMapKey("open_incidents"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(rules, tfjsonpath.New("rules").AtSliceIndex(0).AtMapKey("open_incident_id"), knownvalue.Null()),
				},
				Check: expectEvent(apiv1.EventAlertResolved),
			},
		},
	})
}

// The keymate_alert_rules filters select by severity, metric and enabled.
func TestAccAlertRulesDataSource_filters(t *testing.T) {
	t.Parallel()
	_, factories := testAccSetup(t)
	config := ruleChannelConfig + `
resource "keymate_alert_rule" "page" {
  name                     = "page"
  severity                 = "critical"
  metric                   = "auth.failures"
  condition                = { operator = "gt", threshold = 20, window = "5m" }
  notification_channel_ids = [keymate_notification_channel.test.id]
}

resource "keymate_alert_rule" "watch" {
  name      = "watch"
  severity  = "warning"
  metric    = "rate_limit.throttled"
  enabled   = false
  condition = { operator = "gte", threshold = 100, window = "1h" }
}

data "keymate_alert_rules" "critical" {
  severity   = "critical"
  depends_on = [keymate_alert_rule.page, keymate_alert_rule.watch]
}

data "keymate_alert_rules" "throttling" {
  metric     = "rate_limit.throttled"
  depends_on = [keymate_alert_rule.page, keymate_alert_rule.watch]
}

data "keymate_alert_rules" "enabled" {
  enabled    = true
  depends_on = [keymate_alert_rule.page, keymate_alert_rule.watch]
}

data "keymate_alert_rules" "all" {
  depends_on = [keymate_alert_rule.page, keymate_alert_rule.watch]
}`
	names := func(addr string, want ...string) statecheck.StateCheck {
		checks := make([]knownvalue.Check, len(want))
		for i, w := range want {
			checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(w)})
		}
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("rules"), knownvalue.SetExact(checks)) // any order
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				names("data.keymate_alert_rules.critical", "page"),
				names("data.keymate_alert_rules.throttling", "watch"),
				names("data.keymate_alert_rules.enabled", "page"),
				names("data.keymate_alert_rules.all", "watch", "page"),
				statecheck.ExpectKnownValue("data.keymate_alert_rules.throttling", tfjsonpath.New("rules").AtSliceIndex(0),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"enabled":           knownvalue.Bool(false),
						"condition":         knownvalue.ObjectExact(map[string]knownvalue.Check{"operator": knownvalue.StringExact("gte"), "threshold": knownvalue.Float64Exact(100), "window": knownvalue.StringExact("1h0m0s")}),
						"renotify_interval": knownvalue.StringExact(""),
						"open_incidents":    knownvalue.Int64Exact(0),
					})),
			},
		}},
	})
}
