package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// withBackupKey gives a test server the backup key that schedules with
// encrypt = true need, as the examples' schedules have.
var withBackupKey = servertest.WithBackupEncryptionKey(bytes.Repeat([]byte{7}, 32))

// examplesDir is the examples directory, relative to this package.
var examplesDir = filepath.Join(repoRoot, "examples")

// isImportExample reports whether an example file is an import block
// example (import-by-string-id.tf, import-by-identity.tf). Their ids are
// placeholders, so a directory is applied without them; the import tests
// apply each with a real id (exampleWithID).
func isImportExample(path string) bool { return strings.HasPrefix(filepath.Base(path), "import-") }

// exampleVariables are the values of the examples' variables, by directory:
// secrets, which no example writes down or defaults.
var exampleVariables = map[string]tfconfig.Variables{
	"quickstart":                             {"security_webhook_signing_secret": tfconfig.StringVariable("whsec_test_0123456789abcdef")},
	"resources/keymate_notification_channel": {"oncall_signing_secret": tfconfig.StringVariable("test-signing-secret-0123456789")},
	"guides/alerting-on-critical-errors":     {"pagerduty_routing_key": tfconfig.StringVariable("0123456789abcdef0123456789abcdef")},
	"guides/rotating-api-keys":               {"reporting_secret": tfconfig.StringVariable("test-reporting-secret-0123456789abcdef")},
	terraformTestGuide: {
		"service":      tfconfig.StringVariable("payments"),
		"oncall_email": tfconfig.StringVariable("payments-oncall@example.com"),
	},
}

// timestampPattern matches an RFC 3339 time in UTC as the API writes it:
// whole seconds on the manual clock, fractions on the real one.
const timestampPattern = `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`

// exampleChecks are what an example directory's apply must show, beyond the
// empty plan after it, whatever the clock says.
var exampleChecks = map[string]struct {
	state []statecheck.StateCheck
	check resource.TestCheckFunc
	// nonEmptyPlan: the plan after apply is not empty, as the example's
	// docs page says (a check block's data source is read at every apply).
	nonEmptyPlan bool
}{
	"resources/keymate_api_key": {state: []statecheck.StateCheck{
		statecheck.ExpectKnownValue("keymate_api_key.example", tfjsonpath.New("name"), knownvalue.StringExact("ci-deployer")),
		statecheck.ExpectKnownValue("keymate_api_key.example", tfjsonpath.New("rotation_days"), knownvalue.Int64Exact(30)),
	}},
	"data-sources/keymate_api_key": {state: []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("deployer_rotation_overdue", knownvalue.Bool(false)),
		statecheck.ExpectKnownOutputValue("deployer_scope_last_used_at", knownvalue.MapSizeExact(0)),
	}},
	"data-sources/keymate_api_key_usage": {state: []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("payments_requests_last_day", knownvalue.Int64Exact(0)),
		statecheck.ExpectKnownOutputValue("payments_refused_routes", knownvalue.ListSizeExact(0)),
	}},
	"data-sources/keymate_alert_incidents": {state: []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("auth_failure_incidents_open", knownvalue.Int64Exact(0)),
		statecheck.ExpectKnownOutputValue("notifications_failed", knownvalue.ListSizeExact(0)),
	}},
	"data-sources/keymate_audit_events": {state: []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("deployer_changes", knownvalue.ListExact([]knownvalue.Check{
			knownvalue.StringRegexp(regexp.MustCompile(`^` + timestampPattern + ` api_key\.create by key_\w+: .*rotation_days.*secret`)),
		})),
		statecheck.ExpectKnownOutputValue("rotations_last_30_days", knownvalue.Int64Exact(0)),
	}},
	"resources/keymate_access_grant": {
		state: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("keymate_access_grant.sre_alerts", tfjsonpath.New("role"), knownvalue.StringExact("operator")),
		},
		check: expiresAfter("keymate_access_grant.break_glass", "terraform_data.break_glass_start", 30*24*time.Hour),
	},
	"data-sources/keymate_access_grants": {
		state: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("admin_principals", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("user:bob")})),
			statecheck.ExpectKnownOutputValue("grants_to_review", knownvalue.Int64Exact(0)),
		},
		check: expiresAfter("keymate_access_grant.incident_admin", "terraform_data.incident_access_start", 72*time.Hour),
	},
	"guides/least-privilege-access": {check: resource.ComposeTestCheckFunc(
		expiresAfter("keymate_access_grant.auditors", "terraform_data.auditors_start", 90*24*time.Hour),
		expiresAfter("keymate_access_grant.migration_admin", "terraform_data.migration_admin_start", 14*24*time.Hour),
	)},
	"resources/keymate_notification_channel": {state: []statecheck.StateCheck{
		stateExcludes{secret: "test-signing-secret-0123456789"},
	}},
	"data-sources/keymate_notification_channel": {state: []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("oncall_last_test_status", knownvalue.StringExact("never")),
	}},
	"data-sources/keymate_alert_rules": {state: []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("critical_rules", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("auth-failure-burst")})),
		statecheck.ExpectKnownOutputValue("critical_rules_firing", knownvalue.ListSizeExact(0)),
	}},
	"resources/keymate_backup_schedule": {state: []statecheck.StateCheck{
		statecheck.ExpectKnownValue("keymate_backup_schedule.nightly", tfjsonpath.New("timezone"), knownvalue.StringExact("Europe/Berlin")),
		statecheck.ExpectKnownValue("keymate_backup_schedule.nightly", tfjsonpath.New("retention_days"), knownvalue.Int64Exact(35)),
		statecheck.ExpectKnownValue("keymate_backup_schedule.nightly", tfjsonpath.New("encrypt"), knownvalue.Bool(true)),
	}},
	"data-sources/keymate_backup_runs": {state: []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("hourly_failed_runs", knownvalue.ListSizeExact(0)),
		statecheck.ExpectKnownOutputValue("hourly_last_verified_restore_at", knownvalue.StringExact("never")),
	}},
	"data-sources/keymate_compliance_report": {nonEmptyPlan: true},
}

