package server_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/delivery"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
	"github.com/keymate/terraform-provider-keymate/internal/server/smtptest"
)

const (
	testSigningSecret = "whsec-0123456789abcdef"
	testHeaderValue   = "Bearer header-secret-value-42"
	testRoutingKey    = "R0123456789abcdef0123456789ABCDE"
)

// TestNotificationChannelLifecycleNeverReturnsSecrets proves create, get,
// list, update and delete of a channel, that no secret value ever appears in
// an answer, that fingerprints change exactly when a secret changes, and
// that an update without a secret keeps the stored one.
func TestNotificationChannelLifecycleNeverReturnsSecrets(t *testing.T) {
	inst := servertest.Start(t)
	ch := createChannel(t, inst, fmt.Sprintf(`{"name":"ops","type":"webhook","webhook":{"url":"https://hooks.example.com/keymate",
		"headers":{"Authorization":%q,"X-Team":"sre"},"signing_secret":%q}}`, testHeaderValue, testSigningSecret))
	if !strings.HasPrefix(ch.ID, "nc_") || !ch.Enabled || ch.Type != apiv1.ChannelTypeWebhook || ch.Version != 1 ||
		ch.LastTestStatus != apiv1.TestStatusNever || ch.LastTestAt != nil || ch.Slack != nil || ch.Email != nil {
		t.Fatalf("created %+v", ch)
	}
	w := ch.Webhook
	if w == nil || w.URL != "https://hooks.example.com/keymate" || !slices.Equal(w.HeaderNames, []string{"Authorization", "X-Team"}) ||
		!strings.HasPrefix(w.SigningSecretFingerprint, "sha256:") || len(w.SigningSecretFingerprint) != len("sha256:")+16 ||
		!strings.HasPrefix(w.HeadersFingerprint, "sha256:") {
		t.Fatalf("webhook settings %+v", w)
	}
	sum := sha256.Sum256([]byte(testSigningSecret))
	if want := "sha256:" + hex.EncodeToString(sum[:])[:16]; w.SigningSecretFingerprint != want {
		t.Fatalf("signing secret fingerprint %s, want %s", w.SigningSecretFingerprint, want)
	}
	noSecrets := func(what string, body []byte) {
		t.Helper()
		for _, s := range []string{testSigningSecret, testHeaderValue, "header-secret-value-42"} {
			if strings.Contains(string(body), s) {
				t.Fatalf("%s contains a secret value: %s", what, body)
			}
		}
	}
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/notification-channels/"+ch.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	noSecrets("GET", body)
	if resp.Header.Get("ETag") != `"1"` {
		t.Fatalf("ETag %q", resp.Header.Get("ETag"))
	}
	createChannel(t, inst, `{"name":"mail","type":"email","email":{"addresses":["ops@example.com"]}}`)
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/notification-channels?type=webhook", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	noSecrets("list", body)
	if page := decode[apiv1.NotificationChannelList](t, body); len(page.Data) != 1 || page.Data[0].ID != ch.ID {
		t.Fatalf("type=webhook listed %+v", page.Data)
	}

	// An update without secrets keeps them: the fingerprints stay.
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/notification-channels/"+ch.ID, inst.AdminKey,
		`{"name":"ops2","enabled":false}`, "If-Match", `"1"`)
	mustStatus(t, resp, body, http.StatusOK)
	updated := decode[apiv1.NotificationChannel](t, body)
	if updated.Name != "ops2" || updated.Enabled || updated.Version != 2 || updated.Webhook.URL != "https://hooks.example.com/keymate" ||
		updated.Webhook.SigningSecretFingerprint != w.SigningSecretFingerprint || updated.Webhook.HeadersFingerprint != w.HeadersFingerprint {
		t.Fatalf("updated %+v %+v", updated, updated.Webhook)
	}
	// A new secret or header value changes its fingerprint only.
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/notification-channels/"+ch.ID, inst.AdminKey,
		`{"webhook":{"signing_secret":"whsec-rotated-0123456789"}}`)
	mustStatus(t, resp, body, http.StatusOK)
	noSecrets("PATCH", body)
	rotated := decode[apiv1.NotificationChannel](t, body).Webhook
	if rotated.SigningSecretFingerprint == w.SigningSecretFingerprint || rotated.HeadersFingerprint != w.HeadersFingerprint {
		t.Fatalf("after a new signing secret: %+v (was %+v)", rotated, w)
	}
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/notification-channels/"+ch.ID, inst.AdminKey,
		`{"webhook":{"headers":{"Authorization":"Bearer other","X-Team":"sre"},"signing_secret":""}}`)
	mustStatus(t, resp, body, http.StatusOK)
	changed := decode[apiv1.NotificationChannel](t, body).Webhook
	if changed.HeadersFingerprint == w.HeadersFingerprint || changed.SigningSecretFingerprint != "" {
		t.Fatalf("after new headers and no secret: %+v", changed)
	}

	// A stale If-Match is refused; an unchanged patch keeps the version.
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/notification-channels/"+ch.ID, inst.AdminKey, `{"name":"x"}`, "If-Match", `"1"`)
	mustStatus(t, resp, body, http.StatusPreconditionFailed)
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/notification-channels/"+ch.ID, inst.AdminKey, `{"name":"ops2"}`)
	mustStatus(t, resp, body, http.StatusOK)
	if v := decode[apiv1.NotificationChannel](t, body).Version; v != 4 {
		t.Fatalf("version after a no-op patch %d, want 4", v)
	}
	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/notification-channels/"+ch.ID, inst.AdminKey, "", "If-Match", `"1"`)
	mustStatus(t, resp, body, http.StatusPreconditionFailed)
	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/notification-channels/"+ch.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)
	for _, req := range [][2]string{{http.MethodGet, ""}, {http.MethodPatch, "{}"}, {http.MethodDelete, ""}} {
		resp, body = call(t, inst.URL, req[0], "/v1/notification-channels/"+ch.ID, inst.AdminKey, req[1])
		mustStatus(t, resp, body, http.StatusNotFound)
	}
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/notification-channels/"+ch.ID+"/test", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNotFound)
}

