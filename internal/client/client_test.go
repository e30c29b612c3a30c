package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
)

const (
	testAPIKey    = "km_testcallerkeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	testUserAgent = "terraform-provider-keymate/1.2.3 (+https://registry.terraform.io/providers/keymate/keymate)"
)

// seen is one request as the fake server received it.
type seen struct {
	Method, EscapedPath, RawQuery string
	Header                        http.Header
	Body                          []byte
}

// fake is an httptest server that records every request and answers with
// the handler the test gives it.
type fake struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newFake(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, n int)) *fake {
	t.Helper()
	f := &fake{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading request body: %v", err)
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), body})
		n := len(f.reqs)
		f.mu.Unlock()
		handler(w, r, n)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// client returns a Client for the fake whose retry waits are recorded, not slept.
func (f *fake) client(mutate ...func(*Config)) (*Client, *waits) {
	f.t.Helper()
	cfg := Config{Endpoint: f.srv.URL, APIKey: testAPIKey, UserAgent: testUserAgent, MaxRetries: 3}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	w := &waits{}
	c.sleep = w.sleep
	return c, w
}

// waits records the retry waits a Client asked for, without sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(apiv1.HeaderRequestID, "req_hdr")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string, fields ...apiv1.FieldError) {
	writeJSON(w, status, apiv1.ErrorEnvelope{Error: apiv1.ErrorBody{Code: code, Message: msg, RequestID: "req_body", Fields: fields}})
}

// hangUp closes the connection without answering, like a crashed server.
func hangUp(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Fatalf("hijack: %v", err)
	}
	_ = conn.Close()
}

func sampleKey(id string) apiv1.APIKey {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return apiv1.APIKey{
		ID: id, Name: "ci", Scopes: []string{"keys:read"}, RotationDays: 90, RotationGracePeriod: "24h0m0s",
		Status: apiv1.KeyStatusActive, SecretFingerprint: "sha256:0123456789abcdef", SecretSource: "generated",
		CreatedAt: ts, UpdatedAt: ts, RotatedAt: ts, NextRotationAt: ts.AddDate(0, 0, 90), Version: 1,
	}
}

func ptr[T any](v T) *T { return &v }

