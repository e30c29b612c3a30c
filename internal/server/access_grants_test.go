package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

const day = 24 * time.Hour

// createGrant creates an access grant as the admin and returns it.
func createGrant(t *testing.T, inst *servertest.Instance, req apiv1.CreateAccessGrantRequest) apiv1.AccessGrant {
	t.Helper()
	if req.Justification == "" {
		req.Justification = "needed for the test"
	}
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/access-grants", inst.AdminKey, toJSON(t, req))
	mustStatus(t, resp, body, http.StatusCreated)
	return decode[apiv1.AccessGrant](t, body)
}

// checkAccess asks the server whether principal may do action on resource.
func checkAccess(t *testing.T, inst *servertest.Instance, principal apiv1.Principal, action, resource string) apiv1.AccessCheckResult {
	t.Helper()
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/access-checks", inst.AdminKey,
		toJSON(t, apiv1.AccessCheckRequest{Principal: principal, Action: action, Resource: resource}))
	mustStatus(t, resp, body, http.StatusOK)
	return decode[apiv1.AccessCheckResult](t, body)
}

// TestAccessGrantLifecycle proves the happy path of every access grant
// endpoint: create with defaults, read, list, update, clear the expiry and
// revoke (the grant stays readable as revoked).
func TestAccessGrantLifecycle(t *testing.T) {
	inst := servertest.Start(t)
	now := servertest.StartTime
	g := createGrant(t, inst, apiv1.CreateAccessGrantRequest{
		Principal: apiv1.Principal{Type: "team", ID: "sre"}, Role: "operator", Resource: "alert-rules/*", Ticket: "SEC-1",
	})
	if !strings.HasPrefix(g.ID, "ag_") || g.Status != apiv1.GrantStatusActive || g.Version != 1 || g.ReviewIntervalDays != 90 ||
		!g.NextReviewAt.Equal(now.Add(90*day)) || g.LastReviewedAt != nil || g.ExpiresAt != nil || g.Ticket != "SEC-1" {
		t.Fatalf("created = %+v", g)
	}

	resp, body := call(t, inst.URL, http.MethodGet, "/v1/access-grants/"+g.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if got := decode[apiv1.AccessGrant](t, body); got.ID != g.ID || resp.Header.Get("ETag") != `"1"` {
		t.Fatalf("get = %+v etag %s", got, resp.Header.Get("ETag"))
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/access-grants?principal_type=team&principal_id=sre&role=operator&status=active", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if list := decode[apiv1.AccessGrantList](t, body); len(list.Data) != 1 || list.Data[0].ID != g.ID {
		t.Fatalf("filtered list = %+v", list)
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/access-grants?role=viewer", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if list := decode[apiv1.AccessGrantList](t, body); len(list.Data) != 0 {
		t.Fatalf("role=viewer list = %+v, want none", list)
	}

	expires := now.Add(10 * day)
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/access-grants/"+g.ID, inst.AdminKey,
		fmt.Sprintf(`{"role":"viewer","resource":"*","expires_at":%q,"ticket":null,"review_interval_days":30}`, expires.Format(time.RFC3339)),
		"If-Match", `"1"`)
	mustStatus(t, resp, body, http.StatusOK)
	updated := decode[apiv1.AccessGrant](t, body)
	if updated.Role != "viewer" || updated.Resource != "*" || !updated.ExpiresAt.Equal(expires) || updated.Ticket != "" ||
		updated.ReviewIntervalDays != 30 || !updated.NextReviewAt.Equal(now.Add(30*day)) || updated.Version != 2 {
		t.Fatalf("updated = %+v", updated)
	}
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/access-grants/"+g.ID, inst.AdminKey, `{"expires_at":null}`)
	mustStatus(t, resp, body, http.StatusOK)
	if cleared := decode[apiv1.AccessGrant](t, body); cleared.ExpiresAt != nil || cleared.Version != 3 {
		t.Fatalf("expires_at null did not clear: %+v", cleared)
	}
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/access-grants/"+g.ID, inst.AdminKey, `{"principal":{"type":"team","id":"sre"}}`)
	mustStatus(t, resp, body, http.StatusOK)
	if same := decode[apiv1.AccessGrant](t, body); same.Version != 3 {
		t.Fatalf("an unchanged principal must be no change: %+v", same)
	}

	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/access-grants/"+g.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/access-grants/"+g.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if revoked := decode[apiv1.AccessGrant](t, body); revoked.Status != apiv1.GrantStatusRevoked || revoked.Version != 4 {
		t.Fatalf("revoked grant = %+v", revoked)
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/access-grants?status=revoked", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if list := decode[apiv1.AccessGrantList](t, body); len(list.Data) != 1 {
		t.Fatalf("status=revoked list = %+v", list)
	}
	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/access-grants/"+g.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNotFound)
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/access-grants/"+g.ID, inst.AdminKey, `{"role":"admin"}`)
	mustStatus(t, resp, body, http.StatusConflict)
}

