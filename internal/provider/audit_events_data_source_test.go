package provider

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// auditHistory is what newAuditHistory made happen on a test server.
type auditHistory struct {
	keyA, keyB, writerID string
	secrets              []string // every secret involved, none of which may reach state
}

// newAuditHistory makes a known audit trail, one hour apart from the
// server's start time: +1h create key A, +2h rename A, +3h rotate A, +4h a
// second key (writer) creates key B.
func newAuditHistory(t *testing.T, inst *servertest.Instance) auditHistory {
	t.Helper()
	ctx := context.Background()
	admin := testClient(t, inst)
	h := auditHistory{secrets: []string{inst.AdminKey}}

	inst.Clock.Advance(time.Hour)
	a, err := admin.CreateAPIKey(ctx, apiv1.CreateAPIKeyRequest{Name: "audited", Scopes: []string{"keys:read"}})
	if err != nil {
		t.Fatal(err)
	}
	h.keyA = a.ID
	h.secrets = append(h.secrets, a.Secret)

	inst.Clock.Advance(time.Hour)
	if _, err := admin.UpdateAPIKey(ctx, a.ID, apiv1.UpdateAPIKeyRequest{Name: new("audited-renamed")}); err != nil {
		t.Fatal(err)
	}

	inst.Clock.Advance(time.Hour)
	rotated, err := admin.RotateAPIKey(ctx, a.ID, apiv1.RotateAPIKeyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	h.secrets = append(h.secrets, rotated.Secret)

	inst.Clock.Advance(time.Hour)
	writerID, writerSecret := inst.NewKey(t, "keys:read", "keys:write")
	h.writerID = writerID
	h.secrets = append(h.secrets, writerSecret)
	writer, err := client.New(client.Config{Endpoint: inst.URL, APIKey: writerSecret})
	if err != nil {
		t.Fatal(err)
	}
	b, err := writer.CreateAPIKey(ctx, apiv1.CreateAPIKeyRequest{Name: "made-by-writer", Scopes: []string{"keys:read"}})
	if err != nil {
		t.Fatal(err)
	}
	h.keyB = b.ID
	h.secrets = append(h.secrets, b.Secret)
	return h
}

// checkNoSecretInState fails when any of secrets appears in any attribute of
// any resource or data source in state.
func checkNoSecretInState(secrets []string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for addr, rs := range s.RootModule().Resources {
			for attr, v := range rs.Primary.Attributes {
				for _, secret := range secrets {
					if secret != "" && strings.Contains(v, secret) {
						return fmt.Errorf("%s.%s holds a secret value", addr, attr)
					}
				}
			}
		}
		return nil
	}
}

func eventAction(action string) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{"action": knownvalue.StringExact(action)})
}

// The data source filters the audit trail by object, time range, action and
// actor, returns events newest first with the changed field names, and never
// holds a secret: after a rotation the events name "secret" as a changed
// field and no secret value appears anywhere in state.
func TestAccAuditEventsDataSource(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	h := newAuditHistory(t, inst)
	config := fmt.Sprintf(`
data "keymate_audit_events" "key_a" {
  object_type = "api_key"
  object_id   = %[1]q
}

data "keymate_audit_events" "window" {
  object_id = %[1]q
  since     = "2026-01-01T02:00:00+01:00"
  until     = "2026-01-01T03:00:00Z"
}

data "keymate_audit_events" "rotations" {
  action = "api_key.rotate"
}

data "keymate_audit_events" "by_writer" {
  actor_key_id = %[2]q
}

data "keymate_audit_events" "newest_two" {
  object_type = "api_key"
  limit       = 2
}
`, h.keyA, h.writerID)
	keyA := "data.keymate_audit_events.key_a"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(keyA, tfjsonpath.New("limit"), knownvalue.Int64Exact(defaultAuditEventsLimit)),
				statecheck.ExpectKnownValue(keyA, tfjsonpath.New("events"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":           knownvalue.StringRegexp(regexp.MustCompile(`^evt_`)),
						"time":         knownvalue.StringExact("2026-01-01T03:00:00Z"),
						"actor_key_id": knownvalue.StringRegexp(regexp.MustCompile(`^key_`)),
						"action":       knownvalue.StringExact("api_key.rotate"),
						"object_type":  knownvalue.StringExact("api_key"),
						"object_id":    knownvalue.StringExact(h.keyA),
						"request_id":   knownvalue.NotNull(),
						"changed_fields": knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("next_rotation_at"),
							knownvalue.StringExact("previous_secret_expires_at"),
							knownvalue.StringExact("rotated_at"),
							knownvalue.StringExact("secret"),
							knownvalue.StringExact("secret_fingerprint"),
							knownvalue.StringExact("secret_source"),
						}),
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"action":         knownvalue.StringExact("api_key.update"),
						"time":           knownvalue.StringExact("2026-01-01T02:00:00Z"),
						"changed_fields": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("name")}),
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"action": knownvalue.StringExact("api_key.create"),
						"time":   knownvalue.StringExact("2026-01-01T01:00:00Z"),
					}),
				})),
				// since is inclusive (01:00Z written as 02:00+01:00), until exclusive.
				statecheck.ExpectKnownValue("data.keymate_audit_events.window", tfjsonpath.New("events"),
					knownvalue.ListExact([]knownvalue.Check{eventAction("api_key.update"), eventAction("api_key.create")})),
				statecheck.ExpectKnownValue("data.keymate_audit_events.rotations", tfjsonpath.New("events"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"object_id": knownvalue.StringExact(h.keyA),
					})})),
				statecheck.ExpectKnownValue("data.keymate_audit_events.by_writer", tfjsonpath.New("events"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"action":       knownvalue.StringExact("api_key.create"),
						"object_id":    knownvalue.StringExact(h.keyB),
						"actor_key_id": knownvalue.StringExact(h.writerID),
					})})),
				statecheck.ExpectKnownValue("data.keymate_audit_events.newest_two", tfjsonpath.New("events"),
					knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"object_id": knownvalue.StringExact(h.keyB)}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"object_id": knownvalue.StringExact(h.writerID)}),
					})),
			},
			Check: checkNoSecretInState(h.secrets),
		}},
	})
}