// expiresAfter checks that the grant at addr expires d after the time that
// the terraform_data at start recorded: the example's timeadd.
func expiresAfter(addr, start string, d time.Duration) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attr := func(addr, name string) (time.Time, error) {
			rs, ok := s.RootModule().Resources[addr]
			if !ok {
				return time.Time{}, fmt.Errorf("%s is not in state", addr)
			}
			return time.Parse(time.RFC3339, rs.Primary.Attributes[name])
		}
		expires, err := attr(addr, "expires_at")
		if err != nil {
			return err
		}
		begin, err := attr(start, "output")
		if err != nil {
			return err
		}
		if got := expires.Sub(begin); got != d {
			return fmt.Errorf("%s expires %s after %s, want %s", addr, got, begin, d)
		}
		return nil
	}
}

// ownTestExampleDirs are the example directories applied by tests of their
// own rather than as a root configuration on their own: through the real
// provider binary, or, for a module, called by a root configuration.
var ownTestExampleDirs = []string{
	"ephemeral-resources/keymate_api_key", // TestAccExamples_ephemeralAPIKey: a provider alias needs its own plugin process
	// TestAccActions_examples: actions run by -invoke, which only the CLI does.
	"actions/keymate_api_key_rotate", "actions/keymate_notification_channel_test", "actions/keymate_backup_run", "actions/keymate_access_review",
	// TestAccSecretFingerprintFunction_example: its check warns, which only the CLI's output shows.
	"functions/secret_fingerprint",
	baselineModuleDir, // TestAccBaselineModule: a module, called with inputs and a loopback receiver
}

// exampleMinimumVersion is the Terraform an example directory needs beyond
// the provider's 1.11, by its top directory: list resources and actions
// arrived in 1.14. Tests of such a directory skip under an older CLI.
var exampleMinimumVersion = map[string]*version.Version{
	"list-resources": tfversion.Version1_14_0,
	"actions":        tfversion.Version1_14_0,
	"modules":        tfversion.Version1_14_0, // the baseline module triggers an action
}

// exampleVersionChecks are the version checks of an example directory.
func exampleVersionChecks(dir string) []tfversion.TerraformVersionCheck {
	if v, ok := exampleMinimumVersion[strings.Split(dir, "/")[0]]; ok {
		return []tfversion.TerraformVersionCheck{tfversion.SkipBelow(v)}
	}
	return nil
}

