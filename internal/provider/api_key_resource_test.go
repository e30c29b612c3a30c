package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

const keyAddr = "keymate_api_key.test"

// checkFingerprintOfSecret proves that secret_fingerprint is the fingerprint
// of the secret in state and that the API accepts that secret.
func checkFingerprintOfSecret(t *testing.T, inst *servertest.Instance) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attrs := s.RootModule().Resources[keyAddr].Primary.Attributes
		secret := attrs["secret"]
		if !strings.HasPrefix(secret, "km_") {
			return fmt.Errorf("secret does not look generated (want km_ prefix)")
		}
		if got, want := attrs["secret_fingerprint"], apiv1.Fingerprint(secret); got != want {
			return fmt.Errorf("secret_fingerprint = %q, want %q (fingerprint of the secret in state)", got, want)
		}
		if !authenticates(t, inst, secret) {
			return fmt.Errorf("the API rejects the secret in state")
		}
		return nil
	}
}

// Create, update in place, import and destroy: the basic life cycle, with
// the values in state checked and the id kept across the update.
func TestAccAPIKeyResource_lifecycle(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: `
resource "keymate_api_key" "test" {
  name                  = "ci-deployer"
  scopes                = ["keys:read", "audit:read"]
  rotation_grace_period = "1440m"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^key_`))),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("name"), knownvalue.StringExact("ci-deployer")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("audit:read"), knownvalue.StringExact("keys:read")})),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("rotation_days"), knownvalue.Int64Exact(90)),
					// The configured spelling is kept although the API answers "24h0m0s".
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("rotation_grace_period"), knownvalue.StringExact("1440m")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("created_at"), knownvalue.StringExact("2026-01-01T00:00:00Z")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("next_rotation_at"), knownvalue.StringExact("2026-04-01T00:00:00Z")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("expires_at"), knownvalue.Null()),
					statecheck.ExpectSensitiveValue(keyAddr, tfjsonpath.New("secret")),
				},
				Check: checkFingerprintOfSecret(t, inst),
			},
			{
				// "24h" equals the "1440m" in state: no change for it, only
				// for the fields that really changed.
				Config: `
resource "keymate_api_key" "test" {
  name                  = "ci-deployer-2"
  description           = "deploys from CI"
  scopes                = ["keys:read"]
  rotation_days         = 30
  rotation_grace_period = "24h"
  expires_at            = "2026-12-31T01:00:00+01:00"
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(keyAddr, tfjsonpath.New("rotation_grace_period"), knownvalue.StringExact("1440m")),
						plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("next_rotation_at")),
						plancheck.ExpectKnownValue(keyAddr, tfjsonpath.New("secret_fingerprint"), knownvalue.NotNull()),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("name"), knownvalue.StringExact("ci-deployer-2")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("description"), knownvalue.StringExact("deploys from CI")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("keys:read")})),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("rotation_days"), knownvalue.Int64Exact(30)),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("next_rotation_at"), knownvalue.StringExact("2026-01-31T00:00:00Z")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("expires_at"), knownvalue.StringExact("2026-12-31T01:00:00+01:00")),
				},
				Check: checkFingerprintOfSecret(t, inst), // an update that is no rotation keeps the secret
			},
			{
				ResourceName:      keyAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// The API never returns a secret after creation. The other two
				// are written differently in the configuration and compared
				// below as the same instant and duration.
				ImportStateVerifyIgnore: []string{"secret", "expires_at", "rotation_grace_period"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					attrs := states[0].Attributes
					if attrs["secret"] != "" {
						return fmt.Errorf("imported secret must be null, got a value")
					}
					if attrs["expires_at"] != "2026-12-31T00:00:00Z" || attrs["rotation_grace_period"] != "24h" {
						return fmt.Errorf("imported expires_at %q, rotation_grace_period %q; want 2026-12-31T00:00:00Z and 24h",
							attrs["expires_at"], attrs["rotation_grace_period"])
					}
					return nil
				},
			},
			{
				// Removing expires_at clears it through a merge-patch null.
				Config: `
resource "keymate_api_key" "test" {
  name          = "ci-deployer-2"
  description   = "deploys from CI"
  scopes        = ["keys:read"]
  rotation_days = 30
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("expires_at"), knownvalue.Null()),
				},
				Check: func(s *terraform.State) error {
					key, err := testClient(t, inst).GetAPIKey(context.Background(), s.RootModule().Resources[keyAddr].Primary.ID)
					if err != nil {
						return err
					}
					if key.ExpiresAt != nil {
						return fmt.Errorf("API still has expires_at %v", key.ExpiresAt)
					}
					return nil
				},
			},
		},
	})
}

const rotationConfig = `
resource "keymate_api_key" "test" {
  name                  = "rotating"
  scopes                = ["keys:read"]
  rotation_days         = 90
  rotation_grace_period = "24h"
}`

