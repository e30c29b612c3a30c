package client_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// These tests run the client against the real server, so that retries and
// idempotency are proven end to end rather than against a fake.

// A burst beyond the server's rate limit is answered 429 with Retry-After;
// the client waits as told and every call succeeds.
func TestClientRidesOutTheRealServersRateLimit(t *testing.T) {
	inst := servertest.Start(t, servertest.WithClock(clock.Real{}), servertest.WithRateLimit(4, 1))
	throttled := countingProxy(t, inst.URL, http.StatusTooManyRequests)
	c, err := client.New(client.Config{
		Endpoint: throttled.url, APIKey: inst.AdminKey, MaxRetries: 5,
		MinRetryWait: 10 * time.Millisecond, MaxRetryWait: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := c.ListAPIKeys(t.Context(), client.ListAPIKeysOptions{}); err != nil {
			t.Fatalf("call %d failed instead of waiting out the rate limit: %v", i, err)
		}
	}
	if throttled.count.Load() == 0 {
		t.Fatal("the burst was never throttled, so the test proved nothing: lower the rate limit")
	}
}

// When the response to a create is lost after the server committed it, the
// client's retry carries the same Idempotency-Key and the server replays the
// first result: one key exists, and the caller gets its secret.
func TestClientRetryAfterLostResponseCreatesOneKey(t *testing.T) {
	inst := servertest.Start(t)
	target, err := url.Parse(inst.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var dropped atomic.Bool
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !dropped.CompareAndSwap(false, true) {
			proxy.ServeHTTP(w, r)
			return
		}
		// Forward the first create, let the server commit it, then drop the
		// connection before the client sees the answer.
		rec := httptest.NewRecorder()
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(rec, r)
		if rec.Code != http.StatusCreated {
			t.Errorf("first create answered %d, want 201", rec.Code)
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijacking: %v", err)
			return
		}
		_ = conn.Close()
	}))
	t.Cleanup(front.Close)

	c, err := client.New(client.Config{Endpoint: front.URL, APIKey: inst.AdminKey, MaxRetries: 2, MinRetryWait: time.Millisecond, MaxRetryWait: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{Name: "payments", Scopes: []string{"keys:read"}})
	if err != nil {
		t.Fatalf("create after a lost response: %v", err)
	}
	if !dropped.Load() {
		t.Fatal("no response was dropped, so the test proved nothing")
	}
	if key.Secret == "" {
		t.Error("the replayed create must still carry the generated secret")
	}
	keys, err := c.ListAPIKeys(t.Context(), client.ListAPIKeysOptions{Name: "payments"})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].ID != key.ID {
		t.Fatalf("keys named payments = %+v, want exactly the one created (%s)", keys, key.ID)
	}
}

type counter struct {
	url   string
	count atomic.Int64
}

// countingProxy forwards to target and counts responses with status.
func countingProxy(t *testing.T, target string, status int) *counter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.StatusCode == status {
			c.count.Add(1)
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	c.url = srv.URL
	return c
}