// TestNotificationChannelValidationNamesTheField proves that each bad
// channel request is a 422 naming the offending field.
func TestNotificationChannelValidationNamesTheField(t *testing.T) {
	inst := servertest.Start(t)
	cases := []struct{ body, path string }{
		{`{"type":"webhook","webhook":{"url":"https://x.example.com"}}`, "name"},
		{`{"name":"n","webhook":{"url":"https://x.example.com"}}`, "type"},
		{`{"name":"n","type":"sms"}`, "type"},
		{`{"name":"n","type":"webhook"}`, "webhook"},
		{`{"name":"n","type":"webhook","webhook":{"url":"https://x.example.com"},"slack":{"webhook_url":"https://hooks.slack.com/x","channel":"#a"}}`, "slack"},
		{`{"name":"n","type":"webhook","slack":{"webhook_url":"https://hooks.slack.com/x","channel":"#a"}}`, "slack"},
		{`{"name":"n","type":"webhook","webhook":{}}`, "webhook.url"},
		{`{"name":"n","type":"webhook","webhook":{"url":"ftp://x.example.com"}}`, "webhook.url"},
		{`{"name":"n","type":"webhook","webhook":{"url":"https://x.example.com","signing_secret":"short"}}`, "webhook.signing_secret"},
		{`{"name":"n","type":"webhook","webhook":{"url":"https://x.example.com","headers":{"Bad Name":"v"}}}`, "webhook.headers.Bad Name"},
		{`{"name":"n","type":"webhook","webhook":{"url":"https://x.example.com","headers":{"X-Keymate-Signature":"v"}}}`, "webhook.headers.X-Keymate-Signature"},
		{`{"name":"n","type":"slack","slack":{"webhook_url":"http://hooks.slack.com/x","channel":"#a"}}`, "slack.webhook_url"},
		{`{"name":"n","type":"slack","slack":{"webhook_url":"https://hooks.slack.com/x","channel":"alerts"}}`, "slack.channel"},
		{`{"name":"n","type":"pagerduty","pagerduty":{"routing_key":"short"}}`, "pagerduty.routing_key"},
		{`{"name":"n","type":"email","email":{"addresses":[]}}`, "email.addresses"},
		{`{"name":"n","type":"email","email":{"addresses":["ops@example.com","not-an-address"]}}`, "email.addresses[1]"},
	}
	for _, tc := range cases {
		resp, body := call(t, inst.URL, http.MethodPost, "/v1/notification-channels", inst.AdminKey, tc.body)
		mustStatus(t, resp, body, http.StatusUnprocessableEntity)
		if paths := fieldPaths(t, body); !slices.Contains(paths, tc.path) {
			t.Errorf("%s: fields %v do not name %s", tc.body, paths, tc.path)
		}
	}
	ch := createChannel(t, inst, `{"name":"n","type":"email","email":{"addresses":["ops@example.com"]}}`)
	for _, tc := range []struct{ body, path string }{
		{`{"type":"webhook"}`, "type"},
		{`{"webhook":{"url":"https://x.example.com"}}`, "webhook"},
		{`{"email":{"addresses":["x"]}}`, "email.addresses[0]"},
	} {
		resp, body := call(t, inst.URL, http.MethodPatch, "/v1/notification-channels/"+ch.ID, inst.AdminKey, tc.body)
		mustStatus(t, resp, body, http.StatusUnprocessableEntity)
		if paths := fieldPaths(t, body); !slices.Contains(paths, tc.path) {
			t.Errorf("PATCH %s: fields %v do not name %s", tc.body, paths, tc.path)
		}
	}
}

