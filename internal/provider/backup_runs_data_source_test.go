package provider

import (
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// scheduledBackupConfig runs at 03:00 in Berlin, which is 02:00 UTC in
// January, two hours after the test clock's start.
const scheduledBackupConfig = `
resource "keymate_backup_schedule" "test" {
  name     = "nightly"
  cron     = "0 3 * * *"
  timezone = "Europe/Berlin"
}

data "keymate_backup_runs" "nightly" {
  schedule_id = keymate_backup_schedule.test.id
}`

// A schedule applied from HCL runs when the server's clock reaches its cron
// time in its time zone, not before; the run's restore drill passes, and the
// data source shows it while the resource's plan stays empty.
func TestAccBackupRunsDataSource_scheduledRun(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	ds := "data.keymate_backup_runs.nightly"
	run := tfjsonpath.New("runs").AtSliceIndex(0)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: scheduledBackupConfig,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("runs"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("limit"), knownvalue.Int64Exact(defaultBackupRunsLimit)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("last_success_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("last_verified_restore_at"), knownvalue.Null()),
				},
			},
			{
				// 01:59 UTC is 02:59 in Berlin: not due yet.
				PreConfig: func() {
					inst.Clock.Advance(time.Hour + 59*time.Minute)
					inst.RunJobs(t)
				},
				Config: scheduledBackupConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("runs"), knownvalue.ListSizeExact(0)),
				},
			},
			{
				PreConfig: func() {
					inst.Clock.Advance(time.Minute) // 02:00 UTC, 03:00 in Berlin
					inst.RunJobs(t)
				},
				Config: scheduledBackupConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("runs"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(ds, run.AtMapKey("id"), knownvalue.StringRegexp(regexp.MustCompile(`^br_`))),
					statecheck.ExpectKnownValue(ds, run.AtMapKey("status"), knownvalue.StringExact(apiv1.BackupRunSucceeded)),
					statecheck.ExpectKnownValue(ds, run.AtMapKey("restore_verified"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(ds, run.AtMapKey("encrypted"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ds, run.AtMapKey("started_at"), knownvalue.StringExact("2026-01-01T02:00:00Z")),
					statecheck.ExpectKnownValue(ds, run.AtMapKey("sha256"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{64}$`))),
					statecheck.ExpectKnownValue(ds, run.AtMapKey("error"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("last_success_at"), knownvalue.StringExact("2026-01-01T02:00:00Z")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("last_verified_restore_at"), knownvalue.StringExact("2026-01-01T02:00:00Z")),
				},
			},
		},
	})
}

// An unknown schedule id is an error on schedule_id that says what to check.
func TestAccBackupRunsDataSource_unknownSchedule(t *testing.T) {
	t.Parallel()
	_, factories := testAccSetup(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      `data "keymate_backup_runs" "x" { schedule_id = "bs_doesnotexist" }`,
				ExpectError: regexp.MustCompile(`(?s)No Keymate backup schedule has id.*"bs_doesnotexist"`),
			},
			{
				Config: `
data "keymate_backup_runs" "x" {
  schedule_id = "bs_x"
  limit       = 101
}`,
				ExpectError: regexp.MustCompile(`(?s)limit.*between 1 and 100`),
			},
		},
	})
}

// The summary times come from every run, newest first, while runs holds only
// the newest limit runs.
func TestBackupRunsSetRuns(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 1, 1, h, 0, 0, 0, time.UTC) }
	runs := []apiv1.BackupRun{ // newest first
		{ID: "br_5", Status: apiv1.BackupRunFailed, FinishedAt: at(5), Error: "disk full"},
		{ID: "br_4", Status: apiv1.BackupRunSucceeded, FinishedAt: at(4)},
		{ID: "br_3", Status: apiv1.BackupRunSucceeded, FinishedAt: at(3), RestoreVerified: true},
		{ID: "br_2", Status: apiv1.BackupRunPruned, FinishedAt: at(2), RestoreVerified: true},
	}
	m := backupRunsDataSourceModel{Limit: types.Int64Value(2)}
	m.setRuns(runs)
	if len(m.Runs) != 2 || m.Runs[0].ID.ValueString() != "br_5" || m.Runs[1].ID.ValueString() != "br_4" {
		t.Errorf("runs must be the newest 2, got %+v", m.Runs)
	}
	if got := m.LastSuccessAt.ValueString(); got != "2026-01-01T04:00:00Z" {
		t.Errorf("last_success_at = %q, want the newest succeeded run's 04:00", got)
	}
	if got := m.LastVerifiedRestoreAt.ValueString(); got != "2026-01-01T03:00:00Z" {
		t.Errorf("last_verified_restore_at = %q, want the newest verified run's 03:00 (beyond limit)", got)
	}

	m = backupRunsDataSourceModel{Limit: types.Int64Value(10)}
	m.setRuns(runs[:1])
	if !m.LastSuccessAt.IsNull() || !m.LastVerifiedRestoreAt.IsNull() || len(m.Runs) != 1 {
		t.Errorf("a failed run alone gives no success and no verified restore: %+v", m)
	}
}