// TestAccessGrantErrors proves 422 naming each bad field (unknown role, bad
// resource pattern, past expires_at, a changed principal ...), 404 for an
// unknown grant, 412 for a stale If-Match, 403 for a role beyond the
// caller's scopes, and that a retried create with the same Idempotency-Key
// creates one grant.
func TestAccessGrantErrors(t *testing.T) {
	inst := servertest.Start(t)
	past := servertest.StartTime.Add(-time.Hour).Format(time.RFC3339)
	bad := []struct{ body, path string }{
		{`{"principal":{"type":"user","id":"a"},"role":"owner","resource":"*","justification":"j"}`, "role"},
		{`{"principal":{"type":"user","id":"a"},"role":"viewer","resource":"keys/*","justification":"j"}`, "resource"},
		{`{"principal":{"type":"user","id":"a"},"role":"viewer","resource":"api-keys/a b","justification":"j"}`, "resource"},
		{`{"principal":{"type":"user","id":"a"},"role":"viewer","resource":"*","justification":"j","expires_at":"` + past + `"}`, "expires_at"},
		{`{"principal":{"type":"user","id":"a"},"role":"viewer","resource":"*","justification":"j","expires_at":"tomorrow"}`, "expires_at"},
		{`{"principal":{"type":"robot","id":"a"},"role":"viewer","resource":"*","justification":"j"}`, "principal.type"},
		{`{"principal":{"type":"user","id":""},"role":"viewer","resource":"*","justification":"j"}`, "principal.id"},
		{`{"role":"viewer","resource":"*","justification":"j"}`, "principal"},
		{`{"principal":{"type":"user","id":"a"},"role":"viewer","resource":"*"}`, "justification"},
		{`{"principal":{"type":"user","id":"a"},"role":"viewer","resource":"*","justification":"j","review_interval_days":366}`, "review_interval_days"},
	}
	for _, tc := range bad {
		resp, body := call(t, inst.URL, http.MethodPost, "/v1/access-grants", inst.AdminKey, tc.body)
		mustStatus(t, resp, body, http.StatusUnprocessableEntity)
		if e := errorOf(t, body); len(e.Fields) == 0 || e.Fields[0].Path != tc.path {
			t.Errorf("%s: fields = %+v, want %s", tc.body, e.Fields, tc.path)
		}
	}

	g := createGrant(t, inst, apiv1.CreateAccessGrantRequest{Principal: apiv1.Principal{Type: "user", ID: "alice"}, Role: "viewer", Resource: "*"})
	resp, body := call(t, inst.URL, http.MethodPatch, "/v1/access-grants/"+g.ID, inst.AdminKey, `{"principal":{"type":"user","id":"bob"}}`)
	mustStatus(t, resp, body, http.StatusUnprocessableEntity)
	if e := errorOf(t, body); e.Fields[0].Path != "principal" {
		t.Fatalf("fields = %+v, want principal", e.Fields)
	}
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/access-grants/"+g.ID, inst.AdminKey, `{"expires_at":"`+past+`","role":null}`)
	mustStatus(t, resp, body, http.StatusUnprocessableEntity)
	if e := errorOf(t, body); len(e.Fields) != 2 || e.Fields[0].Path != "role" || e.Fields[1].Path != "expires_at" {
		t.Fatalf("fields = %+v, want role and expires_at", e.Fields)
	}
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/access-grants/"+g.ID, inst.AdminKey, `{"role":"operator"}`, "If-Match", `"7"`)
	mustStatus(t, resp, body, http.StatusPreconditionFailed)
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/access-grants?status=gone&review_overdue=maybe", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusUnprocessableEntity)
	if e := errorOf(t, body); len(e.Fields) != 2 {
		t.Fatalf("fields = %+v, want status and review_overdue", e.Fields)
	}

	for _, rt := range []struct{ method, path, body string }{
		{http.MethodGet, "/v1/access-grants/ag_missing", ""},
		{http.MethodPatch, "/v1/access-grants/ag_missing", `{"role":"viewer"}`},
		{http.MethodDelete, "/v1/access-grants/ag_missing", ""},
		{http.MethodPost, "/v1/access-grants/ag_missing/review", `{"reviewer":"r","decision":"keep"}`},
		{http.MethodGet, "/v1/access-grants/ag_missing/reviews", ""},
	} {
		resp, body := call(t, inst.URL, rt.method, rt.path, inst.AdminKey, rt.body)
		mustStatus(t, resp, body, http.StatusNotFound)
	}

	_, writer := inst.NewKey(t, "access:write", "access:read", "keys:read")
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/access-grants", writer,
		`{"principal":{"type":"user","id":"a"},"role":"admin","resource":"*","justification":"j"}`)
	mustStatus(t, resp, body, http.StatusForbidden)
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/access-grants", writer,
		`{"principal":{"type":"user","id":"a"},"role":"viewer","resource":"api-keys/*","justification":"j"}`)
	mustStatus(t, resp, body, http.StatusForbidden) // viewer permits channels:read, which the writer lacks

	reqBody := `{"principal":{"type":"service_account","id":"ci"},"role":"viewer","resource":"*","justification":"j"}`
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/access-grants", inst.AdminKey, reqBody, "Idempotency-Key", "grant-1")
	mustStatus(t, resp, body, http.StatusCreated)
	first := decode[apiv1.AccessGrant](t, body)
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/access-grants", inst.AdminKey, reqBody, "Idempotency-Key", "grant-1")
	mustStatus(t, resp, body, http.StatusCreated)
	if again := decode[apiv1.AccessGrant](t, body); again.ID != first.ID || resp.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retried create made %s, want the replay of %s", again.ID, first.ID)
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/access-grants?principal_type=service_account", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if list := decode[apiv1.AccessGrantList](t, body); len(list.Data) != 1 {
		t.Fatalf("%d service account grants, want 1", len(list.Data))
	}
}

