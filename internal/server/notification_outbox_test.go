package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// flakyReceiver is receiver, except that it answers 503 to its first
// failures requests and 200 afterwards.
func flakyReceiver(t *testing.T, failures int32) (string, <-chan delivered) {
	t.Helper()
	var calls atomic.Int32
	got := make(chan delivered, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("receiver: reading body: %v", err)
		}
		got <- delivered{header: r.Header.Clone(), body: body}
		if calls.Add(1) <= failures {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "try later")
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, got
}

// outbox returns the server's outbox, oldest first.
func outbox(t *testing.T, inst *servertest.Instance) []store.OutboxDelivery {
	t.Helper()
	rows, err := inst.Server.OutboxForTest(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// onlyDelivery returns the outbox's single notification.
func onlyDelivery(t *testing.T, inst *servertest.Instance) store.OutboxDelivery {
	t.Helper()
	rows := outbox(t, inst)
	if len(rows) != 1 {
		t.Fatalf("outbox holds %d notifications, want 1: %+v", len(rows), rows)
	}
	return rows[0]
}

// overdueRule makes one key overdue for rotation and creates a
// keys.rotation_overdue rule notifying a webhook at url, so that the rule
// fires once the clock has moved past the key's rotation date (and keeps
// firing, whatever the clock does next, across restarts).
func overdueRule(t *testing.T, inst *servertest.Instance, url string) apiv1.AlertRule {
	t.Helper()
	ch := createChannel(t, inst, fmt.Sprintf(`{"name":"hook","type":"webhook","webhook":{"url":%q,"signing_secret":%q}}`, url, testSigningSecret))
	createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "short", Scopes: []string{"keys:read"}, RotationDays: ptr(int64(1))})
	rule := createRule(t, inst, apiv1.CreateAlertRuleRequest{
		Name: "overdue", Severity: apiv1.SeverityWarning, Metric: apiv1.MetricKeysRotationOverdue,
		Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGTE, Threshold: 1, Window: "1m"}, NotificationChannelIDs: []string{ch.ID},
	})
	inst.Clock.Advance(25 * time.Hour)
	return rule
}

// TestFailedNotificationIsRetriedAfterBackoff proves that a notification
// whose receiver fails stays in the outbox, is not retried before its
// backoff has passed on the clock, and is delivered by a later run.
func TestFailedNotificationIsRetriedAfterBackoff(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	url, got := flakyReceiver(t, 1)
	ch := createChannel(t, inst, fmt.Sprintf(`{"name":"hook","type":"webhook","webhook":{"url":%q}}`, url))
	createRule(t, inst, apiv1.CreateAlertRuleRequest{
		Name: "auth burst", Severity: apiv1.SeverityCritical, Metric: apiv1.MetricAuthFailures,
		Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 3, Window: "5m"}, NotificationChannelIDs: []string{ch.ID},
	})
	for range 5 {
		resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys", "km_wrong", "")
		mustStatus(t, resp, body, http.StatusUnauthorized)
	}
	inst.Clock.Advance(time.Minute)
	failedAt := inst.Clock.Now()
	inst.RunJobs(t) // opens the incident; the first attempt fails
	name, incidentID, _ := event(t, next(t, got))
	if name != apiv1.EventAlertOpened {
		t.Fatalf("first attempt carried %s", name)
	}
	d := onlyDelivery(t, inst)
	if d.Status != store.OutboxPending || d.Attempts != 1 || !strings.Contains(d.LastError, "503") ||
		!d.NextAttemptAt.Equal(failedAt.Add(server.OutboxBackoff)) || d.ChannelID != ch.ID || d.IncidentID != incidentID {
		t.Fatalf("after a failed attempt %+v", d)
	}

	inst.Clock.Advance(server.OutboxBackoff - time.Second)
	inst.RunJobs(t)
	none(t, got, "retried before the backoff passed")

	inst.Clock.Advance(time.Second)
	inst.RunJobs(t)
	if name, id, value := event(t, next(t, got)); name != apiv1.EventAlertOpened || id != incidentID || value != 5 {
		t.Fatalf("retry carried %s for %s, value %v", name, id, value)
	}
	if d := onlyDelivery(t, inst); d.Status != store.OutboxDelivered || d.Attempts != 2 || d.LastError != "" {
		t.Fatalf("after a successful retry %+v", d)
	}
	inst.Clock.Advance(2 * time.Minute) // still within the window: no resolution
	inst.RunJobs(t)
	none(t, got, "a delivered notification is not sent again")
}

