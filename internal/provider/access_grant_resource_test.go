package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/customtypes"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

const grantAddr = "keymate_access_grant.test"

// checkAccess asks the API whether principal may perform action on target
// and compares the answer with want.
func checkAccess(t *testing.T, inst *servertest.Instance, principal apiv1.Principal, action, target string, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		res, err := testClient(t, inst).CheckAccess(context.Background(), apiv1.AccessCheckRequest{
			Principal: principal, Action: action, Resource: target,
		})
		if err != nil {
			return err
		}
		if res.Allowed != want {
			return fmt.Errorf("access check %s %s on %s: allowed = %v (%s), want %v", principal.ID, action, target, res.Allowed, res.Reason, want)
		}
		return nil
	}
}

// Create, update in place, import, clear the expiry, replace on a new
// principal and destroy: the life cycle, with the values checked in state and
// in the API.
func TestAccAccessGrantResource_lifecycle(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var firstID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: `
resource "keymate_access_grant" "test" {
  principal     = { type = "team", id = "sre" }
  role          = "operator"
  resource      = "alert-rules/*"
  justification = "On-call engineers tune alert rules"
  ticket        = "SEC-1"
  expires_at    = "2026-06-30T02:00:00+02:00"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(grantAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^ag_`))),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("principal"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"type": knownvalue.StringExact("team"), "id": knownvalue.StringExact("sre"),
					})),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("role"), knownvalue.StringExact("operator")),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("resource"), knownvalue.StringExact("alert-rules/*")),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("ticket"), knownvalue.StringExact("SEC-1")),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("review_interval_days"), knownvalue.Int64Exact(90)),
					// The configured spelling is kept although the API answers in UTC.
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("expires_at"), knownvalue.StringExact("2026-06-30T02:00:00+02:00")),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("created_at"), knownvalue.StringExact("2026-01-01T00:00:00Z")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					captureAttr(grantAddr, "id", &firstID),
					checkAccess(t, inst, apiv1.Principal{Type: "team", ID: "sre"}, "alerts:write", "alert-rules/ar_1", true),
				),
			},
			{
				// Everything the API patches changes in place; the expiry is
				// the same instant written in UTC, so it does not change.
				Config: `
resource "keymate_access_grant" "test" {
  principal            = { type = "team", id = "sre" }
  role                 = "viewer"
  resource             = "*"
  justification        = "On-call engineers read everything"
  ticket               = "SEC-2"
  review_interval_days = 30
  expires_at           = "2026-06-30T00:00:00Z"
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(grantAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(grantAddr, tfjsonpath.New("expires_at"), knownvalue.StringExact("2026-06-30T02:00:00+02:00")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(grantAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("role"), knownvalue.StringExact("viewer")),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("resource"), knownvalue.StringExact("*")),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("justification"), knownvalue.StringExact("On-call engineers read everything")),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("ticket"), knownvalue.StringExact("SEC-2")),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("review_interval_days"), knownvalue.Int64Exact(30)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkAccess(t, inst, apiv1.Principal{Type: "team", ID: "sre"}, "alerts:write", "alert-rules/ar_1", false),
					checkAccess(t, inst, apiv1.Principal{Type: "team", ID: "sre"}, "keys:read", "api-keys/key_1", true),
				),
			},
			{
				ResourceName:      grantAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// Written differently in the configuration; compared below as
				// the same instant.
				ImportStateVerifyIgnore: []string{"expires_at"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if got := states[0].Attributes["expires_at"]; got != "2026-06-30T00:00:00Z" {
						return fmt.Errorf("imported expires_at = %q, want 2026-06-30T00:00:00Z", got)
					}
					return nil
				},
			},
			{
				// Removing expires_at clears it through a merge-patch null,
				// and removing ticket sets it back to "".
				Config: `
resource "keymate_access_grant" "test" {
  principal            = { type = "team", id = "sre" }
  role                 = "viewer"
  resource             = "*"
  justification        = "On-call engineers read everything"
  review_interval_days = 30
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(grantAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(grantAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("expires_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("ticket"), knownvalue.StringExact("")),
				},
				Check: func(*terraform.State) error {
					g, err := c.GetAccessGrant(context.Background(), firstID)
					if err != nil {
						return err
					}
					if g.ExpiresAt != nil || g.Ticket != "" {
						return fmt.Errorf("API still has expires_at %v and ticket %q", g.ExpiresAt, g.Ticket)
					}
					return nil
				},
			},
			{
				// The API cannot change a principal: a new one replaces the
				// grant, and the old grant is revoked.
				Config: `
resource "keymate_access_grant" "test" {
  principal            = { type = "user", id = "alice" }
  role                 = "viewer"
  resource             = "*"
  justification        = "On-call engineers read everything"
  review_interval_days = 30
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(grantAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrWith(grantAddr, "id", func(v string) error {
						if v == firstID {
							return fmt.Errorf("a new principal must give a new grant, got the same id %s", v)
						}
						return nil
					}),
					func(*terraform.State) error {
						g, err := c.GetAccessGrant(context.Background(), firstID)
						if err != nil {
							return err
						}
						if g.Status != apiv1.GrantStatusRevoked {
							return fmt.Errorf("the replaced grant has status %q, want revoked", g.Status)
						}
						return nil
					},
					checkAccess(t, inst, apiv1.Principal{Type: "user", ID: "alice"}, "keys:read", "api-keys/key_1", true),
					checkAccess(t, inst, apiv1.Principal{Type: "team", ID: "sre"}, "keys:read", "api-keys/key_1", false),
				),
			},
		},
	})
}

const grantDriftConfig = `
resource "keymate_access_grant" "test" {
  principal     = { type = "service_account", id = "deployer" }
  role          = "operator"
  resource      = "api-keys/*"
  justification = "Deploys rotate their own keys"
}`

// Changes made outside Terraform show in the plan: a grant patched through
// the API plans an update back to the configuration, and a grant revoked
// through the API plans a new one.
func TestAccAccessGrantResource_outOfBand(t *testing.T) {
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
				Config:            grantDriftConfig,
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(grantAddr, tfjsonpath.New("id"))},
				Check:             captureAttr(grantAddr, "id", &id),
			},
			{
				PreConfig: func() {
					role, justification := apiv1.RoleAdmin, "widened by hand"
					if _, err := c.UpdateAccessGrant(context.Background(), id, apiv1.UpdateAccessGrantRequest{
						Role: &role, Justification: &justification,
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config: grantDriftConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(grantAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(grantAddr, tfjsonpath.New("role"), knownvalue.StringExact("operator")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(grantAddr, tfjsonpath.New("id"))},
				Check: func(*terraform.State) error {
					g, err := c.GetAccessGrant(context.Background(), id)
					if err != nil {
						return err
					}
					if g.Role != apiv1.RoleOperator || g.Justification != "Deploys rotate their own keys" {
						return fmt.Errorf("apply did not restore the grant: role %q justification %q", g.Role, g.Justification)
					}
					return nil
				},
			},
			recreateStep(t, grantAddr, grantDriftConfig, &id, c.RevokeAccessGrant),
		},
	})
}

const expiringGrantConfig = `
resource "keymate_access_grant" "test" {
  principal     = { type = "service_account", id = "migration" }
  role          = "operator"
  resource      = "alert-rules/*"
  justification = "One-off migration of alert rules"
  expires_at    = "2026-01-03T00:00:00Z"
}

data "keymate_access_grants" "migration" {
  principal_id = keymate_access_grant.test.principal.id
}`

// A grant stops granting when the clock passes expires_at: the access check
// is denied, the data source shows status "expired", and the grant stays in
// state with an empty plan (Terraform does not silently recreate it).
func TestAccAccessGrantResource_expiresWithClock(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	migration := apiv1.Principal{Type: apiv1.PrincipalServiceAccount, ID: "migration"}
	ds := "data.keymate_access_grants.migration"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: expiringGrantConfig,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(grantAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("grants").AtSliceIndex(0).AtMapKey("status"), knownvalue.StringExact("active")),
				},
				Check: checkAccess(t, inst, migration, "alerts:write", "alert-rules/ar_9", true),
			},
			{
				PreConfig: func() { inst.Clock.Advance(3 * 24 * time.Hour) },
				Config:    expiringGrantConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(grantAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("expires_at"), knownvalue.StringExact("2026-01-03T00:00:00Z")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("grants"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("grants").AtSliceIndex(0).AtMapKey("status"), knownvalue.StringExact("expired")),
				},
				Check: checkAccess(t, inst, migration, "alerts:write", "alert-rules/ar_9", false),
			},
		},
	})
}

// reviewGrantConfig is a grant and two views of it: all of the principal's
// grants, and the ones overdue for review.
const reviewGrantConfig = `
resource "keymate_access_grant" "test" {
  principal            = { type = "user", id = "bob" }
  role                 = "auditor"
  resource             = "*"
  justification        = "Quarterly audit"
  review_interval_days = 30
}

data "keymate_access_grants" "bob" {
  principal_type = "user"
  principal_id   = keymate_access_grant.test.principal.id
}

data "keymate_access_grants" "overdue" {
  review_overdue = true
  principal_id   = keymate_access_grant.test.principal.id
}`

// A review recorded through the API shows in the data source
// (last_reviewed_at, next_review_at), and a grant whose review date passes
// is listed as overdue, while the resource's plan stays empty.
func TestAccAccessGrantsDataSource_review(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	bob := tfjsonpath.New("grants").AtSliceIndex(0)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: reviewGrantConfig,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.keymate_access_grants.bob", bob.AtMapKey("last_reviewed_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.keymate_access_grants.bob", bob.AtMapKey("next_review_at"), knownvalue.StringExact("2026-01-31T00:00:00Z")),
					statecheck.ExpectKnownValue("data.keymate_access_grants.bob", bob.AtMapKey("review_overdue"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.keymate_access_grants.overdue", tfjsonpath.New("grants"), knownvalue.ListSizeExact(0)),
				},
				Check: captureAttr(grantAddr, "id", &id),
			},
			{
				PreConfig: func() {
					inst.Clock.Advance(10 * 24 * time.Hour)
					if _, err := c.ReviewAccessGrant(context.Background(), id, apiv1.ReviewAccessGrantRequest{
						Reviewer: "carol", Decision: apiv1.ReviewDecisionKeep, Comment: "still needed for the audit",
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config: reviewGrantConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.keymate_access_grants.bob", bob.AtMapKey("id"), knownvalue.StringRegexp(regexp.MustCompile(`^ag_`))),
					statecheck.ExpectKnownValue("data.keymate_access_grants.bob", bob.AtMapKey("last_reviewed_at"), knownvalue.StringExact("2026-01-11T00:00:00Z")),
					statecheck.ExpectKnownValue("data.keymate_access_grants.bob", bob.AtMapKey("next_review_at"), knownvalue.StringExact("2026-02-10T00:00:00Z")),
					statecheck.ExpectKnownValue("data.keymate_access_grants.bob", bob.AtMapKey("status"), knownvalue.StringExact("active")),
				},
			},
			{
				PreConfig: func() { inst.Clock.Advance(31 * 24 * time.Hour) }, // past 2026-02-10
				Config:    reviewGrantConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.keymate_access_grants.bob", bob.AtMapKey("review_overdue"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.keymate_access_grants.overdue", tfjsonpath.New("grants"), knownvalue.ListSizeExact(1)),
				},
			},
		},
	})
}

// The data source's filters combine: by role, principal type and status,
// with revoked grants listed only when asked for.
func TestAccAccessGrantsDataSource_filters(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	revoked, err := testClient(t, inst).CreateAccessGrant(context.Background(), apiv1.CreateAccessGrantRequest{
		Principal: apiv1.Principal{Type: apiv1.PrincipalUser, ID: "mallory"}, Role: apiv1.RoleViewer, Resource: "*",
		Justification: "left the company",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := testClient(t, inst).RevokeAccessGrant(context.Background(), revoked.ID); err != nil {
		t.Fatal(err)
	}
	// principals checks the principal ids of a data source's grants, in order.
	principals := func(name string, want ...string) statecheck.StateCheck {
		checks := make([]knownvalue.Check, len(want))
		for i, id := range want {
			checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"principal": knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)}),
			})
		}
		return statecheck.ExpectKnownValue("data.keymate_access_grants."+name, tfjsonpath.New("grants"), knownvalue.ListExact(checks))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{{
			Config: `
resource "keymate_access_grant" "admin" {
  principal     = { type = "user", id = "root-oncall" }
  role          = "admin"
  resource      = "*"
  justification = "Break-glass access"
  expires_at    = "2026-01-08T00:00:00Z"
}

resource "keymate_access_grant" "team" {
  principal     = { type = "team", id = "payments" }
  role          = "viewer"
  resource      = "api-keys/*"
  justification = "Payments reads its keys"
}

data "keymate_access_grants" "admins" {
  role       = "admin"
  depends_on = [keymate_access_grant.admin, keymate_access_grant.team]
}

data "keymate_access_grants" "teams" {
  principal_type = "team"
  depends_on     = [keymate_access_grant.admin, keymate_access_grant.team]
}

data "keymate_access_grants" "active_viewers" {
  role       = "viewer"
  status     = "active"
  depends_on = [keymate_access_grant.admin, keymate_access_grant.team]
}

data "keymate_access_grants" "revoked" {
  status     = "revoked"
  depends_on = [keymate_access_grant.admin, keymate_access_grant.team]
}

data "keymate_access_grants" "all" {
  depends_on = [keymate_access_grant.admin, keymate_access_grant.team]
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				principals("admins", "root-oncall"),
				principals("teams", "payments"),
				principals("active_viewers", "payments"),
				principals("revoked", "mallory"),
				statecheck.ExpectKnownValue("data.keymate_access_grants.all", tfjsonpath.New("grants"), knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownValue("data.keymate_access_grants.admins", tfjsonpath.New("grants").AtSliceIndex(0).AtMapKey("expires_at"),
					knownvalue.StringExact("2026-01-08T00:00:00Z")),
				statecheck.ExpectKnownValue("data.keymate_access_grants.admins", tfjsonpath.New("grants").AtSliceIndex(0).AtMapKey("justification"),
					knownvalue.StringExact("Break-glass access")),
			},
		}},
	})
}

