package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/delivery"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
	"github.com/keymate/terraform-provider-keymate/internal/server/smtptest"
)

// localhostURL returns rawURL with its host replaced by the name
// "localhost", which resolves to loopback: the address is known only when
// the server dials it.
func localhostURL(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = "localhost:" + u.Port()
	return u.String()
}

// TestDeliveriesRefuseLoopbackByDefault proves the request forgery defence
// of issue 9 (hole 2) end to end: a server started without an allow option
// refuses, when it dials, to deliver to receivers on loopback named by a
// host name, for every channel type (the SMTP relay included), and the
// receivers get nothing.
func TestDeliveriesRefuseLoopbackByDefault(t *testing.T) {
	relay := smtptest.Start(t, smtptest.Options{})
	inst := servertest.Start(t, func(c *server.Config) {
		c.SMTP = delivery.SMTP{Addr: strings.Replace(relay.Addr, "127.0.0.1", "localhost", 1), StartTLS: delivery.StartTLSOff}
	})
	hook, got := receiver(t, http.StatusOK)
	target := localhostURL(t, hook)
	channels := []string{
		fmt.Sprintf(`{"name":"webhook","type":"webhook","webhook":{"url":%q}}`, target),
		fmt.Sprintf(`{"name":"slack","type":"slack","slack":{"webhook_url":%q,"channel":"#ops"}}`, target+"/services/T0/B0/x"),
		fmt.Sprintf(`{"name":"pd","type":"pagerduty","pagerduty":{"routing_key":%q,"events_url":%q}}`, testRoutingKey, target),
		`{"name":"mail","type":"email","email":{"addresses":["ops@example.com"]}}`,
	}
	for _, body := range channels {
		ch := createChannel(t, inst, body)
		res := testChannel(t, inst, ch.ID)
		if res.Status != apiv1.TestStatusFailed || !strings.Contains(res.Error, "destination policy") || !strings.Contains(res.Error, "loopback") {
			t.Errorf("%s channel test under the default policy: %+v, want the destination policy's loopback refusal", ch.Type, res)
		}
	}
	none(t, got, "a loopback receiver under the default destination policy")
	select {
	case m := <-relay.Mails:
		t.Fatalf("the loopback SMTP relay got a mail under the default destination policy: %+v", m)
	default:
	}
}

// TestChannelsRefuseDeniedAddressLiterals proves that a destination URL
// whose host is an address the policy denies is a 422 naming the field, on
// create and on update, without echoing the URL; with the allow option the
// same URLs are accepted.
func TestChannelsRefuseDeniedAddressLiterals(t *testing.T) {
	inst := servertest.Start(t)
	cases := []struct{ body, path string }{
		{`{"name":"n","type":"webhook","webhook":{"url":"http://127.0.0.1:1/hook"}}`, "webhook.url"},
		{`{"name":"n","type":"webhook","webhook":{"url":"http://[::1]:1/hook"}}`, "webhook.url"},
		{`{"name":"n","type":"webhook","webhook":{"url":"http://[::ffff:127.0.0.1]:1/hook"}}`, "webhook.url"},
		{`{"name":"n","type":"slack","slack":{"webhook_url":"http://127.0.0.1:1/services/T0/B0/slack-secret","channel":"#a"}}`, "slack.webhook_url"},
		{fmt.Sprintf(`{"name":"n","type":"pagerduty","pagerduty":{"routing_key":%q,"events_url":"http://127.0.0.1:1/"}}`, testRoutingKey), "pagerduty.events_url"},
	}
	for _, tc := range cases {
		resp, body := call(t, inst.URL, http.MethodPost, "/v1/notification-channels", inst.AdminKey, tc.body)
		mustStatus(t, resp, body, http.StatusUnprocessableEntity)
		if paths := fieldPaths(t, body); !slices.Contains(paths, tc.path) || strings.Contains(string(body), "slack-secret") {
			t.Errorf("%s: 422 %s does not name %s, or echoes the URL", tc.body, body, tc.path)
		}
	}
	ch := createChannel(t, inst, `{"name":"n","type":"webhook","webhook":{"url":"https://hooks.example.com/keymate"}}`)
	resp, body := call(t, inst.URL, http.MethodPatch, "/v1/notification-channels/"+ch.ID, inst.AdminKey, `{"webhook":{"url":"http://127.0.0.1:1/hook"}}`)
	mustStatus(t, resp, body, http.StatusUnprocessableEntity)
	if paths := fieldPaths(t, body); !slices.Contains(paths, "webhook.url") {
		t.Errorf("PATCH to a loopback literal: fields %v do not name webhook.url", paths)
	}

	allowed := servertest.Start(t, servertest.WithLoopbackDestinations())
	for _, tc := range cases {
		resp, body := call(t, allowed.URL, http.MethodPost, "/v1/notification-channels", allowed.AdminKey, tc.body)
		mustStatus(t, resp, body, http.StatusCreated)
	}
}

