package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server"
)

// usageConformance exercises a key's usage and the alert history (the
// incidents of every rule with their notifications) in the conformance run,
// errors included. It flushes srv's usage and runs its jobs, as the
// periodic jobs would.
func usageConformance(t *testing.T, do doFunc, admin string, srv *server.Server) {
	t.Helper()
	invalid := []string{headerInvalid, "1"}
	user := decode[apiv1.APIKey](t, do(http.MethodPost, "/v1/api-keys", admin, `{"name":"conf-usage","scopes":["keys:read"]}`, 201))
	outsider := decode[apiv1.APIKey](t, do(http.MethodPost, "/v1/api-keys", admin, `{"name":"conf-outsider","scopes":["backups:read"]}`, 201))
	do(http.MethodGet, "/v1/api-keys?limit=1", user.Secret, "", 200)
	do(http.MethodPost, "/v1/api-keys", user.Secret, `{"name":"x","scopes":["keys:read"]}`, 403)
	if err := srv.FlushUsage(t.Context()); err != nil {
		t.Fatal(err)
	}
	usage := decode[apiv1.APIKeyUsage](t, do(http.MethodGet, "/v1/api-keys/"+user.ID+"/usage?window=48h", admin, "", 200))
	if usage.Requests != 2 || usage.Errors != 1 || len(usage.Routes) != 2 {
		t.Errorf("usage of a key that listed keys once and was refused a create = %+v, want 2 requests, 1 error, 2 routes", usage)
	}
	key := decode[apiv1.APIKey](t, do(http.MethodGet, "/v1/api-keys/"+user.ID, admin, "", 200))
	if _, ok := key.ScopeLastUsedAt[apiv1.ScopeKeysWrite]; !ok || len(key.ScopeLastUsedAt) != 2 {
		t.Errorf("scope_last_used_at = %v, want keys:read and the refused keys:write", key.ScopeLastUsedAt)
	}
	do(http.MethodGet, "/v1/api-keys/"+user.ID+"/usage", user.Secret, "", 200)
	do(http.MethodGet, "/v1/api-keys/"+user.ID+"/usage?window=30m", admin, "", 422)
	do(http.MethodGet, "/v1/api-keys/key_missing/usage", admin, "", 404)
	do(http.MethodGet, "/v1/api-keys/"+user.ID+"/usage", outsider.Secret, "", 403)
	do(http.MethodGet, "/v1/api-keys/"+user.ID+"/usage", "", "", 401)

	// An incident with a delivered notification: the run so far refused
	// API keys, which a rule on auth.failures counts.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(hook.Close)
	ch := decode[apiv1.NotificationChannel](t, do(http.MethodPost, "/v1/notification-channels", admin,
		fmt.Sprintf(`{"name":"conf-history","type":"webhook","webhook":{"url":%q}}`, hook.URL), 201))
	rule := decode[apiv1.AlertRule](t, do(http.MethodPost, "/v1/alert-rules", admin, fmt.Sprintf(`{"name":"conf-history",
		"severity":"critical","metric":"auth.failures","condition":{"operator":"gt","threshold":0,"window":"5m"},
		"notification_channel_ids":[%q]}`, ch.ID), 201))
	if err := srv.RunJobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	history := decode[apiv1.AlertIncidentList](t, do(http.MethodGet, "/v1/alert-incidents?rule_id="+rule.ID+"&status=open&limit=10", admin, "", 200))
	if len(history.Data) != 1 || len(history.Data[0].Notifications) != 1 || history.Data[0].Notifications[0].Status != apiv1.NotificationDelivered {
		t.Errorf("the history of a rule that fired once = %+v, want one open incident with one delivered notification", history.Data)
	}
	do(http.MethodGet, "/v1/alert-incidents", admin, "", 200)
	do(http.MethodGet, "/v1/alert-incidents?status=firing", admin, "", 422, invalid...)
	do(http.MethodGet, "/v1/alert-incidents", outsider.Secret, "", 403)
	do(http.MethodGet, "/v1/alert-incidents", "", "", 401)
}