// TestNotificationChannelCreateIsIdempotent proves that a retried create
// with the same Idempotency-Key answers the first channel and creates no
// second one.
func TestNotificationChannelCreateIsIdempotent(t *testing.T) {
	inst := servertest.Start(t)
	body := `{"name":"ops","type":"email","email":{"addresses":["ops@example.com"]}}`
	resp1, b1 := call(t, inst.URL, http.MethodPost, "/v1/notification-channels", inst.AdminKey, body, "Idempotency-Key", "nc-1")
	mustStatus(t, resp1, b1, http.StatusCreated)
	resp2, b2 := call(t, inst.URL, http.MethodPost, "/v1/notification-channels", inst.AdminKey, body, "Idempotency-Key", "nc-1")
	mustStatus(t, resp2, b2, http.StatusCreated)
	if resp2.Header.Get("Idempotent-Replayed") != "true" || decode[apiv1.NotificationChannel](t, b1).ID != decode[apiv1.NotificationChannel](t, b2).ID {
		t.Fatalf("replay answered %s, first %s", b2, b1)
	}
	resp, b := call(t, inst.URL, http.MethodGet, "/v1/notification-channels", inst.AdminKey, "")
	mustStatus(t, resp, b, http.StatusOK)
	if n := len(decode[apiv1.NotificationChannelList](t, b).Data); n != 1 {
		t.Fatalf("%d channels after a retried create, want 1", n)
	}
}

// checkSignature verifies an X-Keymate-Signature the way a receiver
// should: HMAC-SHA256 of "<t>.<body>" under the secret, with t at most
// apiv1.MaxSignatureAge before now.
func checkSignature(header string, body []byte, secret string, now time.Time) error {
	ts, mac, ok := strings.Cut(header, ",v1=")
	ts, hasT := strings.CutPrefix(ts, "t=")
	if !ok || !hasT {
		return fmt.Errorf("malformed signature header %q", header)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("signature timestamp %q: %w", ts, err)
	}
	if age := now.Sub(time.Unix(sec, 0)); age < 0 || age > apiv1.MaxSignatureAge {
		return fmt.Errorf("signature timestamp is %s old", age)
	}
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts + "."))
	h.Write(body)
	if !hmac.Equal([]byte(mac), []byte(hex.EncodeToString(h.Sum(nil)))) {
		return fmt.Errorf("signature v1=%s does not verify", mac)
	}
	return nil
}