func TestNewRejectsBadSettingsNamingThem(t *testing.T) {
	good := Config{Endpoint: "https://keymate.example.com", APIKey: testAPIKey}
	cases := map[string]struct {
		mutate func(*Config)
		want   string
	}{
		"empty endpoint":        {func(c *Config) { c.Endpoint = "" }, "Endpoint must not be empty"},
		"relative endpoint":     {func(c *Config) { c.Endpoint = "/v1" }, "Endpoint"},
		"host without scheme":   {func(c *Config) { c.Endpoint = "keymate.example.com:8080" }, "Endpoint"},
		"ftp endpoint":          {func(c *Config) { c.Endpoint = "ftp://keymate.example.com" }, "absolute http or https URL"},
		"no host":               {func(c *Config) { c.Endpoint = "http://" }, "Endpoint"},
		"query in endpoint":     {func(c *Config) { c.Endpoint = "http://h/?a=b" }, "Endpoint \"http://h/?a=b\" must not have a query"},
		"empty api key":         {func(c *Config) { c.APIKey = "" }, "APIKey must not be empty"},
		"blank api key":         {func(c *Config) { c.APIKey = "  " }, "APIKey must not be empty"},
		"negative retries":      {func(c *Config) { c.MaxRetries = -1 }, "MaxRetries must be 0 or more"},
		"negative timeout":      {func(c *Config) { c.RequestTimeout = -time.Second }, "RequestTimeout must not be negative"},
		"negative min wait":     {func(c *Config) { c.MinRetryWait = -time.Second }, "MinRetryWait must not be negative"},
		"min wait above max":    {func(c *Config) { c.MinRetryWait, c.MaxRetryWait = time.Minute, time.Second }, "MinRetryWait (1m0s) must not exceed MaxRetryWait (1s)"},
		"min above max default": {func(c *Config) { c.MinRetryWait = time.Hour }, "must not exceed MaxRetryWait (1m0s)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := good
			tc.mutate(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNewNeverEchoesCredentials(t *testing.T) {
	_, err := New(Config{Endpoint: "ftp://user:hunter2password@h", APIKey: testAPIKey})
	if err == nil || strings.Contains(err.Error(), "hunter2password") {
		t.Fatalf("New error = %v, want an error without the URL password", err)
	}
}

func TestNewAppliesDefaults(t *testing.T) {
	c, err := New(Config{Endpoint: "http://127.0.0.1:8080/", APIKey: testAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	if c.timeout != DefaultRequestTimeout || c.minWait != DefaultMinRetryWait || c.maxWait != DefaultMaxRetryWait ||
		c.userAgent != DefaultUserAgent || c.maxRetries != 0 || c.http == nil {
		t.Fatalf("defaults not applied: %+v", c)
	}
}

// checkHeaders asserts the headers every request carries, and Content-Type
// and Idempotency-Key exactly when they belong.
func checkHeaders(t *testing.T, r seen) {
	t.Helper()
	if got := r.Header.Get("Authorization"); got != "Bearer "+testAPIKey {
		t.Errorf("%s %s: Authorization header is not the configured bearer key", r.Method, r.EscapedPath)
	}
	if got := r.Header.Get("User-Agent"); got != testUserAgent {
		t.Errorf("%s %s: User-Agent = %q, want %q", r.Method, r.EscapedPath, got, testUserAgent)
	}
	if got := r.Header.Get("Accept"); got != "application/json" {
		t.Errorf("%s %s: Accept = %q", r.Method, r.EscapedPath, got)
	}
	wantCT := ""
	if len(r.Body) > 0 {
		wantCT = "application/json"
	}
	if got := r.Header.Get("Content-Type"); got != wantCT {
		t.Errorf("%s %s: Content-Type = %q, want %q", r.Method, r.EscapedPath, got, wantCT)
	}
	key := r.Header.Get(apiv1.HeaderIdempotencyKey)
	if r.Method == http.MethodPost {
		if _, err := uuid.Parse(key); err != nil {
			t.Errorf("%s %s: Idempotency-Key %q is not a UUID", r.Method, r.EscapedPath, key)
		}
	} else if key != "" {
		t.Errorf("%s %s: unexpected Idempotency-Key %q", r.Method, r.EscapedPath, key)
	}
}

func TestEachMethodSendsTheContractRequestAndDecodesTheResponse(t *testing.T) {
	expires := time.Date(2027, 5, 6, 7, 8, 9, 0, time.UTC)
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600))
	until := time.Date(2026, 2, 1, 0, 0, 0, 500, time.UTC)
	event := apiv1.AuditEvent{ID: "evt_1", Action: "api_key.rotate", ObjectType: "api_key", ObjectID: "key_1", ChangedFields: []string{"secret"}}

	cases := []struct {
		name                      string
		call                      func(c *Client) (any, error)
		respond                   func(w http.ResponseWriter)
		method, path, query, body string
		check                     func(t *testing.T, got any)
	}{
		{
			name: "create",
			call: func(c *Client) (any, error) {
				return c.CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{
					Name: "ci", Scopes: []string{"keys:read", "audit:read"}, RotationDays: ptr(int64(30)), ExpiresAt: ptr(apiv1.TimeText(expires)),
				})
			},
			respond: func(w http.ResponseWriter) {
				k := sampleKey("key_1")
				k.Secret = "km_generatedsecretBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
				writeJSON(w, http.StatusCreated, k)
			},
			method: "POST", path: "/v1/api-keys",
			body: `{"name":"ci","scopes":["keys:read","audit:read"],"rotation_days":30,"expires_at":"2027-05-06T07:08:09Z"}`,
			check: func(t *testing.T, got any) {
				k, ok := got.(*apiv1.APIKey)
				if !ok || k.ID != "key_1" || k.Secret != "km_generatedsecretBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" || k.Version != 1 {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name:    "get escapes the id",
			call:    func(c *Client) (any, error) { return c.GetAPIKey(context.Background(), "key/1 ?x") },
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, sampleKey("key/1 ?x")) },
			method:  "GET", path: "/v1/api-keys/key%2F1%20%3Fx",
			check: func(t *testing.T, got any) {
				if k, ok := got.(*apiv1.APIKey); !ok || k.ID != "key/1 ?x" || k.RotationGracePeriod != "24h0m0s" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "list keys with filters",
			call: func(c *Client) (any, error) {
				return c.ListAPIKeys(context.Background(), ListAPIKeysOptions{
					Name: "ci", NamePrefix: "c", Scope: "admin", Status: "active", IDs: []string{"key_1", "key_2"},
				})
			},
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.APIKeyList{Data: []apiv1.APIKey{sampleKey("key_1"), sampleKey("key_2")}})
			},
			method: "GET", path: "/v1/api-keys", query: "ids=key_1%2Ckey_2&limit=100&name=ci&name_prefix=c&scope=admin&status=active",
			check: func(t *testing.T, got any) {
				if ks, ok := got.([]apiv1.APIKey); !ok || len(ks) != 2 || ks[1].ID != "key_2" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "update sends a merge patch",
			call: func(c *Client) (any, error) {
				return c.UpdateAPIKey(context.Background(), "key_1", apiv1.UpdateAPIKeyRequest{
					Description: ptr("new"), Scopes: &[]string{"admin"}, ExpiresAt: apiv1.Null[string](),
				})
			},
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, sampleKey("key_1")) },
			method:  "PATCH", path: "/v1/api-keys/key_1",
			body: `{"description":"new","scopes":["admin"],"expires_at":null}`,
			check: func(t *testing.T, got any) {
				if k, ok := got.(*apiv1.APIKey); !ok || k.ID != "key_1" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "rotate",
			call: func(c *Client) (any, error) {
				return c.RotateAPIKey(context.Background(), "key_1", apiv1.RotateAPIKeyRequest{})
			},
			respond: func(w http.ResponseWriter) { k := sampleKey("key_1"); k.Version = 2; writeJSON(w, http.StatusOK, k) },
			method:  "POST", path: "/v1/api-keys/key_1/rotate", body: `{}`,
			check: func(t *testing.T, got any) {
				if k, ok := got.(*apiv1.APIKey); !ok || k.Version != 2 {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name:    "revoke",
			call:    func(c *Client) (any, error) { return nil, c.RevokeAPIKey(context.Background(), "key_1") },
			respond: func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) },
			method:  "DELETE", path: "/v1/api-keys/key_1",
			check: func(*testing.T, any) {},
		},
		{
			name: "usage over a window",
			call: func(c *Client) (any, error) { return c.GetAPIKeyUsage(context.Background(), "key_1", "48h") },
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.APIKeyUsage{KeyID: "key_1", Window: "48h0m0s", Requests: 3,
					Routes: []apiv1.RouteUsage{{Route: "GET /v1/api-keys", Requests: 3}}})
			},
			method: "GET", path: "/v1/api-keys/key_1/usage", query: "window=48h",
			check: func(t *testing.T, got any) {
				if u, ok := got.(*apiv1.APIKeyUsage); !ok || u.Requests != 3 || len(u.Routes) != 1 {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "audit events with every filter",
			call: func(c *Client) (any, error) {
				return c.ListAuditEvents(context.Background(), ListAuditEventsOptions{
					Since: &since, Until: &until, ActorKeyID: "key_a", ObjectType: "api_key", ObjectID: "key_1", Action: "api_key.rotate",
				})
			},
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.AuditEventList{Data: []apiv1.AuditEvent{event}})
			},
			method: "GET", path: "/v1/audit-events",
			query: "action=api_key.rotate&actor_key_id=key_a&limit=100&object_id=key_1&object_type=api_key" +
				"&since=2025-12-31T23%3A00%3A00Z&until=2026-02-01T00%3A00%3A00.0000005Z",
			check: func(t *testing.T, got any) {
				if es, ok := got.([]apiv1.AuditEvent); !ok || len(es) != 1 || es[0].ChangedFields[0] != "secret" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { tc.respond(w) })
			c, _ := f.client()
			got, err := tc.call(c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != tc.method || r.EscapedPath != tc.path || r.RawQuery != tc.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", r.Method, r.EscapedPath, r.RawQuery, tc.method, tc.path, tc.query)
			}
			if string(r.Body) != tc.body {
				t.Errorf("body = %s, want %s", r.Body, tc.body)
			}
			checkHeaders(t, r)
			tc.check(t, got)
		})
	}
}

