package provider

import (
	"context"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The data source finds a key by id and by name and exposes its volatile
// fields; rotation_overdue follows the provider's clock.
func TestAccAPIKeyDataSource(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	config := `
resource "keymate_api_key" "test" {
  name          = "looked-up"
  scopes        = ["keys:read"]
  rotation_days = 30
}

data "keymate_api_key" "by_id" {
  id = keymate_api_key.test.id
}

data "keymate_api_key" "by_name" {
  name       = "looked-up"
  depends_on = [keymate_api_key.test]
}`
	byID, byName := "data.keymate_api_key.by_id", "data.keymate_api_key.by_name"
	sameKey := func(attr string) statecheck.StateCheck {
		return statecheck.CompareValuePairs(keyAddr, tfjsonpath.New(attr), byName, tfjsonpath.New(attr), compare.ValuesSame())
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config: `
data "keymate_api_key" "both" {
  id   = "key_x"
  name = "x"
}`,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
			},
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(keyAddr, tfjsonpath.New("id"), byID, tfjsonpath.New("id"), compare.ValuesSame()),
					sameKey("id"),
					sameKey("secret_fingerprint"),
					sameKey("scopes"),
					sameKey("next_rotation_at"),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("name"), knownvalue.StringExact("looked-up")),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("secret_source"), knownvalue.StringExact("generated")),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("rotation_grace_period"), knownvalue.StringExact("24h0m0s")),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("version"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("rotation_overdue"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("previous_secret_expires_at"), knownvalue.Null()),
				},
			},
			{
				// 31 days later the data source reports the key overdue; the
				// resource plans its rotation.
				PreConfig:          func() { inst.Clock.Advance(31 * 24 * time.Hour) },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config + `
data "keymate_api_key" "missing" {
  name = "no-such-key"
}`,
				ExpectError: regexp.MustCompile(`(?s)No Keymate API key that is not revoked is named\s+"no-such-key"`),
			},
			{
				Config: config + `
data "keymate_api_key" "missing" {
  id = "key_doesnotexist"
}`,
				ExpectError: regexp.MustCompile(`(?s)No Keymate API key has id\s+"key_doesnotexist"`),
			},
			{
				// Leave a valid configuration for the final destroy.
				Config: config,
			},
		},
	})
}

// rotation_overdue is true only for an active key whose next_rotation_at has
// passed by the given clock.
func TestAPIKeyDataSourceRotationOverdue(t *testing.T) {
	next := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		status string
		now    time.Time
		want   bool
	}{
		{apiv1.KeyStatusActive, next.Add(-time.Second), false},
		{apiv1.KeyStatusActive, next, true},
		{apiv1.KeyStatusRevoked, next.Add(time.Hour), false},
	} {
		m, diags := apiKeyDataSourceModelFrom(context.Background(), &apiv1.APIKey{Status: tc.status, NextRotationAt: next}, tc.now)
		if diags.HasError() {
			t.Fatal(diags)
		}
		if m.RotationOverdue.ValueBool() != tc.want {
			t.Errorf("status %s at %s: rotation_overdue = %v, want %v", tc.status, tc.now, m.RotationOverdue.ValueBool(), tc.want)
		}
	}
}
