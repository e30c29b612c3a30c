package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

func emailChannel(t *testing.T, inst *servertest.Instance, name string) apiv1.NotificationChannel {
	t.Helper()
	return createChannel(t, inst, fmt.Sprintf(`{"name":%q,"type":"email","email":{"addresses":["ops@example.com"]}}`, name))
}

// TestAlertRuleLifecycle proves create with defaults and canonical
// durations, get, list with each filter, merge-patch update, If-Match,
// delete and 404s.
func TestAlertRuleLifecycle(t *testing.T) {
	inst := servertest.Start(t)
	a, b := emailChannel(t, inst, "a"), emailChannel(t, inst, "b")
	rule := createRule(t, inst, apiv1.CreateAlertRuleRequest{
		Name: "errors", Description: "5xx", Severity: apiv1.SeverityCritical, Metric: apiv1.MetricAPIErrorRate,
		Condition:              apiv1.AlertCondition{Operator: apiv1.OperatorGTE, Threshold: 0.05, Window: "300s"},
		NotificationChannelIDs: []string{b.ID, a.ID}, RenotifyInterval: ptr("60m"), Labels: map[string]string{"team": "sre"},
	})
	wantIDs := []string{a.ID, b.ID}
	slices.Sort(wantIDs)
	if !strings.HasPrefix(rule.ID, "ar_") || !rule.Enabled || rule.Condition.Window != "5m0s" || rule.RenotifyInterval != "1h0m0s" ||
		!slices.Equal(rule.NotificationChannelIDs, wantIDs) || rule.Labels["team"] != "sre" || rule.OpenIncidentID != nil ||
		rule.OpenIncidents != 0 || rule.Version != 1 {
		t.Fatalf("created %+v", rule)
	}
	other := createRule(t, inst, apiv1.CreateAlertRuleRequest{
		Name: "slow", Severity: apiv1.SeverityInfo, Metric: apiv1.MetricAPILatencyP99, Enabled: ptr(false),
		Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 500, Window: "10m"},
	})
	if other.Enabled || other.RenotifyInterval != "" || len(other.NotificationChannelIDs) != 0 || other.Labels == nil {
		t.Fatalf("created %+v", other)
	}

	resp, body := call(t, inst.URL, http.MethodGet, "/v1/alert-rules/"+rule.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if resp.Header.Get("ETag") != `"1"` || decode[apiv1.AlertRule](t, body).Name != "errors" {
		t.Fatalf("GET %s", body)
	}
	for query, want := range map[string]string{
		"severity=critical": rule.ID, "metric=api.latency_p99_ms": other.ID, "enabled=false": other.ID, "enabled=true": rule.ID,
	} {
		resp, body = call(t, inst.URL, http.MethodGet, "/v1/alert-rules?"+query, inst.AdminKey, "")
		mustStatus(t, resp, body, http.StatusOK)
		if page := decode[apiv1.AlertRuleList](t, body); len(page.Data) != 1 || page.Data[0].ID != want {
			t.Errorf("%s listed %+v, want only %s", query, page.Data, want)
		}
	}
	for _, query := range []string{"severity=high", "metric=cpu", "enabled=yes"} {
		resp, body = call(t, inst.URL, http.MethodGet, "/v1/alert-rules?"+query, inst.AdminKey, "")
		mustStatus(t, resp, body, http.StatusUnprocessableEntity)
		if paths := fieldPaths(t, body); !slices.Contains(paths, strings.Split(query, "=")[0]) {
			t.Errorf("%s: fields %v", query, paths)
		}
	}

	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/alert-rules/"+rule.ID, inst.AdminKey,
		fmt.Sprintf(`{"condition":{"threshold":0.1},"notification_channel_ids":[%q],"renotify_interval":"","labels":{}}`, a.ID), "If-Match", `"1"`)
	mustStatus(t, resp, body, http.StatusOK)
	updated := decode[apiv1.AlertRule](t, body)
	if updated.Condition != (apiv1.AlertCondition{Operator: apiv1.OperatorGTE, Threshold: 0.1, Window: "5m0s"}) ||
		!slices.Equal(updated.NotificationChannelIDs, []string{a.ID}) || updated.RenotifyInterval != "" || len(updated.Labels) != 0 || updated.Version != 2 {
		t.Fatalf("updated %+v", updated)
	}
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/alert-rules/"+rule.ID, inst.AdminKey, `{"name":"x"}`, "If-Match", `"1"`)
	mustStatus(t, resp, body, http.StatusPreconditionFailed)
	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/alert-rules/"+rule.ID, inst.AdminKey, "", "If-Match", `"1"`)
	mustStatus(t, resp, body, http.StatusPreconditionFailed)
	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/alert-rules/"+rule.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)
	for _, req := range [][3]string{
		{http.MethodGet, "", ""}, {http.MethodPatch, "", "{}"}, {http.MethodDelete, "", ""}, {http.MethodGet, "/incidents", ""},
	} {
		resp, body = call(t, inst.URL, req[0], "/v1/alert-rules/"+rule.ID+req[1], inst.AdminKey, req[2])
		mustStatus(t, resp, body, http.StatusNotFound)
	}
}