func TestEndpointPathPrefixIsKept(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeJSON(w, http.StatusOK, sampleKey("key_1")) })
	c, _ := f.client(func(cfg *Config) { cfg.Endpoint = f.srv.URL + "/keymate/" })
	if _, err := c.GetAPIKey(context.Background(), "key_1"); err != nil {
		t.Fatal(err)
	}
	if got := f.requests()[0].EscapedPath; got != "/keymate/v1/api-keys/key_1" {
		t.Fatalf("path = %s, want /keymate/v1/api-keys/key_1", got)
	}
}

func TestEmptyIDIsRejectedWithoutARequest(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(http.StatusOK) })
	c, _ := f.client()
	ctx := context.Background()
	_, errGet := c.GetAPIKey(ctx, "")
	_, errUpd := c.UpdateAPIKey(ctx, "", apiv1.UpdateAPIKeyRequest{})
	_, errRot := c.RotateAPIKey(ctx, "", apiv1.RotateAPIKeyRequest{})
	errDel := c.RevokeAPIKey(ctx, "")
	for _, err := range []error{errGet, errUpd, errRot, errDel} {
		if err == nil || !strings.Contains(err.Error(), "id must not be empty") {
			t.Errorf("error = %v, want one saying the id must not be empty", err)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Fatalf("server saw %d requests, want 0", n)
	}
}

func TestListAPIKeysFollowsNextCursorToTheEnd(t *testing.T) {
	pages := map[string]apiv1.APIKeyList{
		"":   {Data: []apiv1.APIKey{sampleKey("key_1"), sampleKey("key_2")}, NextCursor: "c2"},
		"c2": {Data: []apiv1.APIKey{sampleKey("key_3")}, NextCursor: "c3"},
		"c3": {Data: []apiv1.APIKey{sampleKey("key_4")}},
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, http.StatusOK, pages[r.URL.Query().Get("cursor")])
	})
	c, _ := f.client()
	keys, err := c.ListAPIKeys(context.Background(), ListAPIKeysOptions{Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	if strings.Join(ids, ",") != "key_1,key_2,key_3,key_4" {
		t.Fatalf("ids = %v, want key_1..key_4 in page order", ids)
	}
	var queries []string
	for _, r := range f.requests() {
		queries = append(queries, r.RawQuery)
	}
	want := []string{"limit=100&status=active", "cursor=c2&limit=100&status=active", "cursor=c3&limit=100&status=active"}
	if strings.Join(queries, " | ") != strings.Join(want, " | ") {
		t.Fatalf("queries = %q, want %q (filters kept on every page)", queries, want)
	}
}

func TestListReturnsAnEmptySliceForNoResults(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusOK, map[string]any{"data": []any{}})
	})
	c, _ := f.client()
	keys, err := c.ListAPIKeys(context.Background(), ListAPIKeysOptions{})
	if err != nil || keys == nil || len(keys) != 0 {
		t.Fatalf("ListAPIKeys = %v, %v; want an empty non-nil slice", keys, err)
	}
}

func TestListStopsOnARepeatedCursor(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusOK, apiv1.APIKeyList{Data: []apiv1.APIKey{sampleKey("key_1")}, NextCursor: "same"})
	})
	c, _ := f.client()
	_, err := c.ListAPIKeys(context.Background(), ListAPIKeysOptions{})
	if err == nil || !strings.Contains(err.Error(), `cursor "same" twice`) {
		t.Fatalf("error = %v, want a repeated-cursor error", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Fatalf("server saw %d requests, want 2", n)
	}
}

func TestListAuditEventsLimitCapsTheTotal(t *testing.T) {
	// The server always returns a full page and another cursor; the client must
	// ask for only what it still needs and stop at the limit.
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		size := 0
		_, _ = fmt.Sscan(r.URL.Query().Get("limit"), &size)
		events := make([]apiv1.AuditEvent, size)
		for i := range events {
			events[i].ID = fmt.Sprintf("evt_%d_%d", n, i)
		}
		writeJSON(w, http.StatusOK, apiv1.AuditEventList{Data: events, NextCursor: fmt.Sprintf("c%d", n)})
	})
	c, _ := f.client()
	events, err := c.ListAuditEvents(context.Background(), ListAuditEventsOptions{Limit: 150})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 150 {
		t.Fatalf("got %d events, want 150", len(events))
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[0].RawQuery != "limit=100" || reqs[1].RawQuery != "cursor=c1&limit=50" {
		t.Fatalf("requests = %+v, want limit=100 then cursor=c1&limit=50", reqs)
	}

	if _, err := c.ListAuditEvents(context.Background(), ListAuditEventsOptions{Limit: -1}); err == nil || !strings.Contains(err.Error(), "Limit") {
		t.Fatalf("negative limit error = %v, want one naming Limit", err)
	}
}