// TestChannelTestReportsStatusAndLatencyNotTheAnswer proves that a test
// result carries the receiver's status code and the latency, and an error
// in the server's words that quotes nothing of the receiver's answer (it
// once quoted 200 bytes of it, which let a channels:write key read an
// internal service).
func TestChannelTestReportsStatusAndLatencyNotTheAnswer(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"internal":"metadata-token-value"}`)
	}))
	t.Cleanup(srv.Close)
	ch := createChannel(t, inst, fmt.Sprintf(`{"name":"internal","type":"webhook","webhook":{"url":%q}}`, srv.URL))
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/notification-channels/"+ch.ID+"/test", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if strings.Contains(string(body), "metadata-token-value") {
		t.Fatalf("the test result quotes the receiver's answer: %s", body)
	}
	result := decode[map[string]any](t, body)
	if result["http_status"] != float64(http.StatusForbidden) || result["latency_ms"] == nil ||
		!strings.Contains(fmt.Sprint(result["error"]), "403 Forbidden") {
		t.Fatalf("test result %s: want http_status 403, latency_ms and an error naming the status", body)
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/notification-channels/"+ch.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if strings.Contains(string(body), "metadata-token-value") {
		t.Fatalf("the channel's last_test_error quotes the receiver's answer: %s", body)
	}
}

// TestChannelTestFollowsNoRedirect proves that a receiver's redirect is
// not followed: the test fails naming the 3xx and the target gets nothing.
func TestChannelTestFollowsNoRedirect(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	var reached atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		reached.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(target.Close)
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/admin", http.StatusFound)
	}))
	t.Cleanup(redirecting.Close)
	ch := createChannel(t, inst, fmt.Sprintf(`{"name":"redirect","type":"webhook","webhook":{"url":%q}}`, redirecting.URL))
	res := testChannel(t, inst, ch.ID)
	if res.Status != apiv1.TestStatusFailed || !strings.Contains(res.Error, "302") {
		t.Fatalf("test through a redirecting receiver: %+v, want a failure naming the 302", res)
	}
	if n := reached.Load(); n != 0 {
		t.Fatalf("the redirect's target got %d requests", n)
	}
}

// TestAlertNotificationsRefuseLoopbackByDefault proves that the outbox's
// deliveries of alert notifications go through the same policy as channel
// tests: the same firing rule notifies a loopback receiver only when the
// server allows loopback destinations.
func TestAlertNotificationsRefuseLoopbackByDefault(t *testing.T) {
	fire := func(inst *servertest.Instance) <-chan delivered {
		hook, got := receiver(t, http.StatusOK)
		ch := createChannel(t, inst, fmt.Sprintf(`{"name":"webhook","type":"webhook","webhook":{"url":%q}}`, localhostURL(t, hook)))
		rule := createRule(t, inst, apiv1.CreateAlertRuleRequest{
			Name: "auth burst", Severity: apiv1.SeverityWarning, Metric: apiv1.MetricAuthFailures,
			Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGTE, Threshold: 1, Window: "5m"}, NotificationChannelIDs: []string{ch.ID},
		})
		resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys", "km_wrong", "")
		mustStatus(t, resp, body, http.StatusUnauthorized)
		inst.Clock.Advance(time.Minute)
		inst.RunJobs(t)
		if n := len(incidents(t, inst, rule.ID)); n != 1 {
			t.Fatalf("%d incidents, want 1", n)
		}
		return got
	}
	none(t, fire(servertest.Start(t)), "an alert notification to a loopback receiver under the default destination policy")
	next(t, fire(servertest.Start(t, servertest.WithLoopbackDestinations())))
}
