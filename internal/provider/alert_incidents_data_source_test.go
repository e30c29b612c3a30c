package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// The alert history data source lists an incident the server opened, with
// its notification to a loopback receiver and the outcome, for one rule or
// every rule, filtered by status; a provider key without alerts:read is
// refused, the error naming the scope.
func TestAccAlertIncidentsDataSource(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t, servertest.WithLoopbackDestinations())
	receiver := newWebhookReceiver(t, inst, "")
	c, ctx := testClient(t, inst), context.Background()
	ch, err := c.CreateNotificationChannel(ctx, apiv1.CreateNotificationChannelRequest{Name: "oncall", Type: apiv1.ChannelTypeWebhook,
		Webhook: &apiv1.WebhookInput{URL: &receiver.URL}})
	if err != nil {
		t.Fatal(err)
	}
	rule, err := c.CreateAlertRule(ctx, apiv1.CreateAlertRuleRequest{Name: "auth", Severity: apiv1.SeverityCritical,
		Metric: apiv1.MetricAuthFailures, Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 0, Window: "5m"},
		NotificationChannelIDs: []string{ch.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if authenticates(t, inst, "km_not_a_key") {
		t.Fatal("a made-up key authenticated")
	}
	inst.RunJobs(t)
	if d := receiver.next(t); d.event != apiv1.EventAlertOpened {
		t.Fatalf("the receiver got %q, want %s", d.event, apiv1.EventAlertOpened)
	}
	_, blind := inst.NewKey(t, apiv1.ScopeKeysRead)
	history := func(args string) string {
		return fmt.Sprintf("data \"keymate_alert_incidents\" \"test\" {\n%s\n}", args)
	}
	addr := "data.keymate_alert_incidents.test"
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: factories,
				Config:                   history(fmt.Sprintf("rule_id = %q", rule.ID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("incidents"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("incidents").AtSliceIndex(0).AtMapKey("status"), knownvalue.StringExact("open")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("incidents").AtSliceIndex(0).AtMapKey("resolved_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("incidents").AtSliceIndex(0).AtMapKey("notifications"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"channel_id": knownvalue.StringExact(ch.ID), "event": knownvalue.StringExact(apiv1.EventAlertOpened),
							"status": knownvalue.StringExact(apiv1.NotificationDelivered), "attempts": knownvalue.Int64Exact(1),
							"last_error": knownvalue.StringExact(""),
						})})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("limit"), knownvalue.Int64Exact(defaultIncidentsLimit)),
				},
			},
			{
				ProtoV6ProviderFactories: factories,
				Config:                   history(`status = "resolved"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("incidents"), knownvalue.ListSizeExact(0)),
				},
			},
			{ProtoV6ProviderFactories: factories, Config: history(`status = "firing"`), ExpectError: regexp.MustCompile(`(?s)status.*value must be one of`)},
			{
				ProtoV6ProviderFactories: testFactories(inst, map[string]string{envEndpoint: inst.URL, envAPIKey: blind}),
				Config:                   history(""),
				ExpectError:              regexp.MustCompile(`(?s)alerts:read`),
			},
		},
	})
}
