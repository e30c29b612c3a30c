package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// delivered is one request a test receiver got.
type delivered struct {
	header http.Header
	body   []byte
}

// receiver starts an HTTP receiver answering status and returns its URL and
// the channel on which it reports every request.
func receiver(t *testing.T, status int) (string, <-chan delivered) {
	t.Helper()
	got := make(chan delivered, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("receiver: reading body: %v", err)
		}
		got <- delivered{header: r.Header.Clone(), body: body}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, got
}

// next waits for the receiver's next request. Alert notifications are sent
// by the delivery job, which RunJobs runs after the evaluator, so they have
// arrived when RunJobs returns; the deadline only bounds a broken run.
func next(t *testing.T, got <-chan delivered) delivered {
	t.Helper()
	select {
	case d := <-got:
		return d
	case <-time.After(20 * time.Second):
		t.Fatal("the receiver got no delivery")
		return delivered{}
	}
}

// none fails if the receiver has a request waiting. The delivery job sends
// the outbox in order and within RunJobs, so after RunJobs (or after waiting
// for a later delivery) every earlier delivery has arrived.
func none(t *testing.T, got <-chan delivered, why string) {
	t.Helper()
	select {
	case d := <-got:
		t.Fatalf("unexpected delivery (%s): %s", why, d.body)
	default:
	}
}

// createChannel creates a notification channel as the admin.
func createChannel(t *testing.T, inst *servertest.Instance, body string) apiv1.NotificationChannel {
	t.Helper()
	resp, b := call(t, inst.URL, http.MethodPost, "/v1/notification-channels", inst.AdminKey, body)
	mustStatus(t, resp, b, http.StatusCreated)
	return decode[apiv1.NotificationChannel](t, b)
}

// createRule creates an alert rule as the admin.
func createRule(t *testing.T, inst *servertest.Instance, req apiv1.CreateAlertRuleRequest) apiv1.AlertRule {
	t.Helper()
	resp, b := call(t, inst.URL, http.MethodPost, "/v1/alert-rules", inst.AdminKey, toJSON(t, req))
	mustStatus(t, resp, b, http.StatusCreated)
	return decode[apiv1.AlertRule](t, b)
}

// testChannel sends a test notification through a channel as the admin.
func testChannel(t *testing.T, inst *servertest.Instance, id string) apiv1.ChannelTestResult {
	t.Helper()
	resp, b := call(t, inst.URL, http.MethodPost, "/v1/notification-channels/"+id+"/test", inst.AdminKey, "")
	mustStatus(t, resp, b, http.StatusOK)
	return decode[apiv1.ChannelTestResult](t, b)
}

// fieldPaths returns the paths of a 422 body's fields.
func fieldPaths(t *testing.T, body []byte) []string {
	t.Helper()
	var paths []string
	for _, f := range errorOf(t, body).Fields {
		paths = append(paths, f.Path)
	}
	return paths
}