// Bad arguments fail at plan, before any API call, with the attribute named.
func TestAccAccessGrantResource_validation(t *testing.T) {
	t.Parallel()
	_, factories := testAccSetup(t)
	cfg := func(extra string) string {
		return fmt.Sprintf(`
resource "keymate_access_grant" "test" {
  principal     = { type = "user", id = "dave" }
  role          = "viewer"
  resource      = "*"
  justification = "testing"
  %s
}`, extra)
	}
	var steps []resource.TestStep
	for _, tc := range []struct{ config, want string }{
		{cfg(`expires_at = "2025-12-31T00:00:00Z"`), `(?s)expires_at.*2025-12-31T00:00:00Z is in the past`},
		{cfg(`expires_at = "soon"`), `(?s)expires_at.*not an RFC 3339 timestamp`},
		{strings.Replace(cfg(""), `"viewer"`, `"owner"`, 1), `(?s)role.*value must be one of`},
		{strings.Replace(cfg(""), `type = "user"`, `type = "group"`, 1), `(?s)principal.type.*value must be one of`},
		{strings.Replace(cfg(""), `id = "dave"`, `id = ""`, 1), `(?s)principal.id.*must\s+not\s+be\s+empty`},
		{strings.Replace(cfg(""), `"*"`, `"widgets/*"`, 1), `(?s)resource.*unknown collection "widgets"`},
		{strings.Replace(cfg(""), `"testing"`, `""`, 1), `(?s)justification.*must\s+not\s+be\s+empty`},
		{cfg(`review_interval_days = 366`), `(?s)review_interval_days.*between 1 and 365`},
		{strings.Replace(cfg(""), `"testing"`, `"   "`, 1), `(?s)justification.*must\s+not\s+be\s+empty`},
	} {
		steps = append(steps, resource.TestStep{Config: tc.config, PlanOnly: true, ExpectError: regexp.MustCompile(tc.want)})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: steps})
}

