package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
)

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
	s := NewSender(Config{Clock: clock.NewManual(time.Unix(0, 0)), Backoff: time.Millisecond})
	attempts, err := s.Send(context.Background(), Channel{Type: apiv1.ChannelTypeWebhook, Webhook: &Webhook{URL: srv.URL}}, Message{Event: apiv1.EventTest})
	if err != nil || attempts != 2 || calls.Load() != 2 {
		t.Fatalf("Send = %d, %v after %d calls; want success on attempt 2", attempts, err, calls.Load())
	}
}

// TestSendErrorNamesOnlyTheHost proves that a failed delivery's error never
// quotes the URL's path, which may hold a secret (Slack's does).
func TestSendErrorNamesOnlyTheHost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	defer srv.Close()
	s := NewSender(Config{Attempts: 1})
	_, err := s.Send(context.Background(), Channel{Type: apiv1.ChannelTypeSlack, Slack: &Slack{WebhookURL: srv.URL + "/services/T0/B0/s3cr3t", Channel: "#a"}}, Message{Event: apiv1.EventTest})
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "403") {
		t.Fatalf("error %v", err)
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
	s := NewSender(Config{AttemptTimeout: 50 * time.Millisecond, Backoff: time.Millisecond})
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
