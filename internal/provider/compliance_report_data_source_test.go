package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
)

// complianceConfig reads the report at minSeverity ("" for the default)
// and outputs whether it passed; with enforce, a postcondition fails the
// plan on a finding when the provider's policy is "enforce".
func complianceConfig(minSeverity string, enforce bool) string {
	arg, lifecycle := "", ""
	if minSeverity != "" {
		arg = "  min_severity = \"" + minSeverity + "\"\n"
	}
	if enforce {
		lifecycle = `
  lifecycle {
    postcondition {
      condition     = self.passed || self.policy != "enforce"
      error_message = join(", ", [for f in self.findings : "${f.control_id} ${f.object_name}"])
    }
  }
`
	}
	return "data \"keymate_compliance_report\" \"test\" {\n" + arg + lifecycle + "}\n" + `
output "passed" {
  value = data.keymate_compliance_report.test.passed
}
`
}

// findingIDs checks that a report's findings are exactly these controls
// about these objects, in this order.
func findingIDs(pairs ...[2]string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(pairs))
	for i, p := range pairs {
		checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"control_id": knownvalue.StringExact(p[0]), "object_name": knownvalue.StringExact(p[1]),
		})
	}
	return knownvalue.ListExact(checks)
}

// The report of a fresh server (only the bootstrap admin key) has its two
// findings; creating a backup schedule and running it fixes the critical one
// and the plan shows the report passing at "critical"; an admin grant
// without expiry made out of band shows in the next plan; moving the clock
// 31 days past the last verified restore adds KM-BACKUP-003; under policy
// "enforce" a postcondition on passed stops the plan. First of all, a bad
// min_severity fails at plan naming the attribute.
func TestAccComplianceReportDataSource(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	ctx := context.Background()
	c := testClient(t, inst)
	ds := "data.keymate_compliance_report.test"
	enforcing := testFactories(inst, map[string]string{envEndpoint: inst.URL, envAPIKey: inst.AdminKey, envPolicy: "enforce"})
	steps := []resource.TestStep{
		{
			Config:      complianceConfig("urgent", false),
			ExpectError: regexp.MustCompile(`(?s)min_severity.*value must be one of`),
		},
		{
			Config: complianceConfig("", false),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("min_severity"), knownvalue.StringExact("warning")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("passed"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("policy"), knownvalue.StringExact("warn")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("generated_at"), knownvalue.StringExact("2026-01-01T00:00:00Z")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"),
					findingIDs([2]string{"KM-BACKUP-001", ""}, [2]string{"KM-KEY-003", "bootstrap-admin"})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"control_id": knownvalue.StringExact("KM-BACKUP-001"), "severity": knownvalue.StringExact("critical"),
					"title": knownvalue.StringExact(controls.BackupNoSchedule.Title), "object_type": knownvalue.StringExact("account"),
					"object_id": knownvalue.StringExact(""), "object_name": knownvalue.StringExact(""),
					"message":     knownvalue.StringExact("No backup schedule is enabled (0 disabled)."),
					"remediation": knownvalue.StringExact(controls.BackupNoSchedule.Remediation),
				})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("counts"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"critical": knownvalue.Int64Exact(1), "warning": knownvalue.Int64Exact(1), "info": knownvalue.Int64Exact(0),
				})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("controls"), knownvalue.ListSizeExact(len(controls.All))),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("controls").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id": knownvalue.StringExact("KM-KEY-001"), "severity": knownvalue.StringExact("critical"),
					"title": knownvalue.StringExact(controls.KeyRotationOverdue.Title), "guide": knownvalue.StringExact("API Key Management"),
					"remediation": knownvalue.StringExact(controls.KeyRotationOverdue.Remediation), "findings": knownvalue.Int64Exact(0),
				})),
			},
		},
		{
			PreConfig: func() {
				s, err := c.CreateBackupSchedule(ctx, apiv1.CreateBackupScheduleRequest{Name: "nightly", Cron: "0 3 * * *"})
				if err != nil {
					t.Fatal(err)
				}
				if run, err := c.RunBackupNow(ctx, s.ID); err != nil || !run.RestoreVerified {
					t.Fatalf("backup run %+v: %v", run, err)
				}
			},
			Config: complianceConfig("critical", false),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownOutputValue("passed", knownvalue.Bool(true)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("counts").AtMapKey("warning"), knownvalue.Int64Exact(1)),
			},
		},
		{
			PreConfig: func() {
				if _, err := c.CreateAccessGrant(ctx, apiv1.CreateAccessGrantRequest{
					Principal: apiv1.Principal{Type: apiv1.PrincipalUser, ID: "mallory"}, Role: apiv1.RoleAdmin,
					Resource: "*", Justification: "out of band",
				}); err != nil {
					t.Fatal(err)
				}
			},
			Config: complianceConfig("critical", false),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownOutputValue("passed", knownvalue.Bool(false)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"), findingIDs([2]string{"KM-ACCESS-001", "user:mallory"})),
			},
		},
		{
			PreConfig: func() { inst.Clock.Advance(31 * 24 * time.Hour) },
			Config:    complianceConfig("warning", false),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"), findingIDs(
					[2]string{"KM-ACCESS-001", "user:mallory"}, [2]string{"KM-BACKUP-003", ""}, [2]string{"KM-KEY-003", "bootstrap-admin"})),
			},
		},
		{
			// Under warn the postcondition holds although a critical finding is open.
			Config: complianceConfig("critical", true),
		},
		{
			ProtoV6ProviderFactories: enforcing,
			Config:                   complianceConfig("critical", true),
			ExpectError:              regexp.MustCompile(`(?s)postcondition.*KM-ACCESS-001 user:mallory`),
		},
	}
	for i := range steps {
		if steps[i].ProtoV6ProviderFactories == nil {
			steps[i].ProtoV6ProviderFactories = factories
		}
	}
	resource.Test(t, resource.TestCase{Steps: steps})
}

