package provider

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
)

// The CI example's script, run against an in-process server with the real
// provider binary, exits 0 when the live objects match examples/ci/main.tf
// (right after an apply), 2 after an out-of-band change (naming the
// resource), 0 again once applied, lists an out-of-band critical finding
// without failing under the default policy, and fails (1) on it under
// KEYMATE_POLICY=enforce.
func TestAccExamples_ciDriftCheck(t *testing.T) {
	t.Parallel()
	inst, _ := testAccSetup(t)
	ctx := context.Background()
	c := testClient(t, inst)
	cliConfig, work := testProviderBinary(t), t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(readExample(t, "ci/main.tf")), 0o600); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "examples", "ci", "drift-check.sh"))
	if err != nil {
		t.Fatal(err)
	}
	// run executes a command in work with the server's credentials and the
	// test CLI configuration, and returns its output and exit status.
	run := func(policy, name string, args ...string) (string, int) {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "GITHUB_STEP_SUMMARY=", "TERRAFORM="+terraformCLI(),
			envEndpoint+"="+inst.URL, envAPIKey+"="+inst.AdminKey, envPolicy+"="+policy)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return string(out), exit.ExitCode()
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return string(out), 0
	}
	expect := func(policy string, wantStatus int, want ...string) {
		t.Helper()
		out, status := run(policy, script)
		if status != wantStatus {
			t.Fatalf("drift-check.sh (policy %s) exited %d, want %d:\n%s", policy, status, wantStatus, out)
		}
		for _, w := range want {
			if !regexp.MustCompile(w).MatchString(out) {
				t.Errorf("drift-check.sh (policy %s) output does not match %q:\n%s", policy, w, out)
			}
		}
	}
	apply := func() {
		t.Helper()
		if out, status := run("warn", terraformCLI(), "apply", "-auto-approve", "-input=false", "-no-color"); status != 0 {
			t.Fatalf("terraform apply exited %d:\n%s", status, out)
		}
	}

	apply()
	expect("warn", 0, `CLEAN`,
		`Compliance \(data\.keymate_compliance_report\.ci, at or above warning\): FINDINGS; 0 critical, 2 warning, 0 info in all \(policy warn\)`,
		`KM-BACKUP-003 \[warning\] account: No backup run has verified a restore yet`,
		`KM-KEY-003 \[warning\] api_key bootstrap-admin`)
	expect("enforce", 0, `CLEAN`)

	schedules, err := c.ListBackupSchedules(ctx, client.ListBackupSchedulesOptions{})
	if err != nil || len(schedules) != 1 {
		t.Fatalf("backup schedules %+v: %v", schedules, err)
	}
	if _, err := c.UpdateBackupSchedule(ctx, schedules[0].ID, apiv1.UpdateBackupScheduleRequest{RetentionDays: ptr(int64(10))}); err != nil {
		t.Fatal(err)
	}
	expect("warn", 2, `DRIFT: 0 to add, 1 to change, 0 to destroy\.`, `(?m)^  change +keymate_backup_schedule\.nightly$`)
	apply()
	expect("warn", 0, `CLEAN`)

	if _, err := c.CreateAccessGrant(ctx, apiv1.CreateAccessGrantRequest{
		Principal: apiv1.Principal{Type: apiv1.PrincipalUser, ID: "mallory"}, Role: apiv1.RoleAdmin,
		Resource: "*", Justification: "out of band",
	}); err != nil {
		t.Fatal(err)
	}
	expect("warn", 0, `CLEAN`, `FINDINGS; 1 critical`, `KM-ACCESS-001 \[critical\] access_grant user:mallory`)
	expect("enforce", 1, `ERROR: terraform plan failed`, `Critical Keymate compliance findings \(policy enforce\)`,
		`KM-ACCESS-001 access_grant user:mallory`)
}

func ptr[T any](v T) *T { return &v }