// TestWebhookTestDeliveryIsSignedAndRecorded proves that a channel test
// posts a signed, timestamped JSON body with the configured headers to the
// webhook, and that its success is recorded on the channel.
func TestWebhookTestDeliveryIsSignedAndRecorded(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	url, got := receiver(t, http.StatusNoContent)
	ch := createChannel(t, inst, fmt.Sprintf(`{"name":"ops","type":"webhook","webhook":{"url":%q,"headers":{"X-Team":"sre"},"signing_secret":%q}}`, url, testSigningSecret))
	inst.Clock.Advance(time.Minute)

	res := testChannel(t, inst, ch.ID)
	if res.Status != apiv1.TestStatusSucceeded || res.Error != "" || res.Attempts != 1 || !res.TestedAt.Equal(inst.Clock.Now()) {
		t.Fatalf("test result %+v", res)
	}
	d := next(t, got)
	signature := d.header.Get(apiv1.HeaderSignature)
	if err := checkSignature(signature, d.body, testSigningSecret, inst.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if d.header.Get(apiv1.HeaderEvent) != apiv1.EventTest || d.header.Get("X-Team") != "sre" || d.header.Get("Content-Type") != "application/json" {
		t.Fatalf("delivery headers %v", d.header)
	}
	var msg struct{ Event, Summary string }
	if err := json.Unmarshal(d.body, &msg); err != nil || msg.Event != apiv1.EventTest || !strings.Contains(msg.Summary, ch.ID) {
		t.Fatalf("delivery body %s (%v)", d.body, err)
	}
	// A changed body, a wrong secret or a replay after five minutes fails.
	tampered := append([]byte(nil), d.body...)
	tampered[len(tampered)-2] ^= 1
	if checkSignature(signature, tampered, testSigningSecret, inst.Clock.Now()) == nil ||
		checkSignature(signature, d.body, "whsec-another-secret-000", inst.Clock.Now()) == nil ||
		checkSignature(signature, d.body, testSigningSecret, inst.Clock.Now().Add(apiv1.MaxSignatureAge+time.Second)) == nil {
		t.Fatal("the signature check accepts a tampered, wrongly signed or replayed delivery")
	}

	resp, body := call(t, inst.URL, http.MethodGet, "/v1/notification-channels/"+ch.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	after := decode[apiv1.NotificationChannel](t, body)
	if after.LastTestStatus != apiv1.TestStatusSucceeded || after.LastTestAt == nil || !after.LastTestAt.Equal(res.TestedAt) || after.Version != 1 {
		t.Fatalf("channel after the test %+v", after)
	}
}

// TestSlackAndPagerDutyTestDeliveriesReachTheirReceivers proves the bodies
// of Slack and PagerDuty test deliveries.
func TestSlackAndPagerDutyTestDeliveriesReachTheirReceivers(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	slackURL, slackGot := receiver(t, http.StatusOK)
	slack := createChannel(t, inst, fmt.Sprintf(`{"name":"slack","type":"slack","slack":{"webhook_url":%q,"channel":"#alerts"}}`, slackURL+"/services/T0/B0/secret"))
	if res := testChannel(t, inst, slack.ID); res.Status != apiv1.TestStatusSucceeded {
		t.Fatalf("slack test %+v", res)
	}
	var slackBody struct{ Text, Channel string }
	if err := json.Unmarshal(next(t, slackGot).body, &slackBody); err != nil || slackBody.Channel != "#alerts" || !strings.Contains(slackBody.Text, "Test notification") {
		t.Fatalf("slack body %+v (%v)", slackBody, err)
	}

	pdURL, pdGot := receiver(t, http.StatusAccepted)
	pd := createChannel(t, inst, fmt.Sprintf(`{"name":"pd","type":"pagerduty","pagerduty":{"routing_key":%q,"events_url":%q}}`, testRoutingKey, pdURL))
	if res := testChannel(t, inst, pd.ID); res.Status != apiv1.TestStatusSucceeded {
		t.Fatalf("pagerduty test %+v", res)
	}
	var event struct {
		RoutingKey  string `json:"routing_key"`
		EventAction string `json:"event_action"`
		DedupKey    string `json:"dedup_key"`
		Payload     struct{ Summary, Severity, Source string }
	}
	if err := json.Unmarshal(next(t, pdGot).body, &event); err != nil || event.RoutingKey != testRoutingKey || event.EventAction != "trigger" ||
		event.DedupKey == "" || event.Payload.Summary == "" || event.Payload.Severity != "info" || event.Payload.Source != "keymate" {
		t.Fatalf("pagerduty body %+v (%v)", event, err)
	}
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/notification-channels/"+pd.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if settings := decode[apiv1.NotificationChannel](t, body).PagerDuty; settings == nil || settings.EventsURL != pdURL || strings.Contains(string(body), testRoutingKey) {
		t.Fatalf("pagerduty channel %s", body)
	}
	def := createChannel(t, inst, fmt.Sprintf(`{"name":"pd2","type":"pagerduty","pagerduty":{"routing_key":%q}}`, testRoutingKey))
	if def.PagerDuty.EventsURL != apiv1.DefaultPagerDutyEventURL {
		t.Fatalf("default events_url %q", def.PagerDuty.EventsURL)
	}
}

// TestEmailTestDeliveryGoesThroughTheSMTPRelay proves that an email test
// reaches the relay given by SMTP.Addr, upgraded with STARTTLS (the
// relay's certificate verified) and authenticated with AUTH PLAIN inside
// TLS, with the configured sender, every recipient and a test subject; the
// relay heard nothing in clear but the greeting and STARTTLS.
func TestEmailTestDeliveryGoesThroughTheSMTPRelay(t *testing.T) {
	const password = "relay-password-0123456789" //nolint:gosec // G101: a test-only secret.
	relay := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: "keymate", Password: password})
	inst := servertest.Start(t, servertest.WithLoopbackDestinations(), func(c *server.Config) {
		c.SMTP = delivery.SMTP{Addr: relay.Addr, From: "alerts@keymate.test", RootCAs: relay.RootCAs, Username: "keymate", Password: password}
	})
	ch := createChannel(t, inst, `{"name":"mail","type":"email","email":{"addresses":["ops@example.com","sec@example.com"]}}`)
	if res := testChannel(t, inst, ch.ID); res.Status != apiv1.TestStatusSucceeded {
		t.Fatalf("email test %+v", res)
	}
	var m smtptest.Mail
	select {
	case m = <-relay.Mails:
	case <-time.After(20 * time.Second):
		t.Fatal("the relay got no mail")
	}
	if m.From != "alerts@keymate.test" || !slices.Equal(m.To, []string{"ops@example.com", "sec@example.com"}) ||
		m.Header("Subject") != "[Keymate] Test notification" || m.Header("To") != "ops@example.com, sec@example.com" {
		t.Fatalf("mail from %q to %v subject %q", m.From, m.To, m.Header("Subject"))
	}
	if !m.TLS || m.User != "keymate" {
		t.Fatalf("mail sent with TLS %t as user %q, want TLS as keymate", m.TLS, m.User)
	}
	if clear := relay.ClearText(); clear != "EHLO localhost\nSTARTTLS" {
		t.Fatalf("the relay heard in clear:\n%s", clear)
	}
}