// TestAccessCheckDecidesByActiveGrants proves that a matching grant allows
// and is named in decided_by, and that a weaker role, a narrower resource
// pattern and a grant whose expires_at the clock has passed all deny (the
// grant's status becoming "expired"): a denial names in decided_by every
// grant that fell short, and its reason says per grant why.
func TestAccessCheckDecidesByActiveGrants(t *testing.T) {
	inst := servertest.Start(t)
	alice := apiv1.Principal{Type: "user", ID: "alice"}
	expires := servertest.StartTime.Add(time.Hour)
	operator := createGrant(t, inst, apiv1.CreateAccessGrantRequest{Principal: alice, Role: "operator", Resource: "alert-rules/*", ExpiresAt: ptr(apiv1.TimeText(expires))})
	narrow := createGrant(t, inst, apiv1.CreateAccessGrantRequest{Principal: alice, Role: "admin", Resource: "api-keys/key_1"})
	both := []string{operator.ID, narrow.ID}
	denied := func(res apiv1.AccessCheckResult, wantIDs []string, wantReasons ...string) bool {
		if res.Allowed || !slices.Equal(res.DecidedBy, wantIDs) {
			return false
		}
		for _, want := range wantReasons {
			if !strings.Contains(res.Reason, want) {
				return false
			}
		}
		return true
	}

	if res := checkAccess(t, inst, alice, "alerts:write", "alert-rules/ar_1"); !res.Allowed || !slices.Equal(res.DecidedBy, []string{operator.ID}) ||
		!strings.Contains(res.Reason, operator.ID) {
		t.Fatalf("operator on alert-rules/* must allow alerts:write on alert-rules/ar_1: %+v", res)
	}
	if res := checkAccess(t, inst, alice, "admin", "api-keys/key_1"); !res.Allowed || !slices.Equal(res.DecidedBy, []string{narrow.ID}) {
		t.Fatalf("admin on api-keys/key_1 must allow admin there: %+v", res)
	}
	if res := checkAccess(t, inst, alice, "audit:read", "alert-rules/ar_1"); !denied(res, both,
		"grant "+operator.ID+" (operator on alert-rules/*) gives role operator, which does not permit audit:read",
		"grant "+narrow.ID+" (admin on api-keys/key_1) covers api-keys/key_1, not alert-rules/ar_1") {
		t.Fatalf("operator must not permit audit:read, nor admin on api-keys/key_1 cover alert-rules/ar_1: %+v", res)
	}
	if res := checkAccess(t, inst, alice, "keys:write", "api-keys/key_2"); !denied(res, both,
		"grant "+operator.ID+" (operator on alert-rules/*) covers alert-rules/*, not api-keys/key_2",
		"grant "+narrow.ID+" (admin on api-keys/key_1) covers api-keys/key_1, not api-keys/key_2") {
		t.Fatalf("neither grant covers api-keys/key_2: %+v", res)
	}
	if res := checkAccess(t, inst, apiv1.Principal{Type: "team", ID: "alice"}, "alerts:write", "alert-rules/ar_1"); !denied(res, []string{},
		"team alice has no access grants") {
		t.Fatalf("a grant to user alice must not count for team alice: %+v", res)
	}

	inst.Clock.Advance(time.Hour)
	expiredAt := expires.UTC().Format(time.RFC3339)
	if res := checkAccess(t, inst, alice, "alerts:write", "alert-rules/ar_1"); !denied(res, both,
		"grant "+operator.ID+" (operator on alert-rules/*) expired at "+expiredAt+";") {
		t.Fatalf("an expired grant must deny and be named: %+v", res)
	}
	if res := checkAccess(t, inst, alice, "audit:read", "alert-rules/ar_1"); !denied(res, both,
		"grant "+operator.ID+" (operator on alert-rules/*) expired at "+expiredAt+" and gives role operator, which does not permit audit:read") {
		t.Fatalf("every shortfall of a grant must be named: %+v", res)
	}
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/access-grants/"+operator.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if g := decode[apiv1.AccessGrant](t, body); g.Status != apiv1.GrantStatusExpired {
		t.Fatalf("status = %s, want expired", g.Status)
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/access-grants?status=expired", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if list := decode[apiv1.AccessGrantList](t, body); len(list.Data) != 1 || list.Data[0].ID != operator.ID {
		t.Fatalf("status=expired list = %+v", list)
	}

	resp, body = call(t, inst.URL, http.MethodPost, "/v1/access-checks", inst.AdminKey,
		`{"principal":{"type":"user","id":"alice"},"action":"alerts:fly","resource":"alert-rules/*"}`)
	mustStatus(t, resp, body, http.StatusUnprocessableEntity)
	if e := errorOf(t, body); len(e.Fields) != 2 || e.Fields[0].Path != "action" || e.Fields[1].Path != "resource" {
		t.Fatalf("fields = %+v, want action and resource", e.Fields)
	}
}

