package provider

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
)

// providerBinary is the provider built once per test run for the tests that
// drive the real Terraform CLI against the real plugin binary.
var providerBinary struct {
	once sync.Once
	dir  string // holds terraform-provider-keymate; removed by TestMain
	err  error
}

// TestMain names the provider under test keymate/keymate, as published
// configurations do, turns off the version check every Terraform command
// the tests run would otherwise send to checkpoint-api.hashicorp.com (tests
// talk to loopback only), and removes the provider binary built by
// testProviderBinary and the HOME filled by installedProvider.
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "keymate")
	}
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	code := m.Run()
	pgtest.Cleanup() // the cluster of servertest's replicas (make testacc-postgres)
	for _, dir := range []string{providerBinary.dir, installed.home} {
		if dir != "" {
			_ = os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

// testProviderBinary builds the provider (once for all tests) and returns
// the path of a Terraform CLI configuration, in the test's temporary
// directory, whose dev_overrides make keymate/keymate (and hashicorp/keymate) that binary. Point
// TF_CLI_CONFIG_FILE at it in the environment of the exec'd terraform only,
// never in the test process, so the user's own configuration is untouched.
func testProviderBinary(t testing.TB) string {
	t.Helper()
	providerBinary.once.Do(func() {
		// One build serves every test of the run, so it outlives any one
		// test's TempDir; TestMain removes it.
		dir, err := os.MkdirTemp("", "keymate-provider-") //nolint:usetesting // see above.
		if err != nil {
			providerBinary.err = err
			return
		}
		providerBinary.dir = dir
		out, err := exec.CommandContext(context.Background(), "go", "build", "-o", filepath.Join(dir, "terraform-provider-keymate"), "../..").CombinedOutput()
		if err != nil {
			providerBinary.err = fmt.Errorf("building the provider: %w\n%s", err, out)
		}
	})
	if providerBinary.err != nil {
		t.Fatal(providerBinary.err)
	}
	cliConfig := filepath.Join(t.TempDir(), "terraformrc")
	// Configurations that declare the provider name it keymate/keymate;
	// documentation snippets without a terraform block imply hashicorp/keymate.
	content := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"keymate/keymate\" = %[1]q\n    \"hashicorp/keymate\" = %[1]q\n  }\n  direct {}\n}\n", providerBinary.dir)
	if err := os.WriteFile(cliConfig, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return cliConfig
}

// terraformCLI is the CLI that tests exec themselves: the one the acceptance
// tests run (TF_ACC_TERRAFORM_PATH, set by make testacc-tofu for OpenTofu),
// else terraform from PATH.
func terraformCLI() string { return cmp.Or(os.Getenv("TF_ACC_TERRAFORM_PATH"), "terraform") }
