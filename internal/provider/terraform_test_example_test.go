package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// terraformTestGuide is the example of the guide "Testing modules with
// terraform test", and its files besides main.tf.
const terraformTestGuide = "guides/testing-modules-with-terraform-test"

var terraformTestGuideFiles = []string{"guides/testing-modules-with-terraform-test/tests/service.tftest.hcl"}

// The guide's module passes `terraform test` against the mocked provider,
// as a user runs it: the provider installed by `make install`, `terraform
// init`, no CLI configuration and no KEYMATE_* credentials. Without the
// mock's id defaults, the same test fails where the guide says: a random
// id is not a notification channel id.
func TestAccExamples_terraformTest(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	home := installedProvider(t)
	work := t.TempDir()
	for _, name := range append([]string{terraformTestGuide + "/main.tf"}, terraformTestGuideFiles...) {
		dst := filepath.Join(work, strings.TrimPrefix(name, terraformTestGuide+"/"))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, []byte(readExample(t, name)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if out, status := userTerraform(t, home, work, nil, "init", "-input=false", "-no-color"); status != 0 {
		t.Fatalf("terraform init exited %d:\n%s", status, out)
	}
	out, status := userTerraform(t, home, work, nil, "test", "-no-color")
	if status != 0 || !strings.Contains(out, "Success! 3 passed, 0 failed.") {
		t.Fatalf("terraform test exited %d, want 3 runs passed:\n%s", status, out)
	}

	// The same tests with a mock that sets nothing.
	tests := readExample(t, terraformTestGuideFiles[0])
	before, rest, found := strings.Cut(tests, "mock_provider \"keymate\" {\n")
	_, after, closed := strings.Cut(rest, "\n}\n")
	if !found || !closed {
		t.Fatalf("%s has no mock_provider \"keymate\" block to empty", terraformTestGuideFiles[0])
	}
	bare := before + "mock_provider \"keymate\" {}\n" + after
	if err := os.WriteFile(filepath.Join(work, "tests", "service.tftest.hcl"), []byte(bare), 0o600); err != nil {
		t.Fatal(err)
	}
	out, status = userTerraform(t, home, work, nil, "test", "-no-color")
	if status == 0 || !regexp.MustCompile(`must\s+be\s+a\s+notification\s+channel\s+id`).MatchString(out) {
		t.Errorf("terraform test without the mocks' defaults exited %d, want a failure on the channel id:\n%s", status, out)
	}
}
