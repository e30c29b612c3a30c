package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// alertingConformance exercises every notification channel and alert rule
// operation in the conformance run, errors included.
func alertingConformance(t *testing.T, do doFunc, admin string) {
	t.Helper()
	invalid := []string{headerInvalid, "1"}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(hook.Close)
	reader := decode[apiv1.APIKey](t, do(http.MethodPost, "/v1/api-keys", admin, `{"name":"conf-reader","scopes":["keys:read"]}`, 201))

	// Notification channels.
	const channels = "/v1/notification-channels"
	webhook := fmt.Sprintf(`{"name":"conf-hook","type":"webhook","webhook":{"url":%q,"headers":{"X-Team":"sre"},"signing_secret":"conf-signing-secret-01"}}`, hook.URL)
	ch := decode[apiv1.NotificationChannel](t, do(http.MethodPost, channels, admin, webhook, 201, "Idempotency-Key", "conf-nc-1"))
	do(http.MethodPost, channels, admin, webhook, 201, "Idempotency-Key", "conf-nc-1")
	do(http.MethodPost, channels, admin, `{"name":"conf-slack","type":"slack","slack":{"webhook_url":"https://hooks.slack.com/services/T/B/x","channel":"#alerts"}}`, 201)
	do(http.MethodPost, channels, admin, `{"name":"conf-pd","type":"pagerduty","pagerduty":{"routing_key":"R0123456789abcdef0123456789ABCDE"}}`, 201)
	do(http.MethodPost, channels, admin, `{"name":"conf-mail","type":"email","enabled":false,"email":{"addresses":["ops@example.com"]}}`, 201)
	do(http.MethodPost, channels, admin, `{"name":"x","type":"webhook","slack":{"webhook_url":"https://hooks.slack.com/x","channel":"#a"}}`, 422)
	do(http.MethodPost, channels, admin, `{"name":"x","webhook":{"url":"https://x.example.com"}}`, 422, invalid...)
	do(http.MethodPost, channels, admin, `{"name":"x","type":"webhook","webhook":{"url":"https://x.example.com","extra":1}}`, 400, invalid...)
	do(http.MethodPost, channels, "", webhook, 401)
	do(http.MethodPost, channels, reader.Secret, webhook, 403)

	do(http.MethodGet, channels+"?type=webhook&limit=1", admin, "", 200)
	do(http.MethodGet, channels+"?type=sms", admin, "", 422, invalid...)
	do(http.MethodGet, channels+"?ids="+ch.ID, admin, "", 200)
	do(http.MethodGet, channels+"/"+ch.ID, admin, "", 200)
	do(http.MethodGet, channels+"/nc_missing", admin, "", 404)
	do(http.MethodPatch, channels+"/"+ch.ID, admin, `{"name":"conf-hook-2","webhook":{"headers":{}}}`, 200, "If-Match", `"1"`)
	do(http.MethodPatch, channels+"/"+ch.ID, admin, `{"enabled":false}`, 412, "If-Match", `"1"`)
	do(http.MethodPatch, channels+"/"+ch.ID, admin, `{"type":"email"}`, 422)
	do(http.MethodPatch, channels+"/nc_missing", admin, `{"enabled":false}`, 404)
	do(http.MethodPost, channels+"/"+ch.ID+"/test", admin, "", 200)
	do(http.MethodPost, channels+"/nc_missing/test", admin, "", 404)

	// Alert rules.
	const rules = "/v1/alert-rules"
	rule := decode[apiv1.AlertRule](t, do(http.MethodPost, rules, admin, fmt.Sprintf(`{"name":"conf-auth","description":"d","severity":"critical",
		"metric":"auth.failures","condition":{"operator":"gt","threshold":3,"window":"5m"},"notification_channel_ids":[%q],
		"renotify_interval":"1h","labels":{"team":"sre"}}`, ch.ID), 201, "Idempotency-Key", "conf-ar-1"))
	do(http.MethodPost, rules, admin, `{"name":"x","severity":"info","metric":"api.request_rate","condition":{"operator":"gt","threshold":1,"window":"1m"},"notification_channel_ids":["nc_missing"]}`, 422)
	do(http.MethodPost, rules, admin, `{"name":"x","severity":"critical","metric":"api.request_rate","condition":{"operator":"gt","threshold":1,"window":"1m"}}`, 422)
	do(http.MethodPost, rules, admin, `{"name":"x","severity":"info","metric":"api.request_rate","condition":{"operator":"gt","threshold":1,"window":"5x"}}`, 422)
	do(http.MethodPost, rules, admin, `{"name":"x","severity":"high","metric":"api.request_rate","condition":{"operator":"gt","threshold":1,"window":"1m"}}`, 422, invalid...)
	do(http.MethodPost, rules, reader.Secret, `{"name":"x","severity":"info","metric":"api.request_rate","condition":{"operator":"gt","threshold":1,"window":"1m"}}`, 403)

	do(http.MethodGet, rules+"?severity=critical&metric=auth.failures&enabled=true&limit=1", admin, "", 200)
	do(http.MethodGet, rules+"?enabled=yes", admin, "", 422, invalid...)
	do(http.MethodGet, rules+"?ids="+rule.ID, admin, "", 200)
	do(http.MethodGet, rules+"/"+rule.ID, admin, "", 200)
	do(http.MethodGet, rules+"/ar_missing", admin, "", 404)
	do(http.MethodPatch, rules+"/"+rule.ID, admin, `{"condition":{"threshold":5},"renotify_interval":""}`, 200, "If-Match", `"1"`)
	do(http.MethodPatch, rules+"/"+rule.ID, admin, `{"enabled":false}`, 412, "If-Match", `"1"`)
	do(http.MethodPatch, rules+"/"+rule.ID, admin, `{"notification_channel_ids":[]}`, 422)
	do(http.MethodPatch, rules+"/ar_missing", admin, `{"enabled":false}`, 404)
	do(http.MethodGet, rules+"/"+rule.ID+"/incidents?limit=10", admin, "", 200)
	do(http.MethodGet, rules+"/"+rule.ID+"/incidents?limit=5000", admin, "", 422, invalid...)
	do(http.MethodGet, rules+"/ar_missing/incidents", admin, "", 404)

	do(http.MethodDelete, channels+"/"+ch.ID, admin, "", 409)
	do(http.MethodDelete, rules+"/"+rule.ID, admin, "", 412, "If-Match", `"1"`)
	do(http.MethodDelete, rules+"/"+rule.ID, admin, "", 204)
	do(http.MethodDelete, rules+"/"+rule.ID, admin, "", 404)
	do(http.MethodDelete, channels+"/"+ch.ID, admin, "", 412, "If-Match", `"1"`)
	do(http.MethodDelete, channels+"/"+ch.ID, admin, "", 204)
	do(http.MethodDelete, channels+"/"+ch.ID, admin, "", 404)
}
