package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

const rotationBoundaryConfig = `
resource "keymate_api_key" "test" {
  name          = "boundary"
  scopes        = ["keys:read"]
  rotation_days = 1
}

resource "keymate_alert_rule" "overdue" {
  name     = "keys overdue"
  severity = "warning"
  metric   = "keys.rotation_overdue"
  condition = {
    operator  = "gte"
    threshold = 1
    window    = "5m"
  }
}`

// One boundary for "overdue for rotation": a key is overdue from the very
// instant of its next_rotation_at on, and not a nanosecond before, for the
// compliance report (KM-KEY-001), for the alert metric keys.rotation_overdue
// and for the provider's plan alike. The manual clock is set to the instant
// before and then to the instant itself; every judge is asked at both.
func TestAccRotationOverdue_oneBoundaryForReportMetricAndPlan(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	due := apiv1.NextRotationAt(servertest.StartTime, 1)
	var keyID, ruleID string

	// judge asks the report and the metric whether the key is overdue at the
	// clock's current time, and fails the test unless both say want.
	judge := func(want bool) {
		t.Helper()
		c := testClient(t, inst)
		report, err := c.GetComplianceReport(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		reported := false
		for _, f := range report.Findings {
			if f.ControlID == controls.KeyRotationOverdue.ID && f.ObjectID == keyID {
				reported = true
			}
		}
		inst.RunJobs(t) // the alert evaluator reads the metric now
		incidents, err := c.ListAlertIncidents(t.Context(), client.ListAlertIncidentsOptions{RuleID: ruleID})
		if err != nil {
			t.Fatal(err)
		}
		firing := len(incidents) > 0 && incidents[0].Status == apiv1.IncidentStatusOpen
		if reported != want || firing != want {
			t.Fatalf("at %s (next_rotation_at %s): the report says overdue: %t, the metric fires: %t; want both %t",
				inst.Clock.Now().Format(time.RFC3339Nano), due.Format(time.RFC3339Nano), reported, firing, want)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: rotationBoundaryConfig,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(keyAddr, "next_rotation_at", due.Format(time.RFC3339)),
					captureAttr(keyAddr, "id", &keyID),
					captureAttr("keymate_alert_rule.overdue", "id", &ruleID),
				),
			},
			{
				PreConfig: func() {
					inst.Clock.Set(due.Add(-time.Nanosecond))
					judge(false)
				},
				Config: rotationBoundaryConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() {
					inst.Clock.Set(due)
					judge(true)
				},
				Config: rotationBoundaryConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("secret_fingerprint")),
					},
				},
			},
		},
	})
}
