package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

const scheduleAddr = "keymate_backup_schedule.test"

// Create with the defaults, update every argument in place, import and
// destroy, with the values checked in state and in the API.
func TestAccBackupScheduleResource_lifecycle(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: `
resource "keymate_backup_schedule" "test" {
  name = "nightly"
  cron = "0 3 * * *"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(scheduleAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^bs_`))),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("timezone"), knownvalue.StringExact("UTC")),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("retention_days"), knownvalue.Int64Exact(30)),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("include"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("all")})),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("destination"), knownvalue.StringExact(".")),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("encrypt"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("verify_restore"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("created_at"), knownvalue.StringExact("2026-01-01T00:00:00Z")),
				},
				Check: captureAttr(scheduleAddr, "id", &id),
			},
			{
				Config: `
resource "keymate_backup_schedule" "test" {
  name           = "weekly"
  cron           = "30 2 * * 0"
  timezone       = "Europe/Berlin"
  retention_days = 90
  include        = ["api_keys", "access_grants"]
  destination    = "weekly"
  verify_restore = false
  enabled        = false
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(scheduleAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("include"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("access_grants"), knownvalue.StringExact("api_keys")})),
				},
				Check: func(*terraform.State) error {
					s, err := c.GetBackupSchedule(context.Background(), id)
					if err != nil {
						return err
					}
					if s.Name != "weekly" || s.Cron != "30 2 * * 0" || s.Timezone != "Europe/Berlin" || s.RetentionDays != 90 ||
						len(s.Include) != 2 || s.Destination != "weekly" || s.VerifyRestore || s.Enabled {
						return fmt.Errorf("API does not hold the configured schedule: %+v", s)
					}
					return nil
				},
			},
			{
				ResourceName:      scheduleAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

const scheduleDriftConfig = `
resource "keymate_backup_schedule" "test" {
  name           = "drifting"
  cron           = "0 1 * * *"
  retention_days = 14
}`

// Changes made outside Terraform show in the plan: a schedule patched
// through the API plans an update back to the configuration, and a schedule
// deleted through the API plans a new one.
func TestAccBackupScheduleResource_outOfBand(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	var id string
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config:            scheduleDriftConfig,
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(scheduleAddr, tfjsonpath.New("id"))},
				Check:             captureAttr(scheduleAddr, "id", &id),
			},
			{
				PreConfig: func() {
					cron, enabled := "0 12 * * *", false
					if _, err := c.UpdateBackupSchedule(context.Background(), id, apiv1.UpdateBackupScheduleRequest{
						Cron: &cron, Enabled: &enabled,
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config: scheduleDriftConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(scheduleAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("cron"), knownvalue.StringExact("0 1 * * *")),
						plancheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(scheduleAddr, tfjsonpath.New("id"))},
				Check: func(*terraform.State) error {
					s, err := c.GetBackupSchedule(context.Background(), id)
					if err != nil {
						return err
					}
					if s.Cron != "0 1 * * *" || !s.Enabled {
						return fmt.Errorf("apply did not restore the schedule: cron %q enabled %v", s.Cron, s.Enabled)
					}
					return nil
				},
			},
			recreateStep(t, scheduleAddr, scheduleDriftConfig, &id, c.DeleteBackupSchedule),
		},
	})
}

// Bad arguments fail at plan, before any API call, with the attribute named.
func TestAccBackupScheduleResource_validation(t *testing.T) {
	t.Parallel()
	_, factories := testAccSetup(t)
	cfg := func(cron, extra string) string {
		return fmt.Sprintf(`
resource "keymate_backup_schedule" "test" {
  name = "invalid"
  cron = %q
  %s
}`, cron, extra)
	}
	var steps []resource.TestStep
	for _, tc := range []struct{ config, want string }{
		{cfg("61 * * * *", ""), `(?s)Invalid cron expression.*cron: invalid cron expression "61 \* \* \* \*"`},
		{cfg("0 3 * *", ""), `(?s)cron: must have 5 fields`},
		{cfg("0 3 * * *", `timezone = "Mars/Olympus"`), `(?s)Invalid time zone.*timezone: unknown time zone "Mars/Olympus"`},
		{cfg("0 3 * * *", `retention_days = 0`), `(?s)retention_days.*between 1 and 3650`},
		{cfg("0 3 * * *", `include = ["all", "api_keys"]`), `(?s)include: "all" stands for every kind and cannot be combined`},
		{cfg("0 3 * * *", `include = ["widgets"]`), `(?s)include.*value must be one of`},
		{cfg("0 3 * * *", `include = []`), `(?s)include.*at least 1`},
		{cfg("0 3 * * *", `destination = ""`), `(?s)destination.*must\s+not\s+be\s+empty`},
		{cfg("0 3 * * *", `destination = "/var/backups"`), `(?s)Invalid backup destination.*destination.*not\s+an\s+absolute\s+path`},
		{cfg("0 3 * * *", `destination = "nightly/../../etc"`), `(?s)destination.*no\s+"\.\."\s+step`},
		{strings.Replace(cfg("0 3 * * *", ""), `"invalid"`, `" "`, 1), `(?s)name.*must\s+not\s+be\s+empty`},
	} {
		steps = append(steps, resource.TestStep{Config: tc.config, PlanOnly: true, ExpectError: regexp.MustCompile(tc.want)})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: steps})
}

const shortRetentionSchedule = `
resource "keymate_backup_schedule" "test" {
  name           = "short"
  cron           = "0 3 * * *"
  retention_days = 3
}`

// Retention under 7 days breaks the guide: under policy "enforce" the plan
// fails naming control KM-BACKUP-004 on retention_days; under "warn" the
// same schedule applies.
func TestAccBackupScheduleResource_policy(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config:      `provider "keymate" { policy = "enforce" }` + shortRetentionSchedule,
				ExpectError: regexp.MustCompile(`(?s)KM-BACKUP-004: Backup retention under 7 days.*retention_days is 3`),
			},
			{
				Config: `provider "keymate" { policy = "warn" }` + shortRetentionSchedule,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(scheduleAddr, tfjsonpath.New("retention_days"), knownvalue.Int64Exact(3)),
				},
			},
		},
	})
}

func scheduleModel() backupScheduleResourceModel {
	return backupScheduleResourceModel{
		Name:          types.StringValue("nightly"),
		Cron:          types.StringValue("0 3 * * *"),
		Timezone:      types.StringValue("UTC"),
		RetentionDays: types.Int64Value(30),
		Include: types.SetValueMust(types.StringType, []attr.Value{
			types.StringValue("api_keys"), types.StringValue("access_grants")}),
		Destination:   types.StringValue("backups"),
		Encrypt:       types.BoolValue(false),
		VerifyRestore: types.BoolValue(true),
		Enabled:       types.BoolValue(true),
	}
}

// The merge patch holds exactly the fields that changed; a set in another
// order is no change.
func TestBackupScheduleUpdateRequest(t *testing.T) {
	ctx := context.Background()
	state := scheduleModel()

	plan := scheduleModel()
	plan.Include = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("access_grants"), types.StringValue("api_keys")})
	if patch, changed, diags := backupScheduleUpdateRequest(ctx, plan, state); changed || diags.HasError() {
		t.Errorf("equal values must not produce a patch: %+v %v", patch, diags)
	}

	plan = scheduleModel()
	plan.Cron = types.StringValue("0 4 * * *")
	plan.Enabled = types.BoolValue(false)
	plan.Include = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("all")})
	patch, changed, _ := backupScheduleUpdateRequest(ctx, plan, state)
	if !changed || patch.Cron == nil || *patch.Cron != "0 4 * * *" || patch.Enabled == nil || *patch.Enabled ||
		patch.Include == nil || len(*patch.Include) != 1 || (*patch.Include)[0] != "all" {
		t.Errorf("changed fields missing from the patch: %+v", patch)
	}
	if patch.Name != nil || patch.Timezone != nil || patch.RetentionDays != nil || patch.Destination != nil ||
		patch.Encrypt != nil || patch.VerifyRestore != nil {
		t.Errorf("unchanged fields must be absent from the merge patch: %+v", patch)
	}
}