func TestRetriesOn429HonouringRetryAfterThenSucceeds(t *testing.T) {
	// The one test that really sleeps: Retry-After is whole seconds.
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			w.Header().Set(apiv1.HeaderRetryAfter, "1")
			writeError(w, http.StatusTooManyRequests, apiv1.CodeRateLimited, "slow down")
			return
		}
		writeJSON(w, http.StatusOK, sampleKey("key_1"))
	})
	c, _ := f.client(func(cfg *Config) { cfg.MinRetryWait = time.Millisecond; cfg.MaxRetryWait = 2 * time.Second })
	var asked []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		asked = append(asked, d)
		return sleepContext(ctx, d)
	}
	k, err := c.GetAPIKey(context.Background(), "key_1")
	if err != nil || k.ID != "key_1" {
		t.Fatalf("GetAPIKey = %v, %v; want key_1 after one retry", k, err)
	}
	if len(f.requests()) != 2 || len(asked) != 1 || asked[0] < time.Second {
		t.Fatalf("requests = %d, waits = %v; want 2 requests and one wait of at least Retry-After (1s)", len(f.requests()), asked)
	}
}

// A Retry-After longer than MaxRetryWait ends the call at once, after one
// attempt and without waiting, with a *RetryWaitError that says how long
// the server asked for and the limit; within the limit the client waits
// exactly as long as asked, though that is longer than its own backoff.
func TestRetryAfterBeyondMaxRetryWaitIsNotCutShort(t *testing.T) {
	for _, tc := range []struct {
		retryAfter string
		wantErr    bool
	}{{"90", true}, {"60", false}} {
		f := newFake(t, func(w http.ResponseWriter, _ *http.Request, n int) {
			if n == 1 {
				w.Header().Set(apiv1.HeaderRetryAfter, tc.retryAfter)
				writeError(w, http.StatusTooManyRequests, apiv1.CodeRateLimited, "slow down")
				return
			}
			writeJSON(w, http.StatusOK, sampleKey("key_1"))
		})
		c, w := f.client(func(cfg *Config) { cfg.MaxRetryWait = time.Minute })
		_, err := c.GetAPIKey(context.Background(), "key_1")
		var waitErr *RetryWaitError
		if !tc.wantErr {
			if err != nil || len(f.requests()) != 2 || !slices.Equal(w.all(), []time.Duration{time.Minute}) {
				t.Errorf("Retry-After %s: error %v, %d requests, waits %v; want success after one wait of 1m", tc.retryAfter, err, len(f.requests()), w.all())
			}
			continue
		}
		if !errors.As(err, &waitErr) || waitErr.Wait != 90*time.Second || waitErr.Limit != time.Minute || waitErr.Deadline {
			t.Fatalf("Retry-After 90: error = %#v (%v), want a *RetryWaitError of 1m30s over the 1m limit", waitErr, err)
		}
		if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "not retried: the server asked to wait 1m30s") {
			t.Errorf("error %q must wrap the 429 and say what the server asked for", err)
		}
		if len(f.requests()) != 1 || len(w.all()) != 0 {
			t.Errorf("%d requests and waits %v; want one attempt and no wait", len(f.requests()), w.all())
		}
	}
}

// A wait that would outlast the context's deadline ends the call at once
// instead of sleeping until the deadline and failing then.
func TestRetryWaitBeyondTheDeadlineEndsTheCall(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set(apiv1.HeaderRetryAfter, "30")
		writeError(w, http.StatusTooManyRequests, apiv1.CodeRateLimited, "slow down")
	})
	c, w := f.client(func(cfg *Config) { cfg.MaxRetryWait = time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.GetAPIKey(ctx, "key_1")
	var waitErr *RetryWaitError
	if !errors.As(err, &waitErr) || !waitErr.Deadline || waitErr.Wait != 30*time.Second || waitErr.Limit > 10*time.Second {
		t.Fatalf("error = %v, want a *RetryWaitError: 30s asked, at most 10s left before the deadline", err)
	}
	if len(f.requests()) != 1 || len(w.all()) != 0 {
		t.Errorf("%d requests and waits %v; want one attempt and no wait", len(f.requests()), w.all())
	}
}

func TestRetriesTransientStatusesThenSucceeds(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504, 429} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n < 3 {
					writeError(w, status, apiv1.CodeInternal, "try again")
					return
				}
				writeJSON(w, http.StatusOK, sampleKey("key_1"))
			})
			c, w := f.client(func(cfg *Config) { cfg.MinRetryWait = 10 * time.Millisecond; cfg.MaxRetryWait = time.Second })
			if _, err := c.GetAPIKey(context.Background(), "key_1"); err != nil {
				t.Fatal(err)
			}
			got := w.all()
			if len(f.requests()) != 3 || len(got) != 2 {
				t.Fatalf("requests = %d, waits = %v; want 3 requests and 2 waits", len(f.requests()), got)
			}
			// Full jitter below an exponential ceiling: attempt n waits in [min, min*2^(n-1)].
			if got[0] != 10*time.Millisecond || got[1] < 10*time.Millisecond || got[1] > 20*time.Millisecond {
				t.Fatalf("waits = %v, want 10ms then a wait in [10ms, 20ms]", got)
			}
		})
	}
}

func TestRetriesADroppedConnectionReplayingBodyAndIdempotencyKey(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			hangUp(t, w)
			return
		}
		writeJSON(w, http.StatusCreated, sampleKey("key_1"))
	})
	c, _ := f.client(func(cfg *Config) { cfg.MinRetryWait = time.Millisecond })
	if _, err := c.CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{Name: "ci", Scopes: []string{"admin"}}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(reqs))
	}
	if !bytes.Equal(reqs[0].Body, reqs[1].Body) || len(reqs[1].Body) == 0 {
		t.Errorf("retry body %q differs from first body %q", reqs[1].Body, reqs[0].Body)
	}
	k1, k2 := reqs[0].Header.Get(apiv1.HeaderIdempotencyKey), reqs[1].Header.Get(apiv1.HeaderIdempotencyKey)
	if k1 == "" || k1 != k2 {
		t.Errorf("Idempotency-Key %q on retry, %q on first attempt; want the same non-empty key", k2, k1)
	}
}

