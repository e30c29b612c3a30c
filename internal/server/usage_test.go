package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// getKey reads key id as the admin.
func getKey(t *testing.T, inst *servertest.Instance, id string) apiv1.APIKey {
	t.Helper()
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+id, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	return decode[apiv1.APIKey](t, body)
}

func flushUsage(t *testing.T, srv *server.Server) {
	t.Helper()
	if err := srv.FlushUsage(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestKeyUseIsWrittenOncePerFlush proves the write cost of recording use:
// however many requests a key makes, nothing is written until the flush,
// which writes last_used_at and scope_last_used_at once, with the time of
// the latest request; and that a refused scope counts as needed.
func TestKeyUseIsWrittenOncePerFlush(t *testing.T) {
	inst := servertest.Start(t)
	id, secret := inst.NewKey(t, "keys:read")
	for range 50 {
		resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+id, secret, "")
		mustStatus(t, resp, body, http.StatusOK)
		inst.Clock.Advance(time.Second)
	}
	last := inst.Clock.Now()
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/alert-rules", secret, "{}")
	mustStatus(t, resp, body, http.StatusForbidden)
	if k := getKey(t, inst, id); k.LastUsedAt != nil || len(k.ScopeLastUsedAt) != 0 {
		t.Fatalf("before a flush the key's row was written: last_used_at %v, scope_last_used_at %v", k.LastUsedAt, k.ScopeLastUsedAt)
	}

	inst.FlushUsage(t)
	k := getKey(t, inst, id)
	if k.LastUsedAt == nil || !k.LastUsedAt.Equal(last) {
		t.Errorf("last_used_at = %v, want the latest request's time %s", k.LastUsedAt, last)
	}
	want := map[string]time.Time{apiv1.ScopeKeysRead: last.Add(-time.Second), apiv1.ScopeAlertsWrite: last}
	if len(k.ScopeLastUsedAt) != len(want) {
		t.Errorf("scope_last_used_at = %v, want %v", k.ScopeLastUsedAt, want)
	}
	for scope, at := range want {
		if got := k.ScopeLastUsedAt[scope]; !got.Equal(at) {
			t.Errorf("scope_last_used_at[%s] = %s, want %s", scope, got, at)
		}
	}
	if k.Version != 1 || !k.UpdatedAt.Equal(k.CreatedAt) {
		t.Errorf("recording use changed the key: version %d, updated_at %s", k.Version, k.UpdatedAt)
	}
}

// TestUsageOfServersSharingADatabaseAddsUp proves what several servers on
// one database need: each flushes its own counts, and they add up; each
// merges its scopes' times into the key's, and none is lost.
func TestUsageOfServersSharingADatabaseAddsUp(t *testing.T) {
	inst := servertest.Start(t)
	id, secret := inst.NewKey(t, "keys:read", "alerts:read")
	other, err := server.New(server.Config{DataDir: inst.DataDir(), DatabaseURL: inst.DatabaseURL(), Clock: inst.Clock,
		RateLimit: servertest.DefaultRateLimit, RateBurst: servertest.DefaultRateBurst})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close() })
	replica := httptest.NewServer(other.Handler())
	t.Cleanup(replica.Close)

	for range 3 {
		resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys", secret, "")
		mustStatus(t, resp, body, http.StatusOK)
	}
	for range 2 {
		resp, body := call(t, replica.URL, http.MethodGet, "/v1/api-keys", secret, "")
		mustStatus(t, resp, body, http.StatusOK)
		resp, body = call(t, replica.URL, http.MethodGet, "/v1/alert-rules", secret, "")
		mustStatus(t, resp, body, http.StatusOK)
	}
	inst.FlushUsage(t)
	flushUsage(t, other)

	resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+id+"/usage", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	usage := decode[apiv1.APIKeyUsage](t, body)
	want := []apiv1.RouteUsage{{Route: "GET /v1/alert-rules", Requests: 2}, {Route: "GET /v1/api-keys", Requests: 5}}
	if usage.Requests != 7 || usage.Errors != 0 || len(usage.Routes) != 2 || usage.Routes[0] != want[0] || usage.Routes[1] != want[1] {
		t.Errorf("usage = %+v, want 7 requests: %+v", usage, want)
	}
	if k := getKey(t, inst, id); len(k.ScopeLastUsedAt) != 2 {
		t.Errorf("scope_last_used_at = %v, want keys:read (both servers) and alerts:read (one)", k.ScopeLastUsedAt)
	}
}

// TestUsageCountsByHourOverTheWindow proves that a usage window counts the
// whole hours it reaches into, by the clock's time of each request, and no
// hour before, up to the retention.
func TestUsageCountsByHourOverTheWindow(t *testing.T) {
	inst := servertest.Start(t)
	id, secret := inst.NewKey(t, "keys:read")
	use := func(n int) {
		for range n {
			resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+id, secret, "")
			mustStatus(t, resp, body, http.StatusOK)
		}
		inst.FlushUsage(t)
	}
	usage := func(window string) apiv1.APIKeyUsage {
		resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+id+"/usage?window="+window, inst.AdminKey, "")
		mustStatus(t, resp, body, http.StatusOK)
		return decode[apiv1.APIKeyUsage](t, body)
	}
	use(2) // in the hour starting at StartTime
	inst.Clock.Advance(3*time.Hour + 30*time.Minute)
	use(1)
	if got := usage("1h"); got.Requests != 1 || !got.Since.Equal(servertest.StartTime.Add(2*time.Hour)) {
		t.Errorf("window 1h at 03:30 = %d requests since %s, want 1 since 02:00", got.Requests, got.Since)
	}
	if got := usage("3h"); got.Requests != 3 || !got.Since.Equal(servertest.StartTime) {
		t.Errorf("window 3h at 03:30 = %d requests since %s, want 3 since 00:00", got.Requests, got.Since)
	}
	inst.Clock.Advance(apiv1.UsageRetention + time.Hour)
	if got := usage("2160h"); got.Requests != 0 {
		t.Errorf("the longest window reaches past the retention: %d requests", got.Requests)
	}
}

// TestUsageIsReadWithTheKeysReadScope is the attack on the usage endpoint:
// what a key does tells as much as the key, so a caller without keys:read
// is refused, even for its own key, and an unknown key is a 404.
func TestUsageIsReadWithTheKeysReadScope(t *testing.T) {
	inst := servertest.Start(t)
	id, secret := inst.NewKey(t, "alerts:read", "metrics:read", "audit:read")
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+id+"/usage", secret, "")
	mustStatus(t, resp, body, http.StatusForbidden)
	if e := errorOf(t, body); e.Code != apiv1.CodeForbidden {
		t.Errorf("error = %+v, want forbidden naming keys:read", e)
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/api-keys/key_missing/usage", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNotFound)
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+id+"/usage?window=91d", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusUnprocessableEntity)
	if e := errorOf(t, body); len(e.Fields) != 1 || e.Fields[0].Path != "window" {
		t.Errorf("error = %+v, want one naming window", e)
	}
}