// The documentation example applies unchanged. On a fresh account its check
// block fails, which only warns; its postcondition holds under the default
// policy and the counts output shows the critical finding. Once the account
// passes at "warning" (a verified backup, an expiry on the bootstrap admin
// key) the check's report passes. (Terraform plans a check block's data
// source to be read again at every apply, so the plan is never empty.)
// Under "enforce", a critical finding made out of band fails the plan,
// naming the finding and its remediation.
func TestAccExamples_complianceReport(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	ctx := context.Background()
	c := testClient(t, inst)
	config := readExample(t, "data-sources/keymate_compliance_report/data-source.tf")
	checks := func(critical int64, passed bool) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValueAtPath("compliance_counts", tfjsonpath.New("critical"), knownvalue.Int64Exact(critical)),
			statecheck.ExpectKnownValue("data.keymate_compliance_report.guide", tfjsonpath.New("passed"), knownvalue.Bool(passed)),
		}
	}
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: factories,
				Config:                   config,
				// The one published example whose plan is never empty: Terraform
				// reads a data source nested in a check block again at every
				// apply (the docs page says so and points CI at postconditions).
				ExpectNonEmptyPlan: true,
				ConfigStateChecks:  checks(1, false),
			},
			{
				PreConfig: func() {
					s, err := c.CreateBackupSchedule(ctx, apiv1.CreateBackupScheduleRequest{Name: "nightly", Cron: "0 3 * * *"})
					if err != nil {
						t.Fatal(err)
					}
					if _, err := c.RunBackupNow(ctx, s.ID); err != nil {
						t.Fatal(err)
					}
					keys, err := c.ListAPIKeys(ctx, client.ListAPIKeysOptions{Name: "bootstrap-admin"})
					if err != nil || len(keys) != 1 {
						t.Fatalf("bootstrap admin key: %v, %v", keys, err)
					}
					if _, err := c.UpdateAPIKey(ctx, keys[0].ID, apiv1.UpdateAPIKeyRequest{
						ExpiresAt: apiv1.Value("2026-06-01T00:00:00Z"),
					}); err != nil {
						t.Fatal(err)
					}
				},
				ProtoV6ProviderFactories: factories,
				Config:                   config,
				ExpectNonEmptyPlan:       true,
				ConfigStateChecks:        checks(0, true),
			},
			{
				PreConfig: func() {
					if _, err := c.CreateAccessGrant(ctx, apiv1.CreateAccessGrantRequest{
						Principal: apiv1.Principal{Type: apiv1.PrincipalUser, ID: "mallory"}, Role: apiv1.RoleAdmin,
						Resource: "*", Justification: "out of band",
					}); err != nil {
						t.Fatal(err)
					}
				},
				ProtoV6ProviderFactories: testFactories(inst, map[string]string{envEndpoint: inst.URL, envAPIKey: inst.AdminKey, envPolicy: "enforce"}),
				Config:                   config,
				ExpectError:              regexp.MustCompile(`(?s)Critical compliance findings:\s+KM-ACCESS-001 access_grant\s+user:mallory: Access\s+grant\s+ag_\w+\s+gives\s+user:mallory\s+the\s+admin\s+role.*Remediation:\s+Set\s+expires_at\s+on\s+admin\s+grants`),
			},
		},
	})
}

// complianceDocsTemplate is the docs page that holds the auditors' table of
// controls, between complianceTableStart and complianceTableEnd.
const (
	complianceDocsTemplate = "../../templates/data-sources/compliance_report.md.tmpl"
	complianceTableStart   = "<!-- controls table: generated from internal/controls; a test fails when it differs -->\n"
	complianceTableEnd     = "<!-- end of controls table -->"
)

// complianceControlsTable renders internal/controls as the docs table.
func complianceControlsTable() string {
	var b strings.Builder
	b.WriteString("| Control | Severity | Guide section | What it checks | Remediation |\n|---|---|---|---|---|\n")
	for _, c := range controls.All {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", c.ID, c.Severity, c.Guide, c.Title, strings.ReplaceAll(c.Remediation, "|", `\|`))
	}
	return b.String()
}

// The table of controls that auditors read on the docs page is exactly the
// catalogue in internal/controls, so the two cannot drift apart.
func TestComplianceDocsTableMatchesTheControlCatalogue(t *testing.T) {
	b, err := os.ReadFile(complianceDocsTemplate)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	start := strings.Index(page, complianceTableStart)
	end := strings.Index(page, complianceTableEnd)
	if start < 0 || end < start {
		t.Fatalf("%s lost its table markers %q and %q", complianceDocsTemplate, complianceTableStart, complianceTableEnd)
	}
	if got, want := page[start+len(complianceTableStart):end], complianceControlsTable(); got != want {
		t.Errorf("the controls table in %s differs from internal/controls. Replace it with the following, "+
			"then run make docs:\n\n%s", complianceDocsTemplate, want)
	}
}
