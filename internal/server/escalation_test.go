package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// accountSnapshot returns everything an admin can read of the account: every
// object of every kind, and the audit log. Two equal snapshots mean that
// nothing changed in between.
func accountSnapshot(t *testing.T, inst *servertest.Instance) []byte {
	t.Helper()
	var all [][]byte
	for _, path := range []string{
		"/v1/api-keys?limit=100", "/v1/access-grants?limit=100", "/v1/alert-rules?limit=100",
		"/v1/notification-channels?limit=100", "/v1/backup-schedules?limit=100", "/v1/audit-events?limit=100",
	} {
		resp, body := call(t, inst.URL, http.MethodGet, path, inst.AdminKey, "")
		mustStatus(t, resp, body, http.StatusOK)
		all = append(all, body)
	}
	return bytes.Join(all, []byte("\n"))
}

// TestNoMutationReachesBeyondTheCallersPermissions proves the rule "never
// more than you hold" on every mutating operation of every kind that confers
// or reveals something: an API key confers its scopes, an access grant its
// role's permissions, and an alert rule reveals the data of its metric
// (keys.rotation_overdue counts API keys, so it needs keys:read; the API
// metrics are those of /metrics, so they need metrics:read). A caller
// holding the operation's write scope but lacking one permission of the
// object, before or after the change, gets 403 naming that permission, and
// nothing in the account changes: no object, no review, no audit event. The
// same callers may do all of it to objects within their permissions.
func TestNoMutationReachesBeyondTheCallersPermissions(t *testing.T) {
	inst := servertest.Start(t)

	// The objects the callers must not reach, created by the admin.
	adminKeyID, _ := inst.NewKey(t, "admin")
	narrowKeyID, _ := inst.NewKey(t, "keys:read")
	adminGrant := createGrant(t, inst, apiv1.CreateAccessGrantRequest{
		Principal: apiv1.Principal{Type: "team", ID: "platform"}, Role: "admin", Resource: "alert-rules/*",
	})
	auditorGrant := createGrant(t, inst, apiv1.CreateAccessGrantRequest{
		Principal: apiv1.Principal{Type: "user", ID: "auditor"}, Role: "auditor", Resource: "*",
	})
	viewerGrant := createGrant(t, inst, apiv1.CreateAccessGrantRequest{
		Principal: apiv1.Principal{Type: "user", ID: "viewer"}, Role: "viewer", Resource: "*",
	})
	overdueRule := createRule(t, inst, apiv1.CreateAlertRuleRequest{Name: "overdue", Severity: "warning",
		Metric: apiv1.MetricKeysRotationOverdue, Condition: apiv1.AlertCondition{Operator: "gt", Window: "5m"}})
	requestRule := createRule(t, inst, apiv1.CreateAlertRuleRequest{Name: "requests", Severity: "info",
		Metric: apiv1.MetricAPIRequestRate, Condition: apiv1.AlertCondition{Operator: "gt", Threshold: 100, Window: "5m"}})

	// keyWriter may write keys but holds only keys:read besides.
	_, keyWriter := inst.NewKey(t, "keys:read", "keys:write")
	// accessWriter holds everything of the operator role, and access:write;
	// the admin and auditor roles permit audit:read, which it lacks.
	operatorScopes := append([]string{"access:write"}, apiv1.RolePermissions[apiv1.RoleOperator]...)
	_, accessWriter := inst.NewKey(t, operatorScopes...)
	// alertWriter may write alert rules and read metrics, but not API keys;
	// blindAlertWriter reads neither.
	_, alertWriter := inst.NewKey(t, "alerts:read", "alerts:write", "metrics:read")
	_, blindAlertWriter := inst.NewKey(t, "alerts:read", "alerts:write")

	grantPath := func(g apiv1.AccessGrant) string { return "/v1/access-grants/" + g.ID }
	cases := []struct {
		name, caller, method, path, body string
		lacking                          string // the scope the 403 must name
	}{
		{"create a key holding admin", keyWriter, http.MethodPost, "/v1/api-keys",
			`{"name":"escalated","scopes":["keys:read","admin"]}`, "admin"},
		{"update an admin key", keyWriter, http.MethodPatch, "/v1/api-keys/" + adminKeyID,
			`{"description":"taken over"}`, "admin"},
		{"widen a key's scopes", keyWriter, http.MethodPatch, "/v1/api-keys/" + narrowKeyID,
			`{"scopes":["keys:read","audit:read"]}`, "audit:read"},
		{"rotate an admin key", keyWriter, http.MethodPost, "/v1/api-keys/" + adminKeyID + "/rotate", "", "admin"},
		{"revoke an admin key", keyWriter, http.MethodDelete, "/v1/api-keys/" + adminKeyID, "", "admin"},

		{"create an admin grant", accessWriter, http.MethodPost, "/v1/access-grants",
			`{"principal":{"type":"user","id":"mallory"},"role":"admin","resource":"*","justification":"j"}`, "audit:read"},
		{"widen an admin grant's resource", accessWriter, http.MethodPatch, grantPath(adminGrant),
			`{"resource":"*"}`, "audit:read"},
		{"clear an admin grant's expiry", accessWriter, http.MethodPatch, grantPath(adminGrant),
			`{"expires_at":null,"justification":"forever"}`, "audit:read"},
		{"extend an auditor grant's review interval", accessWriter, http.MethodPatch, grantPath(auditorGrant),
			`{"review_interval_days":365}`, "audit:read"},
		{"demote an admin grant", accessWriter, http.MethodPatch, grantPath(adminGrant),
			`{"role":"viewer"}`, "audit:read"},
		{"raise a viewer grant to admin", accessWriter, http.MethodPatch, grantPath(viewerGrant),
			`{"role":"admin"}`, "audit:read"},
		{"review an admin grant", accessWriter, http.MethodPost, grantPath(adminGrant) + "/review",
			`{"reviewer":"mallory","decision":"keep"}`, "audit:read"},
		{"revoke an admin grant by review", accessWriter, http.MethodPost, grantPath(adminGrant) + "/review",
			`{"reviewer":"mallory","decision":"revoke"}`, "audit:read"},
		{"revoke an admin grant", accessWriter, http.MethodDelete, grantPath(adminGrant), "", "audit:read"},
		{"revoke an auditor grant", accessWriter, http.MethodDelete, grantPath(auditorGrant), "", "audit:read"},

		{"create a rule counting overdue keys", alertWriter, http.MethodPost, "/v1/alert-rules",
			`{"name":"peek","severity":"info","metric":"keys.rotation_overdue","condition":{"operator":"gte","threshold":0,"window":"5m"},"notification_channel_ids":[]}`, "keys:read"},
		{"disable a rule counting overdue keys", alertWriter, http.MethodPatch, "/v1/alert-rules/" + overdueRule.ID,
			`{"enabled":false}`, "keys:read"},
		{"point a rule at overdue keys", alertWriter, http.MethodPatch, "/v1/alert-rules/" + requestRule.ID,
			`{"metric":"keys.rotation_overdue"}`, "keys:read"},
		{"delete a rule counting overdue keys", alertWriter, http.MethodDelete, "/v1/alert-rules/" + overdueRule.ID, "", "keys:read"},
		{"create a rule on the request rate", blindAlertWriter, http.MethodPost, "/v1/alert-rules",
			`{"name":"peek","severity":"info","metric":"api.request_rate","condition":{"operator":"gte","threshold":0,"window":"5m"},"notification_channel_ids":[]}`, "metrics:read"},
		{"disable a rule on the request rate", blindAlertWriter, http.MethodPatch, "/v1/alert-rules/" + requestRule.ID,
			`{"enabled":false}`, "metrics:read"},
		{"delete a rule on the request rate", blindAlertWriter, http.MethodDelete, "/v1/alert-rules/" + requestRule.ID, "", "metrics:read"},
	}
	// A first use records each caller's last_used_at, so that the snapshots
	// below differ only by what the denied operations might change.
	for caller, path := range map[string]string{keyWriter: "/v1/api-keys", accessWriter: "/v1/access-grants",
		alertWriter: "/v1/alert-rules", blindAlertWriter: "/v1/alert-rules"} {
		resp, body := call(t, inst.URL, http.MethodGet, path, caller, "")
		mustStatus(t, resp, body, http.StatusOK)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := accountSnapshot(t, inst)
			resp, body := call(t, inst.URL, tc.method, tc.path, tc.caller, tc.body, "Idempotency-Key", "escalation-"+strings.ReplaceAll(tc.name, " ", "-"))
			mustStatus(t, resp, body, http.StatusForbidden)
			if e := errorOf(t, body); e.Code != apiv1.CodeForbidden || !strings.Contains(e.Message, fmt.Sprintf("%q", tc.lacking)) {
				t.Errorf("403 = %+v, want it to name %q", e, tc.lacking)
			}
			if after := accountSnapshot(t, inst); !bytes.Equal(before, after) {
				t.Fatalf("a denied %s %s changed the account:\nbefore %s\nafter  %s", tc.method, tc.path, before, after)
			}
		})
	}

	// Within its permissions, each caller may do what it was denied above.
	for _, op := range []struct{ caller, method, path, body string }{
		{keyWriter, http.MethodPost, "/v1/api-keys", `{"name":"peer","scopes":["keys:read"]}`},
		{keyWriter, http.MethodPost, "/v1/api-keys/" + narrowKeyID + "/rotate", ""},
		{keyWriter, http.MethodPatch, "/v1/api-keys/" + narrowKeyID, `{"scopes":["keys:read","keys:write"]}`},
		{keyWriter, http.MethodDelete, "/v1/api-keys/" + narrowKeyID, ""},
		{accessWriter, http.MethodPatch, grantPath(viewerGrant), `{"role":"operator","expires_at":null}`},
		{accessWriter, http.MethodPost, grantPath(viewerGrant) + "/review", `{"reviewer":"lead","decision":"keep"}`},
		{accessWriter, http.MethodDelete, grantPath(viewerGrant), ""},
		{alertWriter, http.MethodPatch, "/v1/alert-rules/" + requestRule.ID, `{"enabled":false}`},
		{alertWriter, http.MethodDelete, "/v1/alert-rules/" + requestRule.ID, ""},
	} {
		resp, body := call(t, inst.URL, op.method, op.path, op.caller, op.body)
		if resp.StatusCode >= 300 {
			t.Errorf("%s %s within the caller's permissions: status %d: %s", op.method, op.path, resp.StatusCode, body)
		}
	}
}