// TestNotificationSurvivesRestart proves the outbox's durability: the
// evaluator commits an incident and its notification, the server stops
// before sending it, and the restarted server delivers it exactly once. The
// outbox holds the message without the channel's signing secret.
func TestNotificationSurvivesRestart(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	url, got := receiver(t, http.StatusOK)
	rule := overdueRule(t, inst, url)

	if err := inst.Server.EvaluateAlertsForTest(t.Context()); err != nil {
		t.Fatal(err)
	}
	inc := incidents(t, inst, rule.ID)
	if len(inc) != 1 || inc[0].Status != apiv1.IncidentStatusOpen {
		t.Fatalf("incidents %+v", inc)
	}
	d := onlyDelivery(t, inst)
	if d.Status != store.OutboxPending || d.Attempts != 0 || d.IncidentID != inc[0].ID {
		t.Fatalf("outbox before delivery %+v", d)
	}
	if bytes.Contains(d.Payload, []byte(testSigningSecret)) {
		t.Fatal("the outbox holds the channel's signing secret")
	}
	none(t, got, "the evaluator alone sends nothing")

	inst.Restart(t)
	inst.RunJobs(t)
	opened := next(t, got)
	if name, id, value := event(t, opened); name != apiv1.EventAlertOpened || id != inc[0].ID || value != 1 {
		t.Fatalf("after restart the receiver got %s for %s, value %v", name, id, value)
	}
	if err := checkSignature(opened.header.Get(apiv1.HeaderSignature), opened.body, testSigningSecret, inst.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	none(t, got, "one notification, delivered once")
	if d := onlyDelivery(t, inst); d.Status != store.OutboxDelivered || d.Attempts != 1 {
		t.Fatalf("outbox after delivery %+v", d)
	}

	inst.Clock.Advance(time.Hour)
	inst.Restart(t)
	inst.RunJobs(t)
	none(t, got, "a delivered notification is not sent again after another restart")
}

// TestNotificationFailsAfterMaxAttempts proves that a receiver that keeps
// failing gets OutboxMaxAttempts attempts, spaced by a doubling backoff, and
// that the notification is then marked failed with the last error and never
// sent again.
func TestNotificationFailsAfterMaxAttempts(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	url, got := receiver(t, http.StatusInternalServerError)
	overdueRule(t, inst, url)

	inst.RunJobs(t)
	event(t, next(t, got))
	wait := server.OutboxBackoff
	for attempt := 2; attempt <= server.OutboxMaxAttempts; attempt++ {
		inst.Clock.Advance(wait - time.Second)
		inst.RunJobs(t)
		none(t, got, fmt.Sprintf("attempt %d before its backoff of %v", attempt, wait))
		inst.Clock.Advance(time.Second)
		inst.RunJobs(t)
		if name, _, _ := event(t, next(t, got)); name != apiv1.EventAlertOpened {
			t.Fatalf("attempt %d carried %s", attempt, name)
		}
		wait *= 2
	}
	d := onlyDelivery(t, inst)
	if d.Status != store.OutboxFailed || d.Attempts != server.OutboxMaxAttempts ||
		!strings.Contains(d.LastError, "500") || !strings.Contains(d.LastError, "Internal Server Error") {
		t.Fatalf("after %d failed attempts %+v", server.OutboxMaxAttempts, d)
	}
	inst.Clock.Advance(24 * time.Hour)
	inst.RunJobs(t)
	none(t, got, "a failed notification is not retried")
}
