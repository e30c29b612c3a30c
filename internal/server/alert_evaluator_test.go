package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// event decodes the JSON body of a webhook delivery.
func event(t *testing.T, d delivered) (name, incidentID string, value float64) {
	t.Helper()
	var msg struct {
		Event      string  `json:"event"`
		IncidentID string  `json:"incident_id"`
		Value      float64 `json:"value"`
	}
	if err := json.Unmarshal(d.body, &msg); err != nil {
		t.Fatalf("decoding delivery %s: %v", d.body, err)
	}
	if d.header.Get(apiv1.HeaderEvent) != msg.Event {
		t.Fatalf("header %s = %q, body event %q", apiv1.HeaderEvent, d.header.Get(apiv1.HeaderEvent), msg.Event)
	}
	return msg.Event, msg.IncidentID, msg.Value
}

func incidents(t *testing.T, inst *servertest.Instance, ruleID string) []apiv1.AlertIncident {
	t.Helper()
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/alert-rules/"+ruleID+"/incidents", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	return decode[apiv1.AlertIncidentList](t, body).Data
}

// TestAuthFailureAlertFiresRenotifiesAndResolves proves the evaluator end to
// end: a burst of bad requests makes an auth.failures rule open an incident
// and notify its webhook once, re-notify after renotify_interval, and
// resolve with a notification once the window holds no failures.
func TestAuthFailureAlertFiresRenotifiesAndResolves(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	url, got := receiver(t, http.StatusOK)
	ch := createChannel(t, inst, fmt.Sprintf(`{"name":"hook","type":"webhook","webhook":{"url":%q,"signing_secret":%q}}`, url, testSigningSecret))
	rule := createRule(t, inst, apiv1.CreateAlertRuleRequest{
		Name: "auth burst", Severity: apiv1.SeverityCritical, Metric: apiv1.MetricAuthFailures,
		Condition:              apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 3, Window: "5m"},
		NotificationChannelIDs: []string{ch.ID}, RenotifyInterval: ptr("3m"),
	})

	inst.RunJobs(t)
	if len(incidents(t, inst, rule.ID)) != 0 {
		t.Fatal("an incident opened without failures")
	}
	for range 5 {
		resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys", "km_wrong", "")
		mustStatus(t, resp, body, http.StatusUnauthorized)
	}
	inst.Clock.Advance(time.Minute)
	inst.RunJobs(t)
	opened := next(t, got)
	name, incidentID, value := event(t, opened)
	if name != apiv1.EventAlertOpened || value != 5 {
		t.Fatalf("first notification %s, value %v", name, value)
	}
	if err := checkSignature(opened.header.Get(apiv1.HeaderSignature), opened.body, testSigningSecret, inst.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/alert-rules/"+rule.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if r := decode[apiv1.AlertRule](t, body); r.OpenIncidentID == nil || *r.OpenIncidentID != incidentID || r.OpenIncidents != 1 {
		t.Fatalf("rule while firing %+v", r)
	}

	// Still firing within the renotify interval: no second notification.
	inst.Clock.Advance(2 * time.Minute)
	inst.RunJobs(t)
	inc := incidents(t, inst, rule.ID)
	if len(inc) != 1 || inc[0].Status != apiv1.IncidentStatusOpen || inc[0].NotificationsSent != 1 || inc[0].ID != incidentID {
		t.Fatalf("incidents %+v", inc)
	}

	// Past the renotify interval, still within the window of the burst.
	inst.Clock.Advance(time.Minute)
	inst.RunJobs(t)
	if name, id, _ := event(t, next(t, got)); name != apiv1.EventAlertRenotify || id != incidentID {
		t.Fatalf("second notification %s for %s", name, id)
	}

	// The window passes without failures: resolved, with a notification.
	inst.Clock.Advance(6 * time.Minute)
	inst.RunJobs(t)
	if name, id, value := event(t, next(t, got)); name != apiv1.EventAlertResolved || id != incidentID || value != 0 {
		t.Fatalf("third notification %s for %s, value %v", name, id, value)
	}
	inst.RunJobs(t)
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/alert-rules?severity=critical", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if r := decode[apiv1.AlertRuleList](t, body).Data[0]; r.OpenIncidentID != nil || r.OpenIncidents != 0 {
		t.Fatalf("rule after resolving %+v", r)
	}
	inc = incidents(t, inst, rule.ID)
	if len(inc) != 1 || inc[0].Status != apiv1.IncidentStatusResolved || inc[0].ResolvedAt == nil || !inc[0].ResolvedAt.Equal(inst.Clock.Now()) ||
		inc[0].Value != 5 || inc[0].LastValue != 0 || inc[0].NotificationsSent != 3 {
		t.Fatalf("incident after resolving %+v", inc)
	}
	// A test delivery now arrives next, proving no further alert was queued.
	testChannel(t, inst, ch.ID)
	if name, _, _ := event(t, next(t, got)); name != apiv1.EventTest {
		t.Fatalf("after resolving, the receiver got %s", name)
	}
	none(t, got, "after the test delivery")
}

// TestRotationOverdueCountsKeysPastTheirRotationDate proves that
// keys.rotation_overdue counts active keys past next_rotation_at.
func TestRotationOverdueCountsKeysPastTheirRotationDate(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	url, got := receiver(t, http.StatusOK)
	ch := createChannel(t, inst, fmt.Sprintf(`{"name":"hook","type":"webhook","webhook":{"url":%q}}`, url))
	createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "short", Scopes: []string{"keys:read"}, RotationDays: ptr(int64(1))})
	rule := createRule(t, inst, apiv1.CreateAlertRuleRequest{
		Name: "overdue", Severity: apiv1.SeverityWarning, Metric: apiv1.MetricKeysRotationOverdue,
		Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGTE, Threshold: 1, Window: "1m"}, NotificationChannelIDs: []string{ch.ID},
	})
	inst.Clock.Advance(23 * time.Hour)
	inst.RunJobs(t)
	if len(incidents(t, inst, rule.ID)) != 0 {
		t.Fatal("an incident opened before any key was due")
	}
	inst.Clock.Advance(2 * time.Hour)
	inst.RunJobs(t)
	if name, _, value := event(t, next(t, got)); name != apiv1.EventAlertOpened || value != 1 {
		t.Fatalf("notification %s with value %v, want alert.opened with 1 overdue key", name, value)
	}
}
