package provider

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// readExample returns an example file, relative to the examples directory.
func readExample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(examplesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// exampleWithID returns an example with its placeholder id replaced by id.
// It fails the test when the example no longer has the placeholder.
func exampleWithID(t *testing.T, name, placeholder, id string) string {
	t.Helper()
	tf := readExample(t, name)
	if !strings.Contains(tf, placeholder) {
		t.Fatalf("%s no longer has the placeholder id %s this test replaces", name, placeholder)
	}
	return strings.ReplaceAll(tf, placeholder, id)
}

// The ephemeral key example configures a provider alias with a short-lived
// key and reads the audit trail through it: the keys it opened (one for
// plan, one for apply) were used and are revoked once the run ends. It runs
// the provider binary through the Terraform CLI, because in-process test
// providers serve every configuration of a provider from one instance, so an
// alias would reconfigure the provider that opened the key.
func TestAccExamples_ephemeralAPIKey(t *testing.T) {
	t.Parallel()
	// The plugin binary tells the time by the wall clock, so the server does too.
	inst, _ := testAccSetup(t, servertest.WithClock(clock.Real{}))
	ctx := context.Background()
	c := testClient(t, inst)
	key, err := c.CreateAPIKey(ctx, apiv1.CreateAPIKeyRequest{Name: "rotated", Scopes: []string{"keys:read"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RotateAPIKey(ctx, key.ID, apiv1.RotateAPIKeyRequest{}); err != nil {
		t.Fatal(err)
	}

	cliConfig, work := testProviderBinary(t), t.TempDir()
	config := readExample(t, "ephemeral-resources/keymate_api_key/terraform.tf") + readExample(t, "ephemeral-resources/keymate_api_key/ephemeral-resource.tf")
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	terraform := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, terraformCLI(), args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1",
			envEndpoint+"="+inst.URL, envAPIKey+"="+inst.AdminKey)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	if out, err := terraform("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}
	out, err := terraform("output", "-json", "recent_rotations")
	if err != nil {
		t.Fatalf("terraform output: %v\n%s", err, out)
	}
	var rotations []string
	if err := json.Unmarshal([]byte(out), &rotations); err != nil {
		t.Fatalf("decoding output %q: %v", out, err)
	}
	if want := regexp.MustCompile(`^` + timestampPattern + ` ` + key.ID + ` rotated by key_\w+$`); len(rotations) != 1 || !want.MatchString(rotations[0]) {
		t.Errorf("recent_rotations = %q, want one entry matching %s", rotations, want)
	}
	if out, err := terraform("plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Errorf("terraform plan after apply is not empty (%v):\n%s", err, out)
	}

	inst.FlushUsage(t) // uses are written in batches
	keys, err := c.ListAPIKeys(ctx, client.ListAPIKeysOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opened, used := 0, 0
	for _, k := range keys {
		if !strings.HasPrefix(k.Name, "audit-run-") {
			continue
		}
		opened++
		if k.LastUsedAt != nil {
			used++
		}
		if k.Status != apiv1.KeyStatusRevoked {
			t.Errorf("short-lived key %s has status %q after its run, want revoked", k.ID, k.Status)
		}
	}
	// Each plan opens a key and reads the data source with it; the apply
	// phase opens another only to configure the alias.
	if opened < 2 || used < 1 {
		t.Errorf("%d short-lived keys were opened and %d used, want one opened per plan and apply, and the data source read with one", opened, used)
	}
	state, err := os.ReadFile(filepath.Join(work, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(state), "audit-run-") || strings.Contains(string(state), "km_") {
		t.Error("the state holds the short-lived key")
	}
}