// An expires_at changed to a time in the past fails at plan like one set on
// create; the applied expiry is left alone.
func TestAccAccessGrantResource_pastExpiryOnChange(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	cfg := func(expiresAt string) string {
		return fmt.Sprintf(`
resource "keymate_access_grant" "test" {
  principal     = { type = "user", id = "erin" }
  role          = "viewer"
  resource      = "*"
  justification = "testing"
  expires_at    = %q
}`, expiresAt)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{Config: cfg("2026-02-01T00:00:00Z")},
			{
				PreConfig:   func() { inst.Clock.Advance(24 * time.Hour) },
				Config:      cfg("2026-01-01T12:00:00Z"),
				ExpectError: regexp.MustCompile(`(?s)expires_at.*2026-01-01T12:00:00Z is in the past`),
			},
		},
	})
}

const adminGrantWithoutExpiry = `
resource "keymate_access_grant" "test" {
  principal     = { type = "user", id = "frank" }
  role          = "admin"
  resource      = "*"
  justification = "Platform owner"
}`

// An admin grant without expiry breaks the guide: under policy "enforce" the
// plan fails naming control KM-ACCESS-001 on expires_at; with an expiry the
// same grant applies; under "warn" it applies as well.
func TestAccAccessGrantResource_policy(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config:      `provider "keymate" { policy = "enforce" }` + adminGrantWithoutExpiry,
				ExpectError: regexp.MustCompile(`(?s)KM-ACCESS-001: Admin access grant without an expiry.*expires_at`),
			},
			{
				Config: `provider "keymate" { policy = "enforce" }` +
					strings.Replace(adminGrantWithoutExpiry, `justification = "Platform owner"`,
						`justification = "Platform owner"
  expires_at    = "2026-03-31T00:00:00Z"`, 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("role"), knownvalue.StringExact("admin")),
				},
			},
			{
				Config: `provider "keymate" { policy = "warn" }` + adminGrantWithoutExpiry,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(grantAddr, tfjsonpath.New("expires_at"), knownvalue.Null()),
				},
			},
		},
	})
}

