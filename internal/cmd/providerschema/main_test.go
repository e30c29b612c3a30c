package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/keymate/terraform-provider-keymate/internal/provider"
)

// The schemas printed for the documentation are, to the byte once decoded,
// what `terraform providers schema -json` prints for the provider binary:
// every kind of schema the CLI knows (from Terraform 1.14 on: identities,
// list resources, actions, functions) is converted, and none is changed.
func TestProviderSchemaMatchesTerraform(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	ctx := context.Background()
	tf := cmp.Or(os.Getenv("TF_ACC_TERRAFORM_PATH"), "terraform")
	var v struct {
		Version string `json:"terraform_version"`
	}
	// No version check: it would call checkpoint-api.hashicorp.com, and
	// tests talk to loopback only.
	t.Setenv("CHECKPOINT_DISABLE", "1")
	out, err := exec.CommandContext(ctx, tf, "version", "-json").Output()
	if err != nil || json.Unmarshal(out, &v) != nil {
		t.Fatalf("%s version -json: %v\n%s", tf, err, out)
	}
	if version.Must(version.NewVersion(v.Version)).LessThan(version.Must(version.NewVersion("1.14.0"))) {
		t.Skipf("Terraform CLI version %s is below minimum version 1.14.0: skipping test", v.Version)
	}

	dir := t.TempDir()
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "bin", "terraform-provider-keymate"), "../../..").CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"keymate/keymate\" = %q\n  }\n  direct {}\n}\n", filepath.Join(dir, "bin"))
	main := "terraform {\n  required_providers {\n    keymate = { source = \"keymate/keymate\" }\n  }\n}\n"
	for name, content := range map[string]string{"rc": rc, "main.tf": main} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(ctx, tf, "providers", "schema", "-json")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "rc"))
	cli, err := cmd.Output()
	if err != nil {
		t.Fatalf("terraform providers schema -json: %v", err)
	}
	ours, err := schemaJSON(ctx, providerserver.NewProtocol6(provider.New("docs")())())
	if err != nil {
		t.Fatal(err)
	}
	want, got := decode(t, cli, "registry.terraform.io/keymate/keymate"), decode(t, ours, "keymate")
	if want != got {
		t.Fatalf("the schemas differ from Terraform's:\nTerraform:\n%s\nproviderschema:\n%s", want, got)
	}
	for _, kind := range []string{`"resource_identity_schemas"`, `"list_resource_schemas"`, `"action_schemas"`, `"functions"`} {
		if !strings.Contains(got, kind) {
			t.Errorf("no %s in the schemas", kind)
		}
	}
}

// decode returns the provider schema under key in a providers schema JSON
// document, encoded again in a canonical form.
func decode(t *testing.T, doc []byte, key string) string {
	t.Helper()
	var s tfjson.ProviderSchemas
	if err := json.Unmarshal(doc, &s); err != nil {
		t.Fatal(err)
	}
	p, ok := s.Schemas[key]
	if !ok {
		t.Fatalf("no schema for %s", key)
	}
	b, err := json.MarshalIndent(p, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