func TestEachLogicalPOSTGetsItsOwnIdempotencyKeyKeptAcrossRetries(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n%2 == 1 { // every first attempt fails
			writeError(w, http.StatusServiceUnavailable, apiv1.CodeInternal, "busy")
			return
		}
		writeJSON(w, http.StatusOK, sampleKey("key_1"))
	})
	c, _ := f.client(func(cfg *Config) { cfg.MinRetryWait = time.Millisecond })
	ctx := context.Background()
	if _, err := c.RotateAPIKey(ctx, "key_1", apiv1.RotateAPIKeyRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RotateAPIKey(ctx, "key_1", apiv1.RotateAPIKeyRequest{}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range f.requests() {
		keys = append(keys, r.Header.Get(apiv1.HeaderIdempotencyKey))
	}
	if len(keys) != 4 || keys[0] != keys[1] || keys[2] != keys[3] || keys[0] == keys[2] {
		t.Fatalf("Idempotency-Keys = %q; want [a a b b] with a != b", keys)
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 412, 422} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeError(w, status, "whatever", "no") })
			c, w := f.client()
			_, err := c.CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{Name: "x"})
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Fatalf("error = %v, want an *APIError with status %d", err, status)
			}
			if n := len(f.requests()); n != 1 || len(w.all()) != 0 {
				t.Fatalf("server saw %d requests and client waited %v; want exactly one attempt", n, w.all())
			}
		})
	}
}

func TestGivesUpAfterMaxRetriesWithTheLastError(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		writeError(w, http.StatusServiceUnavailable, apiv1.CodeInternal, fmt.Sprintf("attempt %d failed", n))
	})
	c, w := f.client(func(cfg *Config) { cfg.MaxRetries = 2; cfg.MinRetryWait = time.Millisecond })
	_, err := c.GetAPIKey(context.Background(), "key_1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Message != "attempt 3 failed" {
		t.Fatalf("error = %v, want the third attempt's APIError", err)
	}
	if n := len(f.requests()); n != 3 || len(w.all()) != 2 {
		t.Fatalf("server saw %d requests, client waited %d times; want 3 and 2", n, len(w.all()))
	}
}

func TestGivesUpOnConnectionErrorsAfterMaxRetries(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { hangUp(t, w) })
	c, _ := f.client(func(cfg *Config) { cfg.MaxRetries = 1; cfg.MinRetryWait = time.Millisecond })
	err := c.RevokeAPIKey(context.Background(), "key_1")
	if err == nil || !strings.HasPrefix(err.Error(), "DELETE /v1/api-keys/key_1: attempt 2: ") {
		t.Fatalf("error = %v, want one naming the operation and the last attempt", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Fatalf("server saw %d requests, want 2", n)
	}
}

func TestAttemptTimeoutIsRetried(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			<-r.Context().Done() // hold the first attempt until the client gives up on it
			return
		}
		writeJSON(w, http.StatusOK, sampleKey("key_1"))
	})
	c, _ := f.client(func(cfg *Config) { cfg.RequestTimeout = 100 * time.Millisecond; cfg.MinRetryWait = time.Millisecond })
	if _, err := c.GetAPIKey(context.Background(), "key_1"); err != nil {
		t.Fatalf("GetAPIKey: %v, want success on the second attempt", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Fatalf("server saw %d requests, want 2", n)
	}
}

// WithAttemptTimeout lets one call's attempt outlast the client's
// RequestTimeout: the answer that comes after it is taken, not retried.
func TestWithAttemptTimeoutOutlastsRequestTimeout(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-time.After(300 * time.Millisecond): // three RequestTimeouts
			writeJSON(w, http.StatusOK, sampleKey("key_1"))
		case <-r.Context().Done():
		}
	})
	c, _ := f.client(func(cfg *Config) { cfg.RequestTimeout = 100 * time.Millisecond; cfg.MaxRetries = 0 })
	if _, err := c.GetAPIKey(context.Background(), "key_1"); err == nil {
		t.Fatal("GetAPIKey without WithAttemptTimeout succeeded, want the RequestTimeout to cut it")
	}
	if _, err := c.GetAPIKey(WithAttemptTimeout(context.Background(), time.Minute), "key_1"); err != nil {
		t.Fatalf("GetAPIKey with WithAttemptTimeout: %v", err)
	}
	if n := len(f.requests()); n != 2 {
		t.Fatalf("server saw %d requests, want 2 (one per call, no retry)", n)
	}
}

func TestContextCancellationStopsWaitingForARetry(t *testing.T) {
	served := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set(apiv1.HeaderRetryAfter, "30")
		writeError(w, http.StatusTooManyRequests, apiv1.CodeRateLimited, "slow down")
		close(served)
	})
	c, _ := f.client(func(cfg *Config) { cfg.MaxRetryWait = time.Minute })
	c.sleep = sleepContext // a real 30 s wait that only cancellation can cut short
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-served; cancel() }()
	_, err := c.GetAPIKey(ctx, "key_1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Fatalf("server saw %d requests, want 1 (no retry after cancellation)", n)
	}
}