// TestAccessReviewIsRecordedAndRevokeEndsTheGrant proves that a review sets
// last_reviewed_at and moves next_review_at, is listed under the grant, and
// that decision revoke ends the grant so that access checks deny.
func TestAccessReviewIsRecordedAndRevokeEndsTheGrant(t *testing.T) {
	inst := servertest.Start(t)
	bob := apiv1.Principal{Type: "user", ID: "bob"}
	g := createGrant(t, inst, apiv1.CreateAccessGrantRequest{Principal: bob, Role: "viewer", Resource: "*", ReviewIntervalDays: ptr(int64(30))})

	inst.Clock.Advance(10 * day)
	reviewedAt := servertest.StartTime.Add(10 * day)
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/access-grants/"+g.ID+"/review", inst.AdminKey,
		`{"reviewer":"carol","decision":"keep","comment":"still needed"}`)
	mustStatus(t, resp, body, http.StatusOK)
	kept := decode[apiv1.AccessGrant](t, body)
	if kept.Status != apiv1.GrantStatusActive || kept.LastReviewedAt == nil || !kept.LastReviewedAt.Equal(reviewedAt) ||
		!kept.NextReviewAt.Equal(reviewedAt.Add(30*day)) {
		t.Fatalf("after keep = %+v", kept)
	}

	resp, body = call(t, inst.URL, http.MethodPost, "/v1/access-grants/"+g.ID+"/review", inst.AdminKey, `{"reviewer":"carol","decision":"revoke"}`)
	mustStatus(t, resp, body, http.StatusOK)
	if revoked := decode[apiv1.AccessGrant](t, body); revoked.Status != apiv1.GrantStatusRevoked {
		t.Fatalf("after revoke = %+v", revoked)
	}
	if res := checkAccess(t, inst, bob, "keys:read", "api-keys/key_1"); res.Allowed || !slices.Equal(res.DecidedBy, []string{g.ID}) ||
		!strings.Contains(res.Reason, "grant "+g.ID+" (viewer on *) was revoked at "+reviewedAt.UTC().Format(time.RFC3339)) {
		t.Fatalf("a grant revoked by review must deny and be named: %+v", res)
	}

	resp, body = call(t, inst.URL, http.MethodGet, "/v1/access-grants/"+g.ID+"/reviews", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	reviews := decode[apiv1.AccessGrantReviewList](t, body).Data
	if len(reviews) != 2 || reviews[0].Decision != "revoke" || reviews[1].Decision != "keep" || reviews[1].Comment != "still needed" ||
		reviews[1].Reviewer != "carol" || reviews[1].GrantID != g.ID || !reviews[1].ReviewedAt.Equal(reviewedAt) {
		t.Fatalf("reviews = %+v, want revoke then keep", reviews)
	}

	resp, body = call(t, inst.URL, http.MethodPost, "/v1/access-grants/"+g.ID+"/review", inst.AdminKey, `{"reviewer":"carol","decision":"keep"}`)
	mustStatus(t, resp, body, http.StatusConflict)
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/access-grants/"+g.ID+"/review", inst.AdminKey, `{"decision":"maybe"}`)
	mustStatus(t, resp, body, http.StatusUnprocessableEntity)
	if e := errorOf(t, body); len(e.Fields) != 2 || e.Fields[0].Path != "reviewer" || e.Fields[1].Path != "decision" {
		t.Fatalf("fields = %+v, want reviewer and decision", e.Fields)
	}
}