// More events than fit on one API page are read page by page, newest first,
// without repeating or skipping any, up to limit.
func TestAccAuditEventsDataSource_pagination(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	ctx := context.Background()
	c := testClient(t, inst)
	key, err := c.CreateAPIKey(ctx, apiv1.CreateAPIKeyRequest{Name: "busy", Scopes: []string{"keys:read"}})
	if err != nil {
		t.Fatal(err)
	}
	const updates = 130 // with the create: 131 events, two pages of 100
	for i := 1; i <= updates; i++ {
		inst.Clock.Advance(time.Second)
		if _, err := c.UpdateAPIKey(ctx, key.ID, apiv1.UpdateAPIKeyRequest{Description: new("change " + strconv.Itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}
	newest := "2026-01-01T00:02:10Z" // the 130th update
	config := fmt.Sprintf(`
data "keymate_audit_events" "all" {
  object_id = %[1]q
  limit     = 1000
}

data "keymate_audit_events" "first_105" {
  object_id = %[1]q
  limit     = 105
}
`, key.ID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.keymate_audit_events.all", tfjsonpath.New("events").AtSliceIndex(0).AtMapKey("time"),
					knownvalue.StringExact(newest)),
				statecheck.ExpectKnownValue("data.keymate_audit_events.all", tfjsonpath.New("events").AtSliceIndex(updates).AtMapKey("action"),
					knownvalue.StringExact("api_key.create")),
				statecheck.ExpectKnownValue("data.keymate_audit_events.first_105", tfjsonpath.New("events").AtSliceIndex(0).AtMapKey("time"),
					knownvalue.StringExact(newest)),
				statecheck.ExpectKnownValue("data.keymate_audit_events.first_105", tfjsonpath.New("events").AtSliceIndex(104).AtMapKey("time"),
					knownvalue.StringExact("2026-01-01T00:00:26Z")), // the 26th update: 105 newest, none skipped
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.keymate_audit_events.all", "events.#", strconv.Itoa(updates+1)),
				resource.TestCheckResourceAttr("data.keymate_audit_events.first_105", "events.#", "105"),
				checkDistinctEventIDs("data.keymate_audit_events.all"),
			),
		}},
	})
}

// checkDistinctEventIDs fails when a data source lists an event twice.
func checkDistinctEventIDs(addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attrs := s.RootModule().Resources[addr].Primary.Attributes
		n, err := strconv.Atoi(attrs["events.#"])
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for i := range n {
			id := attrs[fmt.Sprintf("events.%d.id", i)]
			if seen[id] {
				return fmt.Errorf("event %s is listed twice", id)
			}
			seen[id] = true
		}
		return nil
	}
}

// Bad arguments are rejected at plan, naming the argument.
func TestAccAuditEventsDataSource_validation(t *testing.T) {
	t.Parallel()
	_, factories := testAccSetup(t)
	var steps []resource.TestStep
	for _, tc := range []struct{ config, want string }{
		{`limit = 0`, `(?s)limit.*between 1 and 1000`},
		{`limit = 1001`, `(?s)limit.*between 1 and 1000`},
		{`since = "yesterday"`, `(?s)since.*RFC 3339`},
		{`until = "2026-13-01T00:00:00Z"`, `(?s)until.*RFC 3339`},
		{"since = \"2026-02-01T00:00:00Z\"\n  until = \"2026-01-01T00:00:00Z\"", `(?s)until.*is before since`},
		{`action = ""`, `(?s)action.*at least 1`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      "data \"keymate_audit_events\" \"bad\" {\n  " + tc.config + "\n}",
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: steps})
}

// Events keep the API's order, and an event without changed fields gets an
// empty list rather than null.
func TestAuditEventModels(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	got := auditEventModels([]apiv1.AuditEvent{
		{ID: "evt_2", Time: at, Action: "api_key.revoke"},
		{ID: "evt_1", Time: at.Add(-time.Hour), Action: "api_key.rotate", ChangedFields: []string{"secret"}},
	})
	if len(got) != 2 || got[0].ID.ValueString() != "evt_2" || got[1].ID.ValueString() != "evt_1" {
		t.Fatalf("events = %v, want evt_2 then evt_1", got)
	}
	if got[0].ChangedFields == nil || len(got[0].ChangedFields) != 0 {
		t.Errorf("changed_fields of an event without changes = %#v, want an empty list", got[0].ChangedFields)
	}
	if got[0].Time.ValueString() != "2026-03-01T12:00:00Z" {
		t.Errorf("time = %s, want 2026-03-01T12:00:00Z", got[0].Time.ValueString())
	}
}