// When the provider's clock passes next_rotation_at the plan shows an
// in-place update with the secret unknown; the apply rotates the key (same
// id, new secret and fingerprint), the old secret works during the grace
// period and stops working after it.
func TestAccAPIKeyResource_rotationDueByClock(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	secretChanged := statecheck.CompareValue(compare.ValuesDiffer())
	fingerprintChanged := statecheck.CompareValue(compare.ValuesDiffer())
	var oldSecret string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: rotationConfig,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
					secretChanged.AddStateValue(keyAddr, tfjsonpath.New("secret")),
					fingerprintChanged.AddStateValue(keyAddr, tfjsonpath.New("secret_fingerprint")),
				},
				Check: captureAttr(keyAddr, "secret", &oldSecret),
			},
			{
				// 89 days: not due yet, nothing to do.
				PreConfig: func() { inst.Clock.Advance(89 * 24 * time.Hour) },
				Config:    rotationConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() { inst.Clock.Advance(2 * 24 * time.Hour) }, // day 91
				Config:    rotationConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("secret")),
						plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("secret_fingerprint")),
						plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("next_rotation_at")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
					secretChanged.AddStateValue(keyAddr, tfjsonpath.New("secret")),
					fingerprintChanged.AddStateValue(keyAddr, tfjsonpath.New("secret_fingerprint")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("rotated_at"), knownvalue.StringExact("2026-04-02T00:00:00Z")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("next_rotation_at"), knownvalue.StringExact("2026-07-01T00:00:00Z")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkFingerprintOfSecret(t, inst),
					func(*terraform.State) error {
						if !authenticates(t, inst, oldSecret) {
							return fmt.Errorf("the previous secret must keep working during the 24h grace period")
						}
						return nil
					},
				),
			},
			{
				PreConfig: func() { inst.Clock.Advance(25 * time.Hour) },
				Config:    rotationConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if authenticates(t, inst, oldSecret) {
						return fmt.Errorf("the previous secret must stop working after the grace period")
					}
					return nil
				},
			},
		},
	})
}

func rotateWhenChangedConfig(release string) string {
	return fmt.Sprintf(`
resource "keymate_api_key" "test" {
  name   = "release-bound"
  scopes = ["keys:read"]
  rotate_when_changed = {
    release = %q
  }
}`, release)
}

// Changing rotate_when_changed rotates the key in place.
func TestAccAPIKeyResource_rotateWhenChanged(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	secretChanged := statecheck.CompareValue(compare.ValuesDiffer())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: rotateWhenChangedConfig("1"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
					secretChanged.AddStateValue(keyAddr, tfjsonpath.New("secret")),
				},
			},
			{
				Config: rotateWhenChangedConfig("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("secret")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
					secretChanged.AddStateValue(keyAddr, tfjsonpath.New("secret")),
				},
				Check: checkFingerprintOfSecret(t, inst),
			},
		},
	})
}

func secretWOConfig(secret string, version int) string {
	return fmt.Sprintf(`
resource "keymate_api_key" "test" {
  name              = "supplied"
  scopes            = ["keys:read"]
  secret_wo         = %q
  secret_wo_version = %d
}`, secret, version)
}

// checkSuppliedSecret proves that no attribute in state holds secret,
// that the secret attribute is null, that the fingerprint is the supplied
// secret's and that the API accepts it.
func checkSuppliedSecret(t *testing.T, inst *servertest.Instance, secret string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for addr, rs := range s.RootModule().Resources {
			for k, v := range rs.Primary.Attributes {
				if strings.Contains(v, secret) {
					return fmt.Errorf("%s.%s holds the write-only secret", addr, k)
				}
			}
		}
		attrs := s.RootModule().Resources[keyAddr].Primary.Attributes
		if attrs["secret"] != "" {
			return fmt.Errorf("secret must be null when secret_wo is used")
		}
		if got, want := attrs["secret_fingerprint"], apiv1.Fingerprint(secret); got != want {
			return fmt.Errorf("secret_fingerprint = %q, want the supplied secret's %q", got, want)
		}
		if !authenticates(t, inst, secret) {
			return fmt.Errorf("the API rejects the supplied secret")
		}
		return nil
	}
}

// A write-only secret authenticates, never reaches the state, and bumping
// secret_wo_version rotates to the new value.
func TestAccAPIKeyResource_secretWriteOnly(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	first := "supplied-secret-one-0123456789abcdefghij"
	second := "supplied-secret-two-0123456789abcdefghij"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: secretWOConfig(first, 1),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("secret"), knownvalue.Null()),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("secret_wo"), knownvalue.Null()),
				},
				Check: checkSuppliedSecret(t, inst, first),
			},
			{
				// A changed value without a version bump is not noticed: the
				// version is the trigger.
				Config: secretWOConfig(second, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: secretWOConfig(second, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("secret_fingerprint")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("secret"), knownvalue.Null()),
				},
				Check: checkSuppliedSecret(t, inst, second),
			},
		},
	})
}

