package provider

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// checkScopeUse follows the policy for what a configuration adds and only
// warns about what a key already holds: under "warn" both are warnings on
// scopes naming the scopes, under "enforce" only an added scope no request
// needed is an error, a young key or one this run did not read is not
// judged, and a scope a refused request needed may be added.
func TestCheckScopeUse(t *testing.T) {
	created := servertest.StartTime
	now := created.Add(100 * 24 * time.Hour)
	recent := now.Add(-time.Hour)
	use := keyUse{scopes: []string{"keys:read", "alerts:read"}, createdAt: created,
		lastNeeded: map[string]time.Time{"keys:read": recent, "keys:write": recent}}
	for _, tc := range []struct {
		name           string
		policy         policyMode
		use            *keyUse
		now            time.Time
		planned        []string
		warnings, errs []string // scopes each names
	}{
		{"holds an unneeded scope, warn", policyWarn, &use, now, []string{"keys:read", "alerts:read"}, []string{"alerts:read"}, nil},
		{"holds an unneeded scope, enforce", policyEnforce, &use, now, []string{"keys:read", "alerts:read"}, []string{"alerts:read"}, nil},
		{"adds an unneeded scope, warn", policyWarn, &use, now, []string{"keys:read", "audit:read"}, []string{"audit:read"}, nil},
		{"adds an unneeded scope, enforce", policyEnforce, &use, now, []string{"keys:read", "alerts:read", "audit:read"},
			[]string{"alerts:read"}, []string{"audit:read"}},
		{"adds a scope a refused request needed", policyEnforce, &use, now, []string{"keys:read", "keys:write"}, nil, nil},
		{"off", policyOff, &use, now, []string{"alerts:read", "audit:read"}, nil, nil},
		{"a young key", policyEnforce, &use, created.Add(controls.MaxUnusedAge - time.Second), []string{"audit:read"}, nil, nil},
		{"not read in this run", policyEnforce, nil, now, []string{"audit:read"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &providerData{policy: tc.policy, keyUsage: newKeyUsage()}
			if tc.use != nil {
				d.keyUsage.keys["key_1"] = *tc.use
			}
			var diags diag.Diagnostics
			d.checkScopeUse("key_1", func() ([]string, diag.Diagnostics) { return tc.planned, nil }, tc.now, &diags)
			check := func(kind string, got diag.Diagnostics, want []string) {
				if len(got) != len(want) {
					t.Fatalf("%d %s, want %d: %v", len(got), kind, len(want), diags)
				}
				for i, dg := range got {
					withPath, ok := dg.(diag.DiagnosticWithPath)
					if !ok || !withPath.Path().Equal(path.Root("scopes")) || !strings.HasPrefix(dg.Summary(), "KM-KEY-005: ") ||
						!strings.Contains(dg.Detail(), want[i]) {
						t.Errorf("%s %q: %q, want it on scopes, naming KM-KEY-005 and %s", kind, dg.Summary(), dg.Detail(), want[i])
					}
				}
			}
			check("warnings", diags.Warnings(), tc.warnings)
			check("errors", diags.Errors(), tc.errs)
		})
	}
}

// Through the CLI: after 91 days of use by the key's own requests, a plan
// under "enforce" applies a key holding a scope it never needed (only a
// warning; the apply rotates the key, due after 90 days), fails when the
// configuration adds a scope the key never needed, naming it, and applies
// the addition of a scope the key asked for (its request was refused); the
// data source shows the use.
func TestAccAPIKey_scopesByUse(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	key := func(scopes string) string {
		return `provider "keymate" { policy = "enforce" }

resource "keymate_api_key" "app" {
  name   = "app"
  scopes = [` + scopes + `]
}

data "keymate_api_key" "app" {
  id = keymate_api_key.app.id
}`
	}
	var id, secret string
	use := func() {
		inst.Clock.Advance(91 * 24 * time.Hour)
		for path, want := range map[string]int{"/v1/api-keys": http.StatusOK, "/v1/audit-events": http.StatusForbidden} {
			if got := statusOf(t, inst, secret, path); got != want {
				t.Fatalf("GET %s with the key: %d, want %d", path, got, want)
			}
		}
		inst.FlushUsage(t)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: key(`"keys:read", "alerts:read"`),
				Check: resource.ComposeTestCheckFunc(captureAttr("keymate_api_key.app", "id", &id),
					captureAttr("keymate_api_key.app", "secret", &secret)),
			},
			{
				PreConfig: use,
				Config:    key(`"keys:read", "alerts:read"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.keymate_api_key.app", tfjsonpath.New("scope_last_used_at"), knownvalue.MapSizeExact(2)),
					statecheck.ExpectKnownValue("data.keymate_api_key.app", tfjsonpath.New("scope_last_used_at").AtMapKey(apiv1.ScopeAuditRead),
						knownvalue.StringExact(servertest.StartTime.Add(91*24*time.Hour).Format(time.RFC3339))),
					statecheck.ExpectKnownValue("data.keymate_api_key.app", tfjsonpath.New("last_used_at"), knownvalue.NotNull()),
				},
			},
			{
				Config:      key(`"keys:read", "alerts:read", "backups:read"`),
				ExpectError: regexp.MustCompile(`(?s)KM-KEY-005: API key holding scopes it has not needed for 90 days.*scopes adds\s+backups:read`),
			},
			{
				Config: key(`"keys:read", "audit:read"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("keymate_api_key.app", tfjsonpath.New("scopes"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("keys:read"), knownvalue.StringExact("audit:read")})),
				},
			},
		},
	})
}