// TestEmailInClearNeedsStartTLSOff proves that a relay without STARTTLS
// gets nothing by default (the test fails naming the missing STARTTLS and
// the flag), and mail, without credentials, once STARTTLS is turned off.
func TestEmailInClearNeedsStartTLSOff(t *testing.T) {
	relay := smtptest.Start(t, smtptest.Options{})
	strict := servertest.Start(t, servertest.WithLoopbackDestinations(), func(c *server.Config) { c.SMTP = delivery.SMTP{Addr: relay.Addr} })
	ch := createChannel(t, strict, `{"name":"mail","type":"email","email":{"addresses":["ops@example.com"]}}`)
	if res := testChannel(t, strict, ch.ID); res.Status != apiv1.TestStatusFailed || !strings.Contains(res.Error, "does not offer STARTTLS") ||
		!strings.Contains(res.Error, "--smtp-starttls") {
		t.Fatalf("email test through a relay without STARTTLS: %+v", res)
	}
	for line := range strings.Lines(relay.ClearText()) {
		if strings.TrimSpace(line) != "EHLO localhost" {
			t.Fatalf("the relay heard more than greetings:\n%s", relay.ClearText())
		}
	}

	plain := servertest.Start(t, servertest.WithLoopbackDestinations(), func(c *server.Config) {
		c.SMTP = delivery.SMTP{Addr: relay.Addr, StartTLS: delivery.StartTLSOff}
	})
	ch = createChannel(t, plain, `{"name":"mail","type":"email","email":{"addresses":["ops@example.com"]}}`)
	if res := testChannel(t, plain, ch.ID); res.Status != apiv1.TestStatusSucceeded {
		t.Fatalf("email test with --smtp-starttls off: %+v", res)
	}
	if m := <-relay.Mails; m.TLS || m.User != "" {
		t.Fatalf("mail %+v, want plain and unauthenticated", m)
	}
}