// exampleDirs returns every directory under examples/ that holds Terraform
// files, relative to examples/.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(examplesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".tf" {
			return err
		}
		rel, err := filepath.Rel(examplesDir, filepath.Dir(path))
		if err == nil && !slices.Contains(dirs, filepath.ToSlash(rel)) {
			dirs = append(dirs, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 20 {
		t.Fatalf("found only %d example directories under %s; is the walk broken?", len(dirs), examplesDir)
	}
	return dirs
}

// exampleConfig returns the Terraform files of an example directory, joined,
// without its import block example.
func exampleConfig(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(examplesDir, dir, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Terraform files in examples/%s (%v)", dir, err)
	}
	var config strings.Builder
	for _, f := range files {
		if isImportExample(f) {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		config.Write(b)
		config.WriteString("\n")
	}
	return config.String()
}

// Every Terraform file under examples/ is applied by an acceptance test:
// its directory is applied as a whole (TestAccExamples_standalone), or a
// test of this package reads it by its path (the import block examples, the
// queries and the directories that need the real provider binary). A new example
// without a test fails here, so no published example can rot.
func TestExamplesAreAllTested(t *testing.T) {
	var tests bytes.Buffer
	sources, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sources {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tests.Write(b)
	}
	var count int
	err = filepath.WalkDir(examplesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(examplesDir, path)
		if err != nil {
			return err
		}
		switch filepath.Ext(rel) {
		case ".tf", ".hcl": // .tfquery.hcl: queries, which no apply reads
			count++
			dir := filepath.ToSlash(filepath.Dir(rel))
			if filepath.Ext(rel) == ".tf" && !isImportExample(rel) && !slices.Contains(ownTestExampleDirs, dir) {
				return nil // applied with its directory
			}
			if !bytes.Contains(tests.Bytes(), []byte(`"`+filepath.ToSlash(rel)+`"`)) {
				t.Errorf("examples/%s is applied by no test: read it in an acceptance test (readExample)", rel)
			}
		case ".sh":
			if filepath.Base(rel) != "import.sh" {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			typeName := filepath.Base(filepath.Dir(rel))
			if !strings.Contains(string(b), "terraform import "+typeName+".") {
				t.Errorf("examples/%s must show `terraform import %s.<name> <id>`", rel, typeName)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count < 30 {
		t.Fatalf("found only %d example files under %s; is the walk broken?", count, examplesDir)
	}
}

// Every example directory applies as it stands, on its own, against a fresh
// server (with the backup key that encrypted backups need), followed by an
// empty plan (the test framework's post-apply check), the checks of
// exampleChecks, and a destroy that leaves the account with nothing but its
// admin key. Each runs twice: with the manual clock at the suite's start
// time, and with the real clock on both sides, so that an example whose
// dates have passed, or that only works at the suite's date, fails here.
func TestAccExamples_standalone(t *testing.T) {
	t.Parallel()
	for _, clk := range []string{"manual", "real"} {
		for _, dir := range exampleDirs(t) {
			if slices.Contains(ownTestExampleDirs, dir) {
				continue
			}
			t.Run(clk+"/"+dir, func(t *testing.T) {
				t.Parallel()
				opts := []servertest.Option{withBackupKey}
				if clk == "real" {
					opts = append(opts, servertest.WithClock(clock.Real{}))
				}
				inst, factories := testAccSetup(t, opts...)
				want := exampleChecks[dir]
				resource.Test(t, resource.TestCase{
					TerraformVersionChecks:   exampleVersionChecks(dir),
					ProtoV6ProviderFactories: factories,
					Steps: []resource.TestStep{{
						Config:             exampleConfig(t, dir),
						ConfigVariables:    exampleVariables[dir],
						ConfigStateChecks:  want.state,
						Check:              want.check,
						ExpectNonEmptyPlan: want.nonEmptyPlan,
					}},
					CheckDestroy: checkAccountEmpty(t, inst),
				})
			})
		}
	}
}

// Every example directory stands alone as a user copies it: it requires
// keymate/keymate, and with the provider installed by `make install` and no
// CLI configuration, `terraform init` and `terraform validate` pass in a
// copy of the directory. The import block examples are alternatives with
// placeholder ids (two import blocks for one resource are an error), so each
// is validated beside the directory's other files, one at a time; those by
// identity need Terraform 1.12.
func TestAccExamples_initValidate(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	home := installedProvider(t)
	out, status := userTerraform(t, home, t.TempDir(), nil, "version", "-json")
	var cli struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal([]byte(out), &cli); status != 0 || err != nil {
		t.Fatalf("%s version -json exited %d (%v):\n%s", terraformCLI(), status, err, out)
	}
	identityImports := version.Must(version.NewVersion(cli.Version)).GreaterThanOrEqual(tfversion.Version1_12_0)
	requires := regexp.MustCompile(`(?s)required_providers\s*\{\s*keymate\s*=\s*\{\s*source\s*=\s*"keymate/keymate"`)
	for _, dir := range exampleDirs(t) {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			if v, ok := exampleMinimumVersion[strings.Split(dir, "/")[0]]; ok && version.Must(version.NewVersion(cli.Version)).LessThan(v) {
				t.Skipf("examples/%s needs Terraform %s, this is %s", dir, v, cli.Version)
			}
			work := t.TempDir()
			files, err := filepath.Glob(filepath.Join(examplesDir, dir, "*.tf"))
			if err != nil {
				t.Fatal(err)
			}
			var config strings.Builder
			var imports []string
			for _, f := range files {
				if isImportExample(f) {
					imports = append(imports, f)
					continue
				}
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				config.Write(b)
				if err := os.WriteFile(filepath.Join(work, filepath.Base(f)), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			// Checked before init: without it Terraform would look
			// hashicorp/keymate up in the public registry.
			if !requires.MatchString(config.String()) {
				t.Fatalf("examples/%s has no required_providers block with keymate = { source = \"keymate/keymate\" }", dir)
			}
			if out, status := userTerraform(t, home, work, nil, "init", "-input=false", "-no-color"); status != 0 {
				t.Fatalf("terraform init in a copy of examples/%s exited %d:\n%s", dir, status, out)
			}
			validate := func(what string) {
				t.Helper()
				out, status := userTerraform(t, home, work, nil, "validate", "-no-color")
				if status != 0 || !strings.Contains(out, "The configuration is valid") {
					t.Errorf("terraform validate of %s exited %d:\n%s", what, status, out)
				}
			}
			validate("a copy of examples/" + dir)
			for _, f := range imports {
				if strings.Contains(f, "identity") && !identityImports {
					t.Logf("not validating %s: import by identity needs Terraform 1.12, this is %s", f, cli.Version)
					continue
				}
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				name := filepath.Join(work, filepath.Base(f))
				if err := os.WriteFile(name, b, 0o600); err != nil {
					t.Fatal(err)
				}
				validate("examples/" + dir + " with " + filepath.Base(f))
				if err := os.Remove(name); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// checkAccountEmpty fails unless the server holds no object but its
// bootstrap admin key (accountEmpty).
func checkAccountEmpty(t *testing.T, inst *servertest.Instance) resource.TestCheckFunc {
	return func(*terraform.State) error { return accountEmpty(context.Background(), testClient(t, inst)) }
}

// accountEmpty returns an error unless the account c reads holds no object
// but one active key (the admin key c uses): every other key revoked, every
// grant revoked, and no channel, alert rule or backup schedule.
func accountEmpty(ctx context.Context, c *client.Client) error {
	keys, err := c.ListAPIKeys(ctx, client.ListAPIKeysOptions{Status: apiv1.KeyStatusActive})
	if err != nil {
		return err
	}
	grants, err := c.ListAccessGrants(ctx, client.ListAccessGrantsOptions{Status: apiv1.GrantStatusActive})
	if err != nil {
		return err
	}
	channels, err := c.ListNotificationChannels(ctx, client.ListNotificationChannelsOptions{})
	if err != nil {
		return err
	}
	rules, err := c.ListAlertRules(ctx, client.ListAlertRulesOptions{})
	if err != nil {
		return err
	}
	schedules, err := c.ListBackupSchedules(ctx, client.ListBackupSchedulesOptions{})
	if err != nil {
		return err
	}
	if len(keys) != 1 || len(grants)+len(channels)+len(rules)+len(schedules) != 0 {
		return fmt.Errorf("after destroy: %d active keys (want only the admin key), %d active grants, %d channels, %d rules, %d schedules (want none)",
			len(keys), len(grants), len(channels), len(rules), len(schedules))
	}
	return nil
}