func TestCancellationDuringARequestIsNotRetried(t *testing.T) {
	started := make(chan struct{})
	f := newFake(t, func(_ http.ResponseWriter, r *http.Request, _ int) {
		close(started)
		<-r.Context().Done()
	})
	c, w := f.client()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := c.CreateAPIKey(ctx, apiv1.CreateAPIKeyRequest{Name: "ci"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if n := len(f.requests()); n != 1 || len(w.all()) != 0 {
		t.Fatalf("server saw %d requests and client waited %v; want one attempt and no wait", n, w.all())
	}
}

func TestRetryWaitHonoursServerHintsInFull(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c, err := New(Config{Endpoint: "http://h", APIKey: testAPIKey, MinRetryWait: 100 * time.Millisecond, MaxRetryWait: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.clock = clock.NewManual(now)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	cases := map[string]struct {
		status   int
		header   http.Header
		min, max time.Duration
	}{
		"Retry-After seconds":          {429, hdr("Retry-After", "3"), 3 * time.Second, 3 * time.Second},
		"Retry-After HTTP date":        {429, hdr("Retry-After", now.Add(4*time.Second).Format(http.TimeFormat)), 4 * time.Second, 4 * time.Second},
		"Retry-After on 503":           {503, hdr("Retry-After", "2"), 2 * time.Second, 2 * time.Second},
		"X-RateLimit-Reset":            {429, hdr("X-RateLimit-Reset", fmt.Sprint(now.Add(5*time.Second).Unix())), 5 * time.Second, 5 * time.Second},
		"Retry-After wins over reset":  {429, hdr("Retry-After", "1", "X-RateLimit-Reset", fmt.Sprint(now.Add(5*time.Second).Unix())), time.Second, time.Second},
		"beyond MaxRetryWait, in full": {429, hdr("Retry-After", "3600"), time.Hour, time.Hour},
		"reset in the past":            {429, hdr("X-RateLimit-Reset", fmt.Sprint(now.Add(-time.Minute).Unix())), 100 * time.Millisecond, 100 * time.Millisecond},
		"garbage falls back":           {429, hdr("Retry-After", "soon"), 100 * time.Millisecond, 100 * time.Millisecond},
		"hint ignored on 500":          {500, hdr("Retry-After", "3"), 100 * time.Millisecond, 100 * time.Millisecond},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := c.retryWait(1, &response{status: tc.status, header: tc.header})
			if got < tc.min || got > tc.max {
				t.Fatalf("retryWait = %s, want within [%s, %s]", got, tc.min, tc.max)
			}
		})
	}
}

func TestBackoffGrowsExponentiallyUpToTheCap(t *testing.T) {
	c, err := New(Config{Endpoint: "http://h", APIKey: testAPIKey, MinRetryWait: 100 * time.Millisecond, MaxRetryWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ms := time.Millisecond
	ceilings := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1000 * ms, 1000 * ms}
	for i, ceiling := range ceilings {
		n := i + 1
		var top time.Duration
		for range 200 {
			w := c.retryWait(n, nil)
			if w < 100*ms || w > ceiling {
				t.Fatalf("attempt %d waited %s, want within [100ms, %s]", n, w, ceiling)
			}
			top = max(top, w)
		}
		if n > 1 && top <= ceilings[i-1]/2 {
			t.Errorf("attempt %d never waited more than %s in 200 draws; the ceiling did not grow", n, top)
		}
	}
	if w := c.retryWait(1000, nil); w > time.Second || w < 100*time.Millisecond {
		t.Fatalf("attempt 1000 waited %s; the ceiling must not overflow", w)
	}
}

func TestCertificateErrorsAreNotRetried(t *testing.T) {
	if retryable(nil, fmt.Errorf("wrapped: %w", &tls.CertificateVerificationError{})) {
		t.Fatal("a TLS certificate failure was classed as retryable")
	}
	if !retryable(nil, io.ErrUnexpectedEOF) {
		t.Fatal("a connection error was classed as not retryable")
	}
}

func TestAPIErrorsDecodeTheEnvelopeAndMatchSentinels(t *testing.T) {
	sentinels := map[int]error{
		401: ErrUnauthorized, 403: ErrForbidden, 404: ErrNotFound, 409: ErrConflict,
		412: ErrPreconditionFailed, 422: ErrValidation, 429: ErrRateLimited,
	}
	codes := map[int]string{
		401: apiv1.CodeUnauthorized, 403: apiv1.CodeForbidden, 404: apiv1.CodeNotFound, 409: apiv1.CodeConflict,
		412: apiv1.CodePreconditionFailed, 422: apiv1.CodeValidation, 429: apiv1.CodeRateLimited,
	}
	for status, want := range sentinels {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeError(w, status, codes[status], "nope") })
			c, _ := f.client(func(cfg *Config) { cfg.MaxRetries = 0 })
			_, err := c.GetAPIKey(context.Background(), "key_1")
			if !errors.Is(err, want) {
				t.Fatalf("errors.Is(%v, %v) = false", err, want)
			}
			for other, s := range sentinels {
				if other != status && errors.Is(err, s) {
					t.Errorf("error for %d also matches the %d sentinel", status, other)
				}
			}
			if wrapped := fmt.Errorf("reading key: %w", err); !errors.Is(wrapped, want) {
				t.Errorf("a wrapped APIError no longer matches its sentinel")
			}
		})
	}
}

func TestValidationErrorCarriesFieldsAndRequestID(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeError(w, http.StatusUnprocessableEntity, apiv1.CodeValidation, "invalid request",
			apiv1.FieldError{Path: "scopes[1]", Message: `unknown scope "x"`},
			apiv1.FieldError{Path: "rotation_days", Message: "must be between 1 and 365"})
	})
	c, _ := f.client()
	_, err := c.CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{Name: "ci", Scopes: []string{"admin", "x"}})
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v is not an *APIError", err)
	}
	if apiErr.RequestID != "req_body" || len(apiErr.Fields) != 2 || apiErr.Fields[0].Path != "scopes[1]" || apiErr.Method != "POST" || apiErr.Path != "/v1/api-keys" {
		t.Fatalf("APIError = %+v", apiErr)
	}
	want := `POST /v1/api-keys: 422 validation_failed: invalid request (scopes[1]: unknown scope "x"; rotation_days: must be between 1 and 365) [request id req_body]`
	if err.Error() != want {
		t.Fatalf("Error() =\n%s\nwant\n%s", err, want)
	}
}

