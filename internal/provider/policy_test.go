package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/controls"
)

// The policy mode alone decides what a guide breach becomes: nothing, a
// warning or an error, each naming the control id and the attribute.
func TestCheckPolicyFollowsTheMode(t *testing.T) {
	for mode, want := range map[policyMode]struct{ warnings, errors int }{
		policyOff:     {0, 0},
		policyWarn:    {1, 0},
		policyEnforce: {0, 1},
	} {
		t.Run(string(mode), func(t *testing.T) {
			var diags diag.Diagnostics
			d := &providerData{policy: mode}
			d.checkPolicy(&diags, controls.KeyRotationPeriod, path.Root("rotation_days"), "rotation_days is 120.")
			if diags.WarningsCount() != want.warnings || diags.ErrorsCount() != want.errors {
				t.Fatalf("got %d warnings and %d errors, want %d and %d", diags.WarningsCount(), diags.ErrorsCount(), want.warnings, want.errors)
			}
			for _, dg := range diags {
				if !strings.HasPrefix(dg.Summary(), "KM-KEY-002: ") {
					t.Errorf("summary %q must start with the control id", dg.Summary())
				}
				if !strings.Contains(dg.Detail(), "rotation_days is 120.") || !strings.Contains(dg.Detail(), controls.KeyRotationPeriod.Remediation) {
					t.Errorf("detail %q must carry the finding and the remediation", dg.Detail())
				}
				withPath, ok := dg.(diag.DiagnosticWithPath)
				if !ok || !withPath.Path().Equal(path.Root("rotation_days")) {
					t.Errorf("diagnostic must be on rotation_days, got %v", dg)
				}
			}
		})
	}
}

const guideBreakingKeyConfig = `
resource "keymate_api_key" "test" {
  name          = "slow-rotation"
  scopes        = ["keys:read"]
  rotation_days = 120
}
`

// Under policy "enforce" a key rotated less often than the guide asks fails
// at plan, naming the control and the attribute; under "warn" (the default,
// also via KEYMATE_POLICY) and "off" the same configuration applies.
func TestAccProvider_policyModes(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	enforcedByEnv := testFactories(inst, map[string]string{envEndpoint: inst.URL, envAPIKey: inst.AdminKey, envPolicy: "enforce"})
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: factories,
				Config:                   `provider "keymate" { policy = "enforce" }` + guideBreakingKeyConfig,
				ExpectError:              regexp.MustCompile(`(?s)KM-KEY-002: API key rotation period over 90 days.*rotation_days is 120`),
			},
			{
				ProtoV6ProviderFactories: enforcedByEnv,
				Config:                   guideBreakingKeyConfig,
				ExpectError:              regexp.MustCompile(`KM-KEY-002`),
			},
			{
				ProtoV6ProviderFactories: factories,
				Config:                   `provider "keymate" { policy = "strict" }` + guideBreakingKeyConfig,
				ExpectError:              regexp.MustCompile(`(?s)policy.*value must be one of`),
			},
			{
				ProtoV6ProviderFactories: factories,
				Config:                   `provider "keymate" { policy = "warn" }` + guideBreakingKeyConfig,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("keymate_api_key.test", tfjsonpath.New("rotation_days"), knownvalue.Int64Exact(120)),
				},
			},
			{
				ProtoV6ProviderFactories: factories,
				Config:                   `provider "keymate" { policy = "off" }` + guideBreakingKeyConfig,
			},
		},
	})
}