// TestFailedTestDeliveriesAreReportedAndRecorded proves that a receiver
// answering 500 makes the test fail after every retry, with the error in
// the result and on the channel, and that email without a relay fails with
// an error saying how to configure one.
func TestFailedTestDeliveriesAreReportedAndRecorded(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	url, got := receiver(t, http.StatusInternalServerError)
	ch := createChannel(t, inst, fmt.Sprintf(`{"name":"down","type":"webhook","webhook":{"url":%q}}`, url))
	res := testChannel(t, inst, ch.ID)
	if res.Status != apiv1.TestStatusFailed || res.Attempts != 3 || !strings.Contains(res.Error, "500") {
		t.Fatalf("test result %+v", res)
	}
	for range 3 {
		next(t, got)
	}
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/notification-channels/"+ch.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if after := decode[apiv1.NotificationChannel](t, body); after.LastTestStatus != apiv1.TestStatusFailed || after.LastTestError != res.Error {
		t.Fatalf("channel after the failed test %+v", after)
	}

	mail := createChannel(t, inst, `{"name":"mail","type":"email","email":{"addresses":["ops@example.com"]}}`)
	res = testChannel(t, inst, mail.ID)
	if res.Status != apiv1.TestStatusFailed || !strings.Contains(res.Error, "--smtp-addr") {
		t.Fatalf("email test without a relay %+v", res)
	}
}

// TestDeletingAChannelInUseIsAConflictNamingTheRules proves the 409.
func TestDeletingAChannelInUseIsAConflictNamingTheRules(t *testing.T) {
	inst := servertest.Start(t)
	ch := createChannel(t, inst, `{"name":"mail","type":"email","email":{"addresses":["ops@example.com"]}}`)
	rule := createRule(t, inst, apiv1.CreateAlertRuleRequest{
		Name: "auth burst", Severity: apiv1.SeverityWarning, Metric: apiv1.MetricAuthFailures,
		Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 3, Window: "5m"}, NotificationChannelIDs: []string{ch.ID},
	})
	resp, body := call(t, inst.URL, http.MethodDelete, "/v1/notification-channels/"+ch.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusConflict)
	if e := errorOf(t, body); e.Code != apiv1.CodeConflict || !strings.Contains(e.Message, rule.ID) || !strings.Contains(e.Message, "auth burst") || len(e.Fields) != 0 {
		t.Fatalf("409 %+v does not name rule %s", e, rule.ID)
	}
	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/alert-rules/"+rule.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)
	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/notification-channels/"+ch.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)
}