func TestNonEnvelopeErrorKeepsStatusSnippetAndHeaderRequestID(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set(apiv1.HeaderRequestID, "req_proxy")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html>\n  <body>upstream down "+strings.Repeat("x", 500)+"</body></html>")
	})
	c, _ := f.client(func(cfg *Config) { cfg.MaxRetries = 0 })
	_, err := c.GetAPIKey(context.Background(), "key_1")
	if n := len(f.requests()); n != 1 {
		t.Fatalf("server saw %d requests with MaxRetries 0, want 1", n)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 502 || apiErr.Code != "" || apiErr.RequestID != "req_proxy" {
		t.Fatalf("error = %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "GET /v1/api-keys/key_1: 502 Bad Gateway: <html> <body>upstream down xxx") ||
		!strings.HasSuffix(err.Error(), "... [request id req_proxy]") || len(err.Error()) > 300 {
		t.Fatalf("Error() = %q, want one short line with status, snippet and request id", err)
	}
}

func TestUndecodableSuccessIsAnError(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { _, _ = io.WriteString(w, "not json") })
	c, _ := f.client()
	if _, err := c.GetAPIKey(context.Background(), "key_1"); err == nil || !strings.Contains(err.Error(), "GET /v1/api-keys/key_1: decoding 200 response") {
		t.Fatalf("error = %v, want a decoding error naming the operation", err)
	}
}

func TestErrorsNeverContainTheAPIKeyOrASecret(t *testing.T) {
	const leaked = "km_leakedsecretCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"
	bodies := map[string]func(w http.ResponseWriter){
		"envelope": func(w http.ResponseWriter) {
			writeError(w, http.StatusConflict, apiv1.CodeConflict, "key "+testAPIKey+" clashes with "+leaked,
				apiv1.FieldError{Path: "secret", Message: "reused " + leaked})
		},
		"plain body": func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, "bad header Authorization: Bearer "+testAPIKey+" secret="+leaked)
		},
	}
	for name, respond := range bodies {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { respond(w) })
			c, _ := f.client()
			_, err := c.CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{Name: "ci", Secret: ptr(leaked)})
			if err == nil {
				t.Fatal("want an error")
			}
			if msg := err.Error(); strings.Contains(msg, testAPIKey) || strings.Contains(msg, leaked) || !strings.Contains(msg, "***") {
				t.Fatalf("error leaks a secret or was not masked: %s", strings.ReplaceAll(strings.ReplaceAll(msg, testAPIKey, "<API KEY>"), leaked, "<SECRET>"))
			}
		})
	}
}

func TestLoggingRecordsRequestsAndMasksSecrets(t *testing.T) {
	const (
		supplied  = "km_suppliedsecretDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD"
		generated = "km_generatedsecretEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE"
	)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			// An error that echoes the caller's key must not reach the log either.
			writeError(w, http.StatusServiceUnavailable, apiv1.CodeInternal, "caller "+testAPIKey+" throttled")
			return
		}
		w.Header().Set(apiv1.HeaderRequestID, "req_created")
		k := sampleKey("key_1")
		k.Secret = generated
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(k)
	})
	c, _ := f.client(func(cfg *Config) { cfg.MinRetryWait = time.Millisecond })
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	if _, err := c.CreateAPIKey(ctx, apiv1.CreateAPIKeyRequest{Name: "ci", Scopes: []string{"admin"}, Secret: ptr(supplied)}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, secret := range []string{testAPIKey, supplied, generated, "Bearer"} {
		if strings.Contains(out, secret) {
			t.Fatalf("log contains a secret (%d bytes of log)", len(out))
		}
	}
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var sawRequest, sawRetry, sawResponse bool
	for _, e := range entries {
		if e["@module"] != "provider."+LogSubsystem {
			t.Errorf("log entry from module %v, want provider.%s", e["@module"], LogSubsystem)
		}
		switch e["@message"] {
		case "Sending HTTP request":
			sawRequest = e["method"] == "POST" && e["path"] == "/v1/api-keys" &&
				strings.Contains(fmt.Sprint(e["request_body"]), `"secret":"***"`)
		case "Retrying HTTP request":
			sawRetry = e["attempt"] == float64(1) && strings.Contains(fmt.Sprint(e["error"]), "503")
		case "Received HTTP response":
			if e["status"] == float64(201) {
				sawResponse = e["request_id"] == "req_created" && e["attempt"] == float64(2) && e["duration_ms"] != nil &&
					strings.Contains(fmt.Sprint(e["response_body"]), `"secret":"***"`)
			}
		}
	}
	if !sawRequest || !sawRetry || !sawResponse {
		t.Fatalf("missing log lines: request=%v retry=%v response=%v in %v", sawRequest, sawRetry, sawResponse, entries)
	}
}

func TestLoggingMasksTheConfiguredKeyEvenWhenItIsNotKmShaped(t *testing.T) {
	const odd = "opaque-caller-token-123"
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeError(w, http.StatusUnauthorized, apiv1.CodeUnauthorized, "unknown key "+odd)
	})
	c, _ := f.client(func(cfg *Config) { cfg.APIKey = odd })
	var buf bytes.Buffer
	_, err := c.GetAPIKey(tflogtest.RootLogger(context.Background(), &buf), "key_1")
	if err == nil || strings.Contains(err.Error(), odd) {
		t.Fatalf("error = %v, want a masked 401", err)
	}
	if strings.Contains(buf.String(), odd) || !strings.Contains(buf.String(), "Received HTTP response") {
		t.Fatalf("log leaks the configured key or lacks the response line")
	}
}

