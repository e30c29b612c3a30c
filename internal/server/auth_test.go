package server_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// routeScopes lists every authenticated route with the scope it requires.
var routeScopes = []struct {
	method, path, scope string
}{
	{http.MethodPost, "/v1/api-keys", "keys:write"},
	{http.MethodGet, "/v1/api-keys", "keys:read"},
	{http.MethodGet, "/v1/api-keys/{id}", "keys:read"},
	{http.MethodPatch, "/v1/api-keys/{id}", "keys:write"},
	{http.MethodDelete, "/v1/api-keys/{id}", "keys:write"},
	{http.MethodPost, "/v1/api-keys/{id}/rotate", "keys:write"},
	{http.MethodGet, "/v1/audit-events", "audit:read"},
	{http.MethodPost, "/v1/notification-channels", "channels:write"},
	{http.MethodGet, "/v1/notification-channels", "channels:read"},
	{http.MethodGet, "/v1/notification-channels/{id}", "channels:read"},
	{http.MethodPatch, "/v1/notification-channels/{id}", "channels:write"},
	{http.MethodDelete, "/v1/notification-channels/{id}", "channels:write"},
	{http.MethodPost, "/v1/notification-channels/{id}/test", "channels:write"},
	{http.MethodPost, "/v1/alert-rules", "alerts:write"},
	{http.MethodGet, "/v1/alert-rules", "alerts:read"},
	{http.MethodGet, "/v1/alert-rules/{id}", "alerts:read"},
	{http.MethodPatch, "/v1/alert-rules/{id}", "alerts:write"},
	{http.MethodDelete, "/v1/alert-rules/{id}", "alerts:write"},
	{http.MethodGet, "/v1/alert-rules/{id}/incidents", "alerts:read"},
	{http.MethodPost, "/v1/access-grants", "access:write"},
	{http.MethodGet, "/v1/access-grants", "access:read"},
	{http.MethodGet, "/v1/access-grants/{id}", "access:read"},
	{http.MethodPatch, "/v1/access-grants/{id}", "access:write"},
	{http.MethodDelete, "/v1/access-grants/{id}", "access:write"},
	{http.MethodPost, "/v1/access-grants/{id}/review", "access:write"},
	{http.MethodGet, "/v1/access-grants/{id}/reviews", "access:read"},
	{http.MethodPost, "/v1/access-checks", "access:read"},
	{http.MethodPost, "/v1/backup-schedules", "backups:write"},
	{http.MethodGet, "/v1/backup-schedules", "backups:read"},
	{http.MethodGet, "/v1/backup-schedules/{id}", "backups:read"},
	{http.MethodPatch, "/v1/backup-schedules/{id}", "backups:write"},
	{http.MethodDelete, "/v1/backup-schedules/{id}", "backups:write"},
	{http.MethodGet, "/v1/backup-schedules/{id}/runs", "backups:read"},
	{http.MethodPost, "/v1/backup-schedules/{id}/run", "backups:write"},
	{http.MethodGet, "/v1/compliance/report", "compliance:read"},
}

// TestEveryRouteRequiresItsScope proves that a key holding every scope but
// the required one gets 403 naming that scope, on every route, in one form:
// the scope, then the method and the route once each.
func TestEveryRouteRequiresItsScope(t *testing.T) {
	inst := servertest.Start(t)
	target, _ := inst.NewKey(t, "keys:read")
	for _, rt := range routeScopes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			var others []string
			for _, s := range apiv1.Scopes {
				if s != rt.scope && s != apiv1.ScopeAdmin {
					others = append(others, s)
				}
			}
			_, secret := inst.NewKey(t, others...)
			path := strings.ReplaceAll(rt.path, "{id}", target)
			resp, body := call(t, inst.URL, rt.method, path, secret, `{}`)
			mustStatus(t, resp, body, http.StatusForbidden)
			want := fmt.Sprintf("the API key lacks the %q scope required by %s %s", rt.scope, rt.method, rt.path)
			if e := errorOf(t, body); e.Code != apiv1.CodeForbidden || e.Message != want {
				t.Fatalf("error %+v, want the message %q", e, want)
			}
		})
	}
}

