package provider

import (
	"context"
	"os"
	"regexp"
	"testing"

	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// Provider-defined functions run in Terraform 1.8 and later.
var functionVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

// secret_fingerprint returns, through Terraform, the fingerprint the server
// reports for a generated and for a supplied secret, SHA-256's own test
// vector ("abc") in the API's form, "" for "", and refuses null.
func TestAccSecretFingerprintFunction(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	generated, err := c.CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{Name: "generated", Scopes: []string{"keys:read"}})
	if err != nil {
		t.Fatal(err)
	}
	supplied, err := c.CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{Name: "supplied", Scopes: []string{"keys:read"},
		Secret: ptr("supplied-secret-0123456789abcdefghijkl")})
	if err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   functionVersions,
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: `
variable "generated" {
  type      = string
  sensitive = true
}

output "generated" {
  value     = provider::keymate::secret_fingerprint(var.generated)
  sensitive = true
}

output "supplied" {
  value = provider::keymate::secret_fingerprint("supplied-secret-0123456789abcdefghijkl")
}

output "abc" {
  value = provider::keymate::secret_fingerprint("abc")
}

output "empty" {
  value = provider::keymate::secret_fingerprint("")
}
`,
				ConfigVariables: tfconfig.Variables{"generated": tfconfig.StringVariable(generated.Secret)},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("generated", knownvalue.StringExact(generated.SecretFingerprint)),
					statecheck.ExpectKnownOutputValue("supplied", knownvalue.StringExact(supplied.SecretFingerprint)),
					statecheck.ExpectKnownOutputValue("abc", knownvalue.StringExact("sha256:ba7816bf8f01cfea")),
					statecheck.ExpectKnownOutputValue("empty", knownvalue.StringExact("")),
				},
			},
			{
				Config:      `output "null" { value = provider::keymate::secret_fingerprint(null) }`,
				ExpectError: regexp.MustCompile(`(?s)secret_fingerprint.*argument must not be null`),
			},
		},
	})
}

// The function's example, through the real CLI: its check passes with the
// key's current secret, and after a rotation it warns, naming the key, that
// the secret store's secret is stale.
func TestAccSecretFingerprintFunction_example(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	skipBelowCLI(t, tfversion.Version1_8_0)
	inst := servertest.Start(t)
	c := testClient(t, inst)
	key, err := c.CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{Name: "ci-deployer", Scopes: []string{"keys:read"}})
	if err != nil {
		t.Fatal(err)
	}
	w := newCLIWorkdir(t, envEndpoint+"="+inst.URL, envAPIKey+"="+inst.AdminKey, "TF_VAR_deployer_secret="+key.Secret)
	w.writeFile("terraform.tf", readExample(t, "functions/secret_fingerprint/terraform.tf"))
	w.writeFile("function.tf", readExample(t, "functions/secret_fingerprint/function.tf"))
	failed := regexp.MustCompile(`(?s)Check block assertion failed.*The secret store's secret for\s+` + key.ID + `\s+is\s+not\s+the\s+key's\s+current\s+secret`)
	if out := w.mustRun("apply", "-auto-approve", "-input=false", "-no-color"); failed.MatchString(out) {
		t.Fatalf("the check failed with the key's current secret:\n%s", out)
	}
	if _, err := c.RotateAPIKey(context.Background(), key.ID, apiv1.RotateAPIKeyRequest{}); err != nil {
		t.Fatal(err)
	}
	if out := w.mustRun("apply", "-auto-approve", "-input=false", "-no-color"); !failed.MatchString(out) {
		t.Fatalf("the check did not fail after the key was rotated:\n%s", out)
	}
}
