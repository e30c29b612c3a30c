package delivery

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server/destination"
)

// loopback allows the test receivers on 127.0.0.0/8 and ::1.
var loopback = destination.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}

// TestSignMatchesAKnownVector proves the signature format against a value
// computed independently (HMAC-SHA256 of "1700000000.{}" under "secret",
// by Python's hmac module).
func TestSignMatchesAKnownVector(t *testing.T) {
	got := Sign("secret", time.Unix(1700000000, 0), []byte("{}"))
	want := "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
	if got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

// TestSendRetriesUntilSuccess proves that Send retries a failing receiver
// and stops at the first success.
func TestSendRetriesUntilSuccess(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) < 2 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	s := NewSender(Config{Clock: clock.NewManual(time.Unix(0, 0)), Destinations: loopback, Backoff: time.Millisecond})
	res := s.Send(context.Background(), Channel{Type: apiv1.ChannelTypeWebhook, Webhook: &Webhook{URL: srv.URL}}, Message{Event: apiv1.EventTest})
	if res.Err != nil || res.Attempts != 2 || res.HTTPStatus != http.StatusOK || calls.Load() != 2 {
		t.Fatalf("Send = %+v after %d calls; want success (200) on attempt 2", res, calls.Load())
	}
}

// TestSendErrorNamesOnlyTheHost proves that a failed delivery's error never
// quotes the URL's path, which may hold a secret (Slack's does).
func TestSendErrorNamesOnlyTheHost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	defer srv.Close()
	s := NewSender(Config{Destinations: loopback, Attempts: 1})
	for _, webhookURL := range []string{srv.URL + "/services/T0/B0/s3cr3t", "http://127.0.0.1:0/services/T0/B0/s3cr3t", "http://%zz/s3cr3t"} {
		res := s.Send(context.Background(), Channel{Type: apiv1.ChannelTypeSlack, Slack: &Slack{WebhookURL: webhookURL, Channel: "#a"}}, Message{Event: apiv1.EventTest})
		if res.Err == nil || strings.Contains(res.Err.Error(), "s3cr3t") {
			t.Fatalf("error for %s: %v", webhookURL, res.Err)
		}
	}
}

// TestAttemptMakesOneBoundedAttempt proves that Attempt does not retry a
// failing receiver and that the attempt timeout bounds a slow one.
func TestAttemptMakesOneBoundedAttempt(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	s := NewSender(Config{Destinations: loopback, AttemptTimeout: 50 * time.Millisecond, Backoff: time.Millisecond})
	ch := Channel{Type: apiv1.ChannelTypeWebhook, Webhook: &Webhook{URL: srv.URL}}
	if err := s.Attempt(context.Background(), ch, Message{Event: apiv1.EventAlertOpened}); err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("Attempt against a failing receiver = %v, want its 502", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("Attempt made %d calls, want 1", calls.Load())
	}
	start := time.Now()
	if err := s.Attempt(context.Background(), ch, Message{Event: apiv1.EventAlertOpened}); err == nil {
		t.Fatal("Attempt against a receiver that never answers succeeded")
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("Attempt took %v despite a 50ms attempt timeout", elapsed)
	}
}

// TestDefaultPolicyRefusesLoopbackBeforeConnecting proves the request
// forgery defence at dial time: under the default policy a webhook to a
// loopback receiver, named by address or by a host name that resolves to
// it, fails with the policy's error, and the receiver gets nothing.
func TestDefaultPolicyRefusesLoopbackBeforeConnecting(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	byName := "http://localhost:" + u.Port() + "/hook"
	s := NewSender(Config{Attempts: 1})
	for _, target := range []string{srv.URL + "/hook", byName} {
		res := s.Send(context.Background(), Channel{Type: apiv1.ChannelTypeWebhook, Webhook: &Webhook{URL: target}}, Message{Event: apiv1.EventTest})
		var denied *destination.DeniedError
		if !errors.As(res.Err, &denied) || denied.Class != destination.ClassLoopback || res.HTTPStatus != 0 {
			t.Errorf("Send to %s = %+v, want the destination policy's loopback refusal", target, res)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("the loopback receiver got %d requests under the default policy", n)
	}
}

// TestDefaultPolicyRefusesALoopbackSMTPRelay proves that email gets the
// same policy: a relay on loopback is refused before any connection is
// made (the first connection the listener accepts is the test's own probe).
func TestDefaultPolicyRefusesALoopbackSMTPRelay(t *testing.T) {
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	first := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, _ := bufio.NewReader(conn).ReadString('\n')
		first <- line
	}()
	s := NewSender(Config{SMTP: SMTP{Addr: ln.Addr().String()}, Attempts: 1})
	res := s.Send(t.Context(), Channel{Type: apiv1.ChannelTypeEmail, Email: &Email{Addresses: []string{"ops@example.com"}}}, Message{Event: apiv1.EventTest})
	var denied *destination.DeniedError
	if !errors.As(res.Err, &denied) || !strings.Contains(res.Err.Error(), "SMTP relay") {
		t.Fatalf("email through a loopback relay = %v, want the destination policy's refusal", res.Err)
	}
	probe, err := (&net.Dialer{}).DialContext(t.Context(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	if _, err := io.WriteString(probe, "probe\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case line := <-first:
		if line != "probe\n" {
			t.Fatalf("the relay's first connection said %q: the Sender connected despite the policy", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the probe connection was not accepted")
	}
}

// TestSendFollowsNoRedirect proves that a redirect is not followed: the
// delivery fails with the 3xx and the redirect's target gets nothing.
func TestSendFollowsNoRedirect(t *testing.T) {
	var calls atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer target.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/internal", http.StatusTemporaryRedirect)
	}))
	defer redirecting.Close()
	s := NewSender(Config{Destinations: loopback, Attempts: 1})
	res := s.Send(context.Background(), Channel{Type: apiv1.ChannelTypeWebhook, Webhook: &Webhook{URL: redirecting.URL}}, Message{Event: apiv1.EventTest})
	if res.Err == nil || res.HTTPStatus != http.StatusTemporaryRedirect || !strings.Contains(res.Err.Error(), "redirects are not followed") {
		t.Fatalf("Send to a redirecting receiver = %+v, want a failure naming the 307", res)
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("the redirect's target got %d requests", n)
	}
}

// TestSendErrorNeverQuotesTheAnswer proves that a failed delivery's error
// reports the status code in the Sender's words and nothing of the
// receiver's answer, so deliveries cannot read an internal service.
func TestSendErrorNeverQuotesTheAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Internal", "internal-header-value")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "internal-service-data: db-password")
	}))
	defer srv.Close()
	s := NewSender(Config{Destinations: loopback, Attempts: 1})
	res := s.Send(context.Background(), Channel{Type: apiv1.ChannelTypeWebhook, Webhook: &Webhook{URL: srv.URL}}, Message{Event: apiv1.EventTest})
	if res.Err == nil || res.HTTPStatus != http.StatusInternalServerError {
		t.Fatalf("Send = %+v, want a failure with status 500", res)
	}
	if msg := res.Err.Error(); strings.Contains(msg, "internal-service-data") || strings.Contains(msg, "db-password") ||
		strings.Contains(msg, "internal-header-value") || !strings.Contains(msg, "500 Internal Server Error") {
		t.Fatalf("error %q: want the status in the Sender's words and nothing of the answer", msg)
	}
}
