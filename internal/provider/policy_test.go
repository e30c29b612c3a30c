package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
	"github.com/keymate/terraform-provider-keymate/internal/customtypes"
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

// The API key's guide checks name their controls on the right attributes:
// KM-KEY-002 on rotation_days above 90, KM-KEY-003 on expires_at of a key
// that holds admin and never expires; a compliant key raises nothing.
func TestAPIKeyGuideChecks(t *testing.T) {
	key := func(days int64, scopes []string, expires string) apiKeyResourceModel {
		m := apiKeyResourceModel{
			RotationDays: types.Int64Value(days),
			Scopes:       types.SetValueMust(types.StringType, nil),
			ExpiresAt:    customtypes.NewNull[customtypes.RFC3339](),
		}
		var elems []attr.Value
		for _, s := range scopes {
			elems = append(elems, types.StringValue(s))
		}
		m.Scopes = types.SetValueMust(types.StringType, elems)
		if expires != "" {
			m.ExpiresAt = customtypes.NewValue[customtypes.RFC3339](expires)
		}
		return m
	}
	cases := map[string]struct {
		key  apiKeyResourceModel
		want map[string]path.Path // control id -> attribute
	}{
		"compliant":            {key(90, []string{"keys:read"}, ""), map[string]path.Path{}},
		"slow rotation":        {key(120, []string{"keys:read"}, ""), map[string]path.Path{"KM-KEY-002": path.Root("rotation_days")}},
		"admin without expiry": {key(30, []string{"admin"}, ""), map[string]path.Path{"KM-KEY-003": path.Root("expires_at")}},
		"admin with expiry":    {key(30, []string{"admin"}, "2027-01-01T00:00:00Z"), map[string]path.Path{}},
		"both, in one plan":    {key(365, []string{"keys:read", "admin"}, ""), map[string]path.Path{"KM-KEY-002": path.Root("rotation_days"), "KM-KEY-003": path.Root("expires_at")}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var diags diag.Diagnostics
			r := &apiKeyResource{resourceBase[apiv1.APIKey]{kind: apiKeys, data: &providerData{policy: policyWarn}}}
			r.checkGuide(tc.key, &diags)
			if diags.ErrorsCount() != 0 || diags.WarningsCount() != len(tc.want) {
				t.Fatalf("got %v, want %d warnings", diags, len(tc.want))
			}
			for _, d := range diags {
				id, _, _ := strings.Cut(d.Summary(), ":")
				want, ok := tc.want[id]
				withPath, hasPath := d.(diag.DiagnosticWithPath)
				if !ok || !hasPath || !withPath.Path().Equal(want) {
					t.Errorf("unexpected diagnostic %q (want controls %v)", d.Summary(), tc.want)
				}
			}
			off := &apiKeyResource{resourceBase[apiv1.APIKey]{kind: apiKeys, data: &providerData{policy: policyOff}}}
			diags = nil
			off.checkGuide(tc.key, &diags)
			if len(diags) != 0 {
				t.Errorf("policy off must silence the checks, got %v", diags)
			}
		})
	}
}