// grantModel returns a resource model for the merge-patch tests.
func grantModel() accessGrantResourceModel {
	return accessGrantResourceModel{
		Principal:          principalObject(apiv1.Principal{Type: apiv1.PrincipalTeam, ID: "sre"}),
		Role:               types.StringValue(apiv1.RoleOperator),
		Resource:           types.StringValue("alert-rules/*"),
		ExpiresAt:          customtypes.NewValue[customtypes.RFC3339]("2026-06-01T00:00:00Z"),
		Justification:      types.StringValue("on call"),
		Ticket:             types.StringValue("SEC-1"),
		ReviewIntervalDays: types.Int64Value(90),
	}
}

// The merge patch holds exactly the fields that changed; an expiry written
// differently for the same instant is no change, and a removed expiry is
// sent as null.
func TestAccessGrantUpdateRequest(t *testing.T) {
	ctx := context.Background()
	state := grantModel()

	plan := grantModel()
	plan.ExpiresAt = customtypes.NewValue[customtypes.RFC3339]("2026-06-01T02:00:00+02:00")
	if patch, changed, _ := accessGrantUpdateRequest(ctx, plan, state); changed {
		t.Errorf("semantically equal values must not produce a patch: %+v", patch)
	}

	plan = grantModel()
	plan.Role = types.StringValue(apiv1.RoleViewer)
	plan.Ticket = types.StringValue("")
	plan.ExpiresAt = customtypes.NewNull[customtypes.RFC3339]()
	patch, changed, _ := accessGrantUpdateRequest(ctx, plan, state)
	if !changed || patch.Role == nil || *patch.Role != apiv1.RoleViewer || patch.Ticket == nil || *patch.Ticket != "" {
		t.Errorf("role and ticket changes missing from the patch: %+v", patch)
	}
	if !patch.ExpiresAt.Set || patch.ExpiresAt.Value != nil {
		t.Errorf("removed expires_at must be sent as null: %+v", patch.ExpiresAt)
	}
	if patch.Principal != nil || patch.Resource != nil || patch.Justification != nil || patch.ReviewIntervalDays != nil {
		t.Errorf("unchanged fields must be absent from the merge patch: %+v", patch)
	}

	plan = grantModel()
	plan.ExpiresAt = customtypes.NewValue[customtypes.RFC3339]("2026-07-01T00:00:00Z")
	plan.ReviewIntervalDays = types.Int64Value(30)
	patch, _, _ = accessGrantUpdateRequest(ctx, plan, state)
	if patch.ExpiresAt.Value == nil || *patch.ExpiresAt.Value != "2026-07-01T00:00:00Z" {
		t.Errorf("a new expiry must be sent: %+v", patch.ExpiresAt)
	}
	if patch.ReviewIntervalDays == nil || *patch.ReviewIntervalDays != 30 {
		t.Errorf("review_interval_days change missing: %+v", patch)
	}
}

// The documentation's role table lists every role with its permissions.
func TestRoleTable(t *testing.T) {
	table := roleTable()
	for _, role := range apiv1.Roles {
		line := fmt.Sprintf("| `%s` | %s |", role, quotedList(apiv1.RolePermissions[role]))
		if !strings.Contains(table, line) {
			t.Errorf("role table lacks %q:\n%s", line, table)
		}
	}
}

// review_overdue counts only active grants whose review date has passed.
func TestAccessGrantDataModelReviewOverdue(t *testing.T) {
	due := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	g := apiv1.AccessGrant{Status: apiv1.GrantStatusActive, NextReviewAt: due}
	if accessGrantDataModelFrom(&g, due.Add(-time.Second)).ReviewOverdue.ValueBool() {
		t.Error("a grant before its review date is not overdue")
	}
	if !accessGrantDataModelFrom(&g, due).ReviewOverdue.ValueBool() {
		t.Error("a grant at its review date is overdue")
	}
	g.Status = apiv1.GrantStatusExpired
	if accessGrantDataModelFrom(&g, due.Add(time.Hour)).ReviewOverdue.ValueBool() {
		t.Error("an expired grant needs no review")
	}
}