// TestAlertRuleValidationNamesTheField proves that each bad alert rule
// request is a 422 naming the offending field.
func TestAlertRuleValidationNamesTheField(t *testing.T) {
	inst := servertest.Start(t)
	ch := emailChannel(t, inst, "a")
	valid := func(edit func(m map[string]any)) string {
		m := map[string]any{
			"name": "r", "severity": "warning", "metric": "auth.failures",
			"condition": map[string]any{"operator": "gt", "threshold": 3, "window": "5m"}, "notification_channel_ids": []string{ch.ID},
		}
		edit(m)
		return toJSON(t, m)
	}
	cond := func(m map[string]any) map[string]any { return m["condition"].(map[string]any) }
	cases := []struct {
		path string
		edit func(m map[string]any)
	}{
		{"name", func(m map[string]any) { delete(m, "name") }},
		{"severity", func(m map[string]any) { m["severity"] = "high" }},
		{"metric", func(m map[string]any) { m["metric"] = "cpu.load" }},
		{"condition", func(m map[string]any) { delete(m, "condition") }},
		{"condition.operator", func(m map[string]any) { cond(m)["operator"] = "eq" }},
		{"condition.window", func(m map[string]any) { cond(m)["window"] = "5x" }},
		{"condition.window", func(m map[string]any) { cond(m)["window"] = "30s" }},
		{"condition.window", func(m map[string]any) { cond(m)["window"] = "25h" }},
		{"condition.threshold", func(m map[string]any) { cond(m)["threshold"] = -1 }},
		{"condition.threshold", func(m map[string]any) { m["metric"] = "api.error_rate"; cond(m)["threshold"] = 2 }},
		{"renotify_interval", func(m map[string]any) { m["renotify_interval"] = "10s" }},
		{"labels.bad key", func(m map[string]any) { m["labels"] = map[string]string{"bad key": "v"} }},
		{"notification_channel_ids[1]", func(m map[string]any) { m["notification_channel_ids"] = []string{ch.ID, "nc_missing"} }},
		{"notification_channel_ids[1]", func(m map[string]any) { m["notification_channel_ids"] = []string{ch.ID, ch.ID} }},
		{"notification_channel_ids", func(m map[string]any) { m["severity"] = "critical"; m["notification_channel_ids"] = []string{} }},
	}
	for _, tc := range cases {
		body := valid(tc.edit)
		resp, b := call(t, inst.URL, http.MethodPost, "/v1/alert-rules", inst.AdminKey, body)
		mustStatus(t, resp, b, http.StatusUnprocessableEntity)
		if paths := fieldPaths(t, b); !slices.Contains(paths, tc.path) {
			t.Errorf("%s: fields %v do not name %s", body, paths, tc.path)
		}
	}

	rule := createRule(t, inst, apiv1.CreateAlertRuleRequest{
		Name: "r", Severity: apiv1.SeverityCritical, Metric: apiv1.MetricAuthFailures,
		Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 3, Window: "5m"}, NotificationChannelIDs: []string{ch.ID},
	})
	for body, path := range map[string]string{
		`{"notification_channel_ids":[]}`:             "notification_channel_ids",
		`{"notification_channel_ids":["nc_missing"]}`: "notification_channel_ids[0]",
		`{"metric":"api.error_rate"}`:                 "condition.threshold",
		`{"condition":{"window":"0"}}`:                "condition.window",
	} {
		resp, b := call(t, inst.URL, http.MethodPatch, "/v1/alert-rules/"+rule.ID, inst.AdminKey, body)
		mustStatus(t, resp, b, http.StatusUnprocessableEntity)
		if paths := fieldPaths(t, b); !slices.Contains(paths, path) {
			t.Errorf("PATCH %s: fields %v do not name %s", body, paths, path)
		}
	}
}