// TestReviewOverdueFilter proves that review_overdue=true lists the active
// grants whose next review has passed by the server's clock, and that a
// review takes a grant off the list.
func TestReviewOverdueFilter(t *testing.T) {
	inst := servertest.Start(t)
	monthly := createGrant(t, inst, apiv1.CreateAccessGrantRequest{
		Principal: apiv1.Principal{Type: "team", ID: "ops"}, Role: "viewer", Resource: "*", ReviewIntervalDays: ptr(int64(30)),
	})
	createGrant(t, inst, apiv1.CreateAccessGrantRequest{Principal: apiv1.Principal{Type: "team", ID: "dev"}, Role: "viewer", Resource: "*"})
	overdue := func() []string {
		t.Helper()
		resp, body := call(t, inst.URL, http.MethodGet, "/v1/access-grants?review_overdue=true", inst.AdminKey, "")
		mustStatus(t, resp, body, http.StatusOK)
		var ids []string
		for _, g := range decode[apiv1.AccessGrantList](t, body).Data {
			ids = append(ids, g.ID)
		}
		return ids
	}
	if ids := overdue(); len(ids) != 0 {
		t.Fatalf("overdue at start = %v, want none", ids)
	}
	inst.Clock.Advance(31 * day)
	if ids := overdue(); !slices.Equal(ids, []string{monthly.ID}) {
		t.Fatalf("overdue after 31 days = %v, want only %s", ids, monthly.ID)
	}
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/access-grants/"+monthly.ID+"/review", inst.AdminKey, `{"reviewer":"r","decision":"keep"}`)
	mustStatus(t, resp, body, http.StatusOK)
	if ids := overdue(); len(ids) != 0 {
		t.Fatalf("overdue after the review = %v, want none", ids)
	}
}
