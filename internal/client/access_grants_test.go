package client

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// sampleGrant is the access grant ag_1 as the API returns it.
func sampleGrant() apiv1.AccessGrant {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return apiv1.AccessGrant{
		ID: "ag_1", Principal: apiv1.Principal{Type: apiv1.PrincipalTeam, ID: "sre"}, Role: apiv1.RoleOperator,
		Resource: "alert-rules/*", Justification: "on call", ReviewIntervalDays: 90, Status: apiv1.GrantStatusActive,
		NextReviewAt: ts.AddDate(0, 0, 90), CreatedAt: ts, UpdatedAt: ts, Version: 1,
	}
}

// TestAccessGrantMethodsSendTheContractRequests proves that each access
// grant and access check method sends the method, path, query and body of
// the wire contract and decodes the answer.
func TestAccessGrantMethodsSendTheContractRequests(t *testing.T) {
	expires := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	reviewed := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	runContractCases(t, []contractCase{
		{
			name: "create",
			call: func(c *Client) (any, error) {
				return c.CreateAccessGrant(context.Background(), apiv1.CreateAccessGrantRequest{
					Principal: apiv1.Principal{Type: "team", ID: "sre"}, Role: "operator", Resource: "alert-rules/*",
					ExpiresAt: ptr(apiv1.TimeText(expires)), Justification: "on call", ReviewIntervalDays: ptr(int64(30)),
				})
			},
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusCreated, sampleGrant()) },
			method:  "POST", path: "/v1/access-grants",
			body: `{"principal":{"type":"team","id":"sre"},"role":"operator","resource":"alert-rules/*","expires_at":"2026-03-01T00:00:00Z","justification":"on call","review_interval_days":30}`,
			check: func(t *testing.T, got any) {
				if g, ok := got.(*apiv1.AccessGrant); !ok || g.ID != "ag_1" || g.Principal.ID != "sre" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name:    "get",
			call:    func(c *Client) (any, error) { return c.GetAccessGrant(context.Background(), "ag_1") },
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, sampleGrant()) },
			method:  "GET", path: "/v1/access-grants/ag_1",
			check: func(t *testing.T, got any) {
				if g, ok := got.(*apiv1.AccessGrant); !ok || g.Resource != "alert-rules/*" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "list with every filter",
			call: func(c *Client) (any, error) {
				return c.ListAccessGrants(context.Background(), ListAccessGrantsOptions{
					PrincipalType: "team", PrincipalID: "sre", Role: "operator", Status: "active", ReviewOverdue: true,
				})
			},
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.AccessGrantList{Data: []apiv1.AccessGrant{sampleGrant()}})
			},
			method: "GET", path: "/v1/access-grants",
			query: "limit=100&principal_id=sre&principal_type=team&review_overdue=true&role=operator&status=active",
			check: func(t *testing.T, got any) {
				if gs, ok := got.([]apiv1.AccessGrant); !ok || len(gs) != 1 {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "list without filters",
			call: func(c *Client) (any, error) {
				return c.ListAccessGrants(context.Background(), ListAccessGrantsOptions{})
			},
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.AccessGrantList{Data: []apiv1.AccessGrant{}})
			},
			method: "GET", path: "/v1/access-grants", query: "limit=100",
			check: func(t *testing.T, got any) {
				if gs, ok := got.([]apiv1.AccessGrant); !ok || gs == nil || len(gs) != 0 {
					t.Errorf("decoded %#v, want an empty slice", got)
				}
			},
		},
		{
			name: "update sends a merge patch",
			call: func(c *Client) (any, error) {
				return c.UpdateAccessGrant(context.Background(), "ag_1", apiv1.UpdateAccessGrantRequest{
					Role: ptr("viewer"), ExpiresAt: apiv1.Null[string](), Ticket: ptr(""),
				})
			},
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, sampleGrant()) },
			method:  "PATCH", path: "/v1/access-grants/ag_1",
			body: `{"role":"viewer","expires_at":null,"ticket":""}`,
			check: func(t *testing.T, got any) {
				if g, ok := got.(*apiv1.AccessGrant); !ok || g.ID != "ag_1" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name:    "revoke",
			call:    func(c *Client) (any, error) { return nil, c.RevokeAccessGrant(context.Background(), "ag_1") },
			respond: func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) },
			method:  "DELETE", path: "/v1/access-grants/ag_1",
			check: func(*testing.T, any) {},
		},
		{
			name: "review",
			call: func(c *Client) (any, error) {
				return c.ReviewAccessGrant(context.Background(), "ag_1", apiv1.ReviewAccessGrantRequest{
					Reviewer: "alice", Decision: "keep", Comment: "still on call",
				})
			},
			respond: func(w http.ResponseWriter) {
				g := sampleGrant()
				g.LastReviewedAt = &reviewed
				writeJSON(w, http.StatusOK, g)
			},
			method: "POST", path: "/v1/access-grants/ag_1/review",
			body: `{"reviewer":"alice","decision":"keep","comment":"still on call"}`,
			check: func(t *testing.T, got any) {
				if g, ok := got.(*apiv1.AccessGrant); !ok || g.LastReviewedAt == nil || !g.LastReviewedAt.Equal(reviewed) {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "list reviews",
			call: func(c *Client) (any, error) { return c.ListAccessGrantReviews(context.Background(), "ag_1") },
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.AccessGrantReviewList{Data: []apiv1.AccessGrantReview{{
					ID: "agr_1", GrantID: "ag_1", Reviewer: "alice", Decision: "keep", ReviewedAt: reviewed,
				}}})
			},
			method: "GET", path: "/v1/access-grants/ag_1/reviews", query: "limit=100",
			check: func(t *testing.T, got any) {
				if rs, ok := got.([]apiv1.AccessGrantReview); !ok || len(rs) != 1 || rs[0].Reviewer != "alice" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "check access",
			call: func(c *Client) (any, error) {
				return c.CheckAccess(context.Background(), apiv1.AccessCheckRequest{
					Principal: apiv1.Principal{Type: "user", ID: "alice"}, Action: "alerts:write", Resource: "alert-rules/ar_1",
				})
			},
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.AccessCheckResult{Allowed: true, DecidedBy: []string{"ag_1"}, Reason: "r"})
			},
			method: "POST", path: "/v1/access-checks",
			body: `{"principal":{"type":"user","id":"alice"},"action":"alerts:write","resource":"alert-rules/ar_1"}`,
			check: func(t *testing.T, got any) {
				if r, ok := got.(*apiv1.AccessCheckResult); !ok || !r.Allowed || len(r.DecidedBy) != 1 {
					t.Errorf("decoded %+v", got)
				}
			},
		},
	})
}
