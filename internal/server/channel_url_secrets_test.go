package server_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// Credentials inside webhook URLs, as receivers take them.
const (
	urlPassword  = "S3CRET-pass-url-test"
	urlToken     = "QSECRET123-url-test"
	urlCode      = "C0DE-url-test"
	urlPathToken = "PATHSECRET-url-test-0123456789"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// watchedServer is a server that logs at debug level into a buffer, and
// records every answer of do, so that a test can search both for secrets.
type watchedServer struct {
	*servertest.Instance
	log    lockedBuffer
	bodies []string
}

func startWatched(t *testing.T) *watchedServer {
	t.Helper()
	w := &watchedServer{}
	w.Instance = servertest.Start(t, servertest.WithLoopbackDestinations(), func(c *server.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&w.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	return w
}

// do sends a request with the admin key, wants status want, and records the
// answer.
func (w *watchedServer) do(t *testing.T, method, path, body string, want int, headers ...string) []byte {
	t.Helper()
	resp, b := call(t, w.URL, method, path, w.AdminKey, body, headers...)
	mustStatus(t, resp, b, want)
	w.bodies = append(w.bodies, string(b))
	return b
}

// noLeaks fails the test for each secret that an answer or the log holds.
func (w *watchedServer) noLeaks(t *testing.T, secrets ...string) {
	t.Helper()
	all := strings.Join(w.bodies, "\n") + w.log.String()
	for _, secret := range secrets {
		if strings.Contains(all, secret) {
			t.Errorf("an answer or the log holds the secret %q", secret)
		}
	}
}

// TestWebhookURLCredentialsAreNeverShown proves that a webhook URL's
// credentials (the userinfo's password and every query value) are sent to
// the receiver but never shown: create, get, list and update answer the URL
// masked (apiv1.MaskURL) with the fingerprint of the whole URL, which moves
// when only a hidden part changes; and no answer (channel test, alert
// history, audit log) nor the server's log at debug level holds them. A
// hidden URL (url_hidden, for a path that is the secret) is not shown at
// all, only its host, and cannot be revealed without being sent again.
func TestWebhookURLCredentialsAreNeverShown(t *testing.T) {
	w := startWatched(t)
	inst := w.Instance
	down, got := receiver(t, http.StatusInternalServerError)
	host := strings.TrimPrefix(down, "http://")
	hook := fmt.Sprintf("http://ops:%s@%s/hook?token=%s&team=sre", urlPassword, host, urlToken)
	do := func(method, path, body string, want int, headers ...string) []byte {
		t.Helper()
		return w.do(t, method, path, body, want, headers...)
	}

	ch := decode[apiv1.NotificationChannel](t, do(http.MethodPost, "/v1/notification-channels",
		fmt.Sprintf(`{"name":"ops","type":"webhook","webhook":{"url":%q}}`, hook), http.StatusCreated))
	want := apiv1.WebhookSettings{URL: "http://ops:*****@" + host + "/hook?token=*****&team=*****",
		URLFingerprint: apiv1.Fingerprint(hook), Host: host}
	check := func(what string, w *apiv1.WebhookSettings, want apiv1.WebhookSettings) {
		t.Helper()
		if w == nil || w.URL != want.URL || w.URLFingerprint != want.URLFingerprint || w.URLHidden != want.URLHidden || w.Host != want.Host {
			t.Fatalf("%s: webhook %+v, want %+v", what, w, want)
		}
	}
	check("create", ch.Webhook, want)
	check("get", decode[apiv1.NotificationChannel](t, do(http.MethodGet, "/v1/notification-channels/"+ch.ID, "", http.StatusOK)).Webhook, want)
	check("list", decode[apiv1.NotificationChannelList](t, do(http.MethodGet, "/v1/notification-channels", "", http.StatusOK)).Data[0].Webhook, want)

	// The receiver gets the credentials; the test result names the host only.
	res := decode[apiv1.ChannelTestResult](t, do(http.MethodPost, "/v1/notification-channels/"+ch.ID+"/test", "", http.StatusOK))
	d := next(t, got)
	if auth := d.header.Get("Authorization"); auth != "Basic "+base64.StdEncoding.EncodeToString([]byte("ops:"+urlPassword)) {
		t.Errorf("the receiver got Authorization %q, want the URL's userinfo", auth)
	}
	if res.Status != apiv1.TestStatusFailed || !strings.Contains(res.Error, host) {
		t.Errorf("test result %+v, want a failure naming the host", res)
	}

	// Only a hidden part changes: the masked URL stays, the fingerprint moves.
	rotated := strings.Replace(hook, urlToken, urlCode, 1)
	after := decode[apiv1.NotificationChannel](t, do(http.MethodPatch, "/v1/notification-channels/"+ch.ID,
		fmt.Sprintf(`{"webhook":{"url":%q}}`, rotated), http.StatusOK)).Webhook
	want.URLFingerprint = apiv1.Fingerprint(rotated)
	check("update of the token", after, want)

	// Alert notifications through the channel report the host only.
	createRule(t, inst, apiv1.CreateAlertRuleRequest{Name: "auth", Severity: apiv1.SeverityCritical, Metric: apiv1.MetricAuthFailures,
		Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 0, Window: "5m"}, NotificationChannelIDs: []string{ch.ID}})
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys", "not-a-key", "")
	mustStatus(t, resp, body, http.StatusUnauthorized)
	inst.RunJobs(t)
	next(t, got)
	incidents := decode[apiv1.AlertIncidentList](t, do(http.MethodGet, "/v1/alert-incidents", "", http.StatusOK)).Data
	if len(incidents) != 1 || len(incidents[0].Notifications) != 1 || !strings.Contains(incidents[0].Notifications[0].LastError, host) {
		t.Errorf("alert history %+v, want one notification whose error names the host", incidents)
	}

	// A hidden URL shows only its host.
	pathHook := fmt.Sprintf("http://%s/services/T000/B000/%s", host, urlPathToken)
	hidden := decode[apiv1.NotificationChannel](t, do(http.MethodPost, "/v1/notification-channels",
		fmt.Sprintf(`{"name":"hidden","type":"webhook","webhook":{"url":%q,"url_hidden":true}}`, pathHook), http.StatusCreated))
	wantHidden := apiv1.WebhookSettings{URL: "", URLFingerprint: apiv1.Fingerprint(pathHook), URLHidden: true, Host: host}
	check("create hidden", hidden.Webhook, wantHidden)
	check("get hidden", decode[apiv1.NotificationChannel](t, do(http.MethodGet, "/v1/notification-channels/"+hidden.ID, "", http.StatusOK)).Webhook, wantHidden)
	// Showing it needs the URL again, which replaces the hidden one.
	b := do(http.MethodPatch, "/v1/notification-channels/"+hidden.ID, `{"webhook":{"url_hidden":false}}`, http.StatusUnprocessableEntity)
	if paths := fieldPaths(t, b); len(paths) != 1 || paths[0] != "webhook.url" {
		t.Errorf("showing a hidden URL without sending it: fields %v, want webhook.url", paths)
	}
	shown := decode[apiv1.NotificationChannel](t, do(http.MethodPatch, "/v1/notification-channels/"+hidden.ID,
		fmt.Sprintf(`{"webhook":{"url_hidden":false,"url":%q}}`, down+"/plain"), http.StatusOK)).Webhook
	check("shown again", shown, apiv1.WebhookSettings{URL: down + "/plain", URLFingerprint: apiv1.Fingerprint(down + "/plain"), Host: host})

	do(http.MethodGet, "/v1/audit-events", "", http.StatusOK)
	w.noLeaks(t, urlPassword, urlToken, urlCode, urlPathToken)
}

// TestPagerDutyEventsURLCredentialsAreNeverShown proves for a PagerDuty
// channel's events_url what TestWebhookURLCredentialsAreNeverShown proves
// for a webhook's url: the endpoint gets the request with the URL's
// credentials, and create, get, list and the channel test answer it masked,
// with the fingerprint of the whole URL; no answer nor the log holds them.
func TestPagerDutyEventsURLCredentialsAreNeverShown(t *testing.T) {
	w := startWatched(t)
	down, got := receiver(t, http.StatusInternalServerError)
	host := strings.TrimPrefix(down, "http://")
	events := fmt.Sprintf("http://ops:%s@%s/v2/enqueue?token=%s", urlPassword, host, urlToken)
	do := func(method, path, body string, want int) []byte {
		t.Helper()
		return w.do(t, method, path, body, want)
	}
	ch := decode[apiv1.NotificationChannel](t, do(http.MethodPost, "/v1/notification-channels",
		fmt.Sprintf(`{"name":"pager","type":"pagerduty","pagerduty":{"routing_key":"R0UT1NGKEY0123456789abcdefABCDEF","events_url":%q}}`, events),
		http.StatusCreated))
	want := apiv1.PagerDutySettings{EventsURL: "http://ops:*****@" + host + "/v2/enqueue?token=*****",
		EventsURLFingerprint: apiv1.Fingerprint(events), RoutingKeyFingerprint: ch.PagerDuty.RoutingKeyFingerprint}
	for what, p := range map[string]*apiv1.PagerDutySettings{
		"create": ch.PagerDuty,
		"get":    decode[apiv1.NotificationChannel](t, do(http.MethodGet, "/v1/notification-channels/"+ch.ID, "", http.StatusOK)).PagerDuty,
		"list":   decode[apiv1.NotificationChannelList](t, do(http.MethodGet, "/v1/notification-channels", "", http.StatusOK)).Data[0].PagerDuty,
	} {
		if p == nil || *p != want {
			t.Errorf("%s: pagerduty %+v, want %+v", what, p, want)
		}
	}
	res := decode[apiv1.ChannelTestResult](t, do(http.MethodPost, "/v1/notification-channels/"+ch.ID+"/test", "", http.StatusOK))
	d := next(t, got)
	if auth := d.header.Get("Authorization"); auth != "Basic "+base64.StdEncoding.EncodeToString([]byte("ops:"+urlPassword)) {
		t.Errorf("the endpoint got Authorization %q, want the URL's userinfo", auth)
	}
	if res.Status != apiv1.TestStatusFailed || !strings.Contains(res.Error, host) {
		t.Errorf("test result %+v, want a failure naming the host", res)
	}
	w.noLeaks(t, urlPassword, urlToken)
}