// The log masks the fields the API lists as secret (apiv1's secret tag) in
// every channel type's request, keeping the rest (URLs that are not secret,
// header names) readable; it masks by type, not by name, so a webhook's
// headers and a Slack webhook URL are masked too.
func TestLoggingMasksTheAPIsSecretFields(t *testing.T) {
	const (
		header  = "Bearer hdr-value-0001"
		signing = "signing-value-0002"
		slack   = "https://hooks.example.com/services/T0/B0/slack-0003"
		routing = "R0UTINGKEY00000000000000000000004"
		hookURL = "https://receiver.example.com/hook?token=hook-token-0005" // a webhook URL may hold credentials
	)
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(apiv1.NotificationChannel{ID: "nc_1", Type: apiv1.ChannelTypeWebhook})
	})
	c, _ := f.client()
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	requests := []apiv1.CreateNotificationChannelRequest{
		{Name: "w", Type: apiv1.ChannelTypeWebhook, Webhook: &apiv1.WebhookInput{URL: ptr(hookURL),
			Headers: &map[string]string{"X-Receiver-Token": header}, SigningSecret: ptr(signing)}},
		{Name: "s", Type: apiv1.ChannelTypeSlack, Slack: &apiv1.SlackInput{WebhookURL: ptr(slack), Channel: ptr("#ops")}},
		{Name: "p", Type: apiv1.ChannelTypePagerDuty, PagerDuty: &apiv1.PagerDutyInput{RoutingKey: ptr(routing)}},
	}
	for _, req := range requests {
		if _, err := c.CreateNotificationChannel(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	out := buf.String()
	for _, secret := range []string{header, signing, slack, routing, "hook-token-0005"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds the secret %q", secret)
		}
	}
	for _, kept := range []string{`X-Receiver-Token`, `#ops`} {
		if !strings.Contains(out, kept) {
			t.Errorf("log lost the non-secret %q", kept)
		}
	}
}

// A body that is not JSON is logged as a short snippet with Keymate-shaped
// secrets and the API key masked; JSON of no known type only by its size.
func TestLoggedBodyWithoutAWireType(t *testing.T) {
	c, err := New(Config{Endpoint: "http://127.0.0.1:1", APIKey: testAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	if got := (loggedBody{c: c, body: []byte("plain text km_plainsecretFFFFFFFFFFFFFFFFFFFFFFFFF " + testAPIKey)}).String(); strings.Contains(got, "km_plain") ||
		strings.Contains(got, testAPIKey) || !strings.Contains(got, "plain text ***") {
		t.Errorf("non-JSON body logged as %q, want the snippet with its secrets masked", got)
	}
	if got := (loggedBody{c: c, body: []byte(`{"anything":"x"}`)}).String(); got != "(16 bytes of JSON)" {
		t.Errorf("JSON of no known type logged as %q, want only its size", got)
	}
}

// A POST whose request reached the server but whose answer never arrived, on
// every attempt, ends in an *UnconfirmedError naming the Idempotency-Key that
// every attempt carried; so does one answered 5xx, or lost and then refused
// with 429. A POST refused with a 4xx, a GET, and a request that never
// reached a server end in a plain error: nothing can have been done.
func TestUnconfirmedCreates(t *testing.T) {
	drop := func(w http.ResponseWriter, _ *http.Request, _ int) { panic(http.ErrAbortHandler) }
	cases := []struct {
		name        string
		handler     func(w http.ResponseWriter, r *http.Request, n int)
		get         bool
		unconfirmed bool
	}{
		{"answer lost every time", drop, false, true},
		{"5xx every time", func(w http.ResponseWriter, _ *http.Request, _ int) {
			writeError(w, http.StatusBadGateway, apiv1.CodeInternal, "upstream gone")
		}, false, true},
		{"lost, then throttled", func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				drop(w, r, n)
			}
			w.Header().Set(apiv1.HeaderRetryAfter, "0")
			writeError(w, http.StatusTooManyRequests, apiv1.CodeRateLimited, "slow down")
		}, false, true},
		{"lost, then refused", func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				drop(w, r, n)
			}
			writeError(w, http.StatusConflict, apiv1.CodeConflict, "name taken")
		}, false, false},
		{"refused", func(w http.ResponseWriter, _ *http.Request, _ int) {
			writeError(w, http.StatusUnprocessableEntity, apiv1.CodeValidation, "bad")
		}, false, false},
		{"a GET whose answer is lost", drop, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.handler)
			c, _ := f.client()
			var err error
			if tc.get {
				_, err = c.GetAPIKey(context.Background(), "key_1")
			} else {
				_, err = c.CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{Name: "ci", Scopes: []string{"keys:read"}})
			}
			var unconfirmed *UnconfirmedError
			if got := errors.As(err, &unconfirmed); got != tc.unconfirmed {
				t.Fatalf("error %v: unconfirmed = %v, want %v", err, got, tc.unconfirmed)
			}
			if !tc.unconfirmed {
				return
			}
			for i, r := range f.requests() {
				if key := r.Header.Get(apiv1.HeaderIdempotencyKey); key == "" || key != unconfirmed.IdempotencyKey {
					t.Errorf("attempt %d carried Idempotency-Key %q, the error names %q", i+1, key, unconfirmed.IdempotencyKey)
				}
			}
		})
	}
	t.Run("never reached a server", func(t *testing.T) {
		f := newFake(t, drop)
		c, _ := f.client()
		f.srv.Close()
		_, err := c.CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{Name: "ci", Scopes: []string{"keys:read"}})
		var unconfirmed *UnconfirmedError
		if err == nil || errors.As(err, &unconfirmed) {
			t.Fatalf("error %v, want a plain error: the request was never sent", err)
		}
	})
}