// TestAlertRuleCreateIsIdempotent proves that a retried create with the
// same Idempotency-Key answers the first rule and creates no second one.
func TestAlertRuleCreateIsIdempotent(t *testing.T) {
	inst := servertest.Start(t)
	body := `{"name":"r","severity":"info","metric":"api.request_rate","condition":{"operator":"gt","threshold":100,"window":"1m"}}`
	_, b1 := call(t, inst.URL, http.MethodPost, "/v1/alert-rules", inst.AdminKey, body, "Idempotency-Key", "ar-1")
	resp, b2 := call(t, inst.URL, http.MethodPost, "/v1/alert-rules", inst.AdminKey, body, "Idempotency-Key", "ar-1")
	mustStatus(t, resp, b2, http.StatusCreated)
	if decode[apiv1.AlertRule](t, b1).ID != decode[apiv1.AlertRule](t, b2).ID || resp.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay %s, first %s", b2, b1)
	}
	resp, b := call(t, inst.URL, http.MethodGet, "/v1/alert-rules", inst.AdminKey, "")
	mustStatus(t, resp, b, http.StatusOK)
	if n := len(decode[apiv1.AlertRuleList](t, b).Data); n != 1 {
		t.Fatalf("%d rules after a retried create, want 1", n)
	}
}

// TestAlertHistoryOfEveryRule proves GET /v1/alert-incidents: the incidents
// of every rule with each notification's outcome (a receiver that fails
// leaves its notification pending with the error, then failed after the
// last attempt), filtered by rule and status; and the attack: a key without
// alerts:read reads no incident.
func TestAlertHistoryOfEveryRule(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	down, _ := receiver(t, http.StatusInternalServerError)
	ch := createChannel(t, inst, fmt.Sprintf(`{"name":"down","type":"webhook","webhook":{"url":%q}}`, down))
	rule := createRule(t, inst, apiv1.CreateAlertRuleRequest{Name: "auth", Severity: apiv1.SeverityCritical, Metric: apiv1.MetricAuthFailures,
		Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 0, Window: "5m"}, NotificationChannelIDs: []string{ch.ID}})
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys", "not-a-key", "")
	mustStatus(t, resp, body, http.StatusUnauthorized)
	history := func(query string) []apiv1.AlertIncident {
		t.Helper()
		resp, body := call(t, inst.URL, http.MethodGet, "/v1/alert-incidents"+query, inst.AdminKey, "")
		mustStatus(t, resp, body, http.StatusOK)
		return decode[apiv1.AlertIncidentList](t, body).Data
	}
	inst.RunJobs(t)
	got := history("")
	if len(got) != 1 || got[0].RuleID != rule.ID || got[0].Status != apiv1.IncidentStatusOpen || len(got[0].Notifications) != 1 {
		t.Fatalf("history = %+v, want the rule's open incident with one notification", got)
	}
	if n := got[0].Notifications[0]; n.ChannelID != ch.ID || n.Event != apiv1.EventAlertOpened || n.Status != apiv1.NotificationPending ||
		n.Attempts != 1 || !strings.Contains(n.LastError, "500") {
		t.Errorf("notification after a failed attempt = %+v, want pending, 1 attempt, the 500 named", n)
	}
	for range server.OutboxMaxAttempts {
		inst.Clock.Advance(time.Hour)
		inst.RunJobs(t)
	}
	got = history("?rule_id=" + rule.ID)
	if len(got) != 1 || len(got[0].Notifications) != 2 || got[0].Status != apiv1.IncidentStatusResolved ||
		got[0].Notifications[0].Status != apiv1.NotificationFailed || got[0].Notifications[0].Attempts != server.OutboxMaxAttempts ||
		got[0].Notifications[1].Event != apiv1.EventAlertResolved {
		t.Errorf("history after the window passed = %+v, want the resolved incident, its opening failed after %d attempts", got, server.OutboxMaxAttempts)
	}
	if got := history("?status=open"); len(got) != 0 {
		t.Errorf("open incidents = %+v, want none", got)
	}
	if got := history("?rule_id=ar_missing"); len(got) != 0 {
		t.Errorf("incidents of no rule = %+v, want none", got)
	}

	_, blind := inst.NewKey(t, "keys:read", "channels:read", "metrics:read")
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/alert-incidents", blind, "")
	mustStatus(t, resp, body, http.StatusForbidden)
	if e := errorOf(t, body); !strings.Contains(e.Message, `"alerts:read"`) {
		t.Errorf("403 = %+v, want it to name alerts:read", e)
	}
}