// A key with a write-only secret can only rotate to a new secret. When it
// falls due by the clock, the plan does not try to rotate it to the same
// secret (which the API refuses): it names control KM-KEY-001 on
// secret_wo_version, as an error under policy "enforce", and a version bump
// with a new secret then rotates it. rotate_when_changed, which would rotate
// to the same secret, cannot be combined with secret_wo.
func TestAccAPIKeyResource_secretWriteOnlyDue(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	first := "supplied-secret-one-0123456789abcdefghij"
	second := "supplied-secret-two-0123456789abcdefghij"
	enforce := `provider "keymate" { policy = "enforce" }`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config:      `resource "keymate_api_key" "x" {` + "\n" + `name = "x"` + "\n" + `scopes = ["keys:read"]` + "\n" + `secret_wo = "` + first + `"` + "\n" + `secret_wo_version = 1` + "\n" + `rotate_when_changed = { a = "b" }` + "\n}",
				ExpectError: regexp.MustCompile(`(?s)secret_wo.*rotate_when_changed|rotate_when_changed.*secret_wo`),
			},
			{Config: secretWOConfig(first, 1)},
			{
				PreConfig: func() { inst.Clock.Advance(91 * 24 * time.Hour) },
				Config:    secretWOConfig(first, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config:      enforce + secretWOConfig(first, 1),
				ExpectError: regexp.MustCompile(`(?s)KM-KEY-001.*secret_wo_version.*next_rotation_at.*has passed.*increment\s+secret_wo_version`),
			},
			{
				Config: enforce + secretWOConfig(second, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate)},
				},
				Check: checkSuppliedSecret(t, inst, second),
			},
		},
	})
}

const driftConfig = `
resource "keymate_api_key" "test" {
  name   = "drifting"
  scopes = ["keys:read", "audit:read"]
}`

// Changes made outside Terraform show in the plan: a renamed key with other
// scopes plans an update back to the configuration, a key rotated outside
// Terraform plans a rotation so that state gets a working secret back, and
// a revoked key plans a new one.
func TestAccAPIKeyResource_outOfBand(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	var id string
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: driftConfig,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(keyAddr, tfjsonpath.New("id")),
				},
				Check: captureAttr(keyAddr, "id", &id),
			},
			{
				PreConfig: func() {
					name, scopes := "renamed-by-hand", []string{"keys:read"}
					if _, err := c.UpdateAPIKey(context.Background(), id, apiv1.UpdateAPIKeyRequest{Name: &name, Scopes: &scopes}); err != nil {
						t.Fatal(err)
					}
				},
				Config: driftConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(keyAddr, tfjsonpath.New("name"), knownvalue.StringExact("drifting")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(keyAddr, tfjsonpath.New("id"))},
				Check: func(*terraform.State) error {
					key, err := c.GetAPIKey(context.Background(), id)
					if err != nil {
						return err
					}
					if key.Name != "drifting" || len(key.Scopes) != 2 {
						return fmt.Errorf("apply did not restore the key: name %q scopes %v", key.Name, key.Scopes)
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					if _, err := c.RotateAPIKey(context.Background(), id, apiv1.RotateAPIKeyRequest{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: driftConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(keyAddr, tfjsonpath.New("secret")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(keyAddr, tfjsonpath.New("id"))},
				Check:             checkFingerprintOfSecret(t, inst),
			},
			recreateStep(t, keyAddr, driftConfig, &id, c.RevokeAPIKey),
		},
	})
}

// Bad arguments fail at plan, before any API call, with the attribute named.
func TestAccAPIKeyResource_validation(t *testing.T) {
	t.Parallel()
	_, factories := testAccSetup(t)
	cfg := func(extra string) string {
		return fmt.Sprintf(`
resource "keymate_api_key" "test" {
  name   = "invalid"
  scopes = ["keys:read"]
  %s
}`, extra)
	}
	var steps []resource.TestStep
	for _, tc := range []struct{ config, want string }{
		{cfg(`rotation_days = 0`), `(?s)rotation_days.*between 1 and 365`},
		{strings.Replace(cfg(""), `["keys:read"]`, `["keys:read", "keys:everything"]`, 1), `(?s)scopes.*must be one of`},
		{strings.Replace(cfg(""), `["keys:read"]`, `[]`, 1), `(?s)scopes.*at least 1`},
		{cfg(`expires_at = "2025-12-31T00:00:00Z"`), `(?s)expires_at.*2025-12-31T00:00:00Z is in the past`},
		{cfg(`expires_at = "next week"`), `(?s)expires_at.*not an RFC 3339 timestamp`},
		{cfg(`rotation_grace_period = "1 day"`), `(?s)rotation_grace_period.*is not a duration`},
		{cfg(`rotation_grace_period = "721h"`), `(?s)rotation_grace_period.*between 0s and 720h`},
		{cfg(`secret_wo = "0123456789abcdef0123456789abcdef"`), `(?s)configured together: \[secret_wo,secret_wo_version\]`},
		{cfg(`secret_wo = "short"
  secret_wo_version = 1`), `(?s)secret_wo.*at least 32`},
		{strings.Replace(cfg(""), `"invalid"`, `"bad/name"`, 1), `(?s)name.*letters, digits`},
		{strings.Replace(cfg(""), `"invalid"`, `"invoice\u202egpj.exe"`, 1), `(?s)name.*invisible.*U\+202E`},
	} {
		steps = append(steps, resource.TestStep{Config: tc.config, PlanOnly: true, ExpectError: regexp.MustCompile(tc.want)})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: steps})
}