// TestUnauthenticatedRequestsAreRejected proves 401 for a missing, unknown,
// revoked and expired secret.
func TestUnauthenticatedRequestsAreRejected(t *testing.T) {
	inst := servertest.Start(t)
	revokedID, revoked := inst.NewKey(t, "keys:read")
	resp, body := call(t, inst.URL, http.MethodDelete, "/v1/api-keys/"+revokedID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)
	expiring := createKey(t, inst, apiv1.CreateAPIKeyRequest{
		Name: "expiring", Scopes: []string{"keys:read"}, ExpiresAt: ptr(apiv1.TimeText(servertest.StartTime.Add(time.Hour))),
	})
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/api-keys", expiring.Secret, "")
	mustStatus(t, resp, body, http.StatusOK)
	inst.Clock.Advance(time.Hour)

	for name, secret := range map[string]string{
		"missing": "", "unknown": "km_not-a-real-secret-0000000000000000000000000", "revoked": revoked, "expired": expiring.Secret,
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys", secret, "")
			mustStatus(t, resp, body, http.StatusUnauthorized)
			if e := errorOf(t, body); e.Code != apiv1.CodeUnauthorized || e.RequestID != resp.Header.Get(apiv1.HeaderRequestID) {
				t.Fatalf("error = %+v", e)
			}
		})
	}
}

// TestPreviousSecretWorksOnlyDuringGracePeriod proves that after a rotation
// the old secret authenticates until the grace period ends, and not after.
func TestPreviousSecretWorksOnlyDuringGracePeriod(t *testing.T) {
	inst := servertest.Start(t)
	key := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "rot", Scopes: []string{"keys:read"}, RotationGracePeriod: ptr("1h")})
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/api-keys/"+key.ID+"/rotate", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	newSecret := decode[apiv1.APIKey](t, body).Secret

	inst.Clock.Advance(59 * time.Minute)
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+key.ID, key.Secret, "")
	mustStatus(t, resp, body, http.StatusOK)

	inst.Clock.Advance(time.Minute)
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+key.ID, key.Secret, "")
	mustStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+key.ID, newSecret, "")
	mustStatus(t, resp, body, http.StatusOK)
}

// TestRateLimitAnswers429WithHeaders proves that an empty bucket gives 429
// with Retry-After, and that the headers count down on every response.
func TestRateLimitAnswers429WithHeaders(t *testing.T) {
	inst := servertest.Start(t, servertest.WithRateLimit(1, 2))
	for want := 1; want >= 0; want-- {
		resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys", inst.AdminKey, "")
		mustStatus(t, resp, body, http.StatusOK)
		if got := resp.Header.Get(apiv1.HeaderRateLimitRemaining); got != strconv.Itoa(want) {
			t.Fatalf("remaining = %s, want %d", got, want)
		}
		if resp.Header.Get(apiv1.HeaderRateLimitLimit) != "2" {
			t.Fatalf("limit = %s, want 2", resp.Header.Get(apiv1.HeaderRateLimitLimit))
		}
	}
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusTooManyRequests)
	if resp.Header.Get(apiv1.HeaderRetryAfter) != "1" || errorOf(t, body).Code != apiv1.CodeRateLimited {
		t.Fatalf("429 Retry-After = %q, body %s", resp.Header.Get(apiv1.HeaderRetryAfter), body)
	}
	wantReset := strconv.FormatInt(servertest.StartTime.Add(2*time.Second).Unix(), 10)
	if got := resp.Header.Get(apiv1.HeaderRateLimitReset); got != wantReset {
		t.Fatalf("reset = %s, want %s", got, wantReset)
	}
	inst.Clock.Advance(time.Second)
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/api-keys", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
}
