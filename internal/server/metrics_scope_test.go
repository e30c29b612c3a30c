package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// TestMetricsNeedTheMetricsReadScope proves that /metrics (request counts
// by route and status) is no longer public: it needs a key with
// metrics:read (401 without a key, 403 with another scope), unless the
// server is started with MetricsPublic (--metrics-public).
func TestMetricsNeedTheMetricsReadScope(t *testing.T) {
	inst := servertest.Start(t)
	_, other := inst.NewKey(t, "keys:read")
	_, reader := inst.NewKey(t, "metrics:read")
	for _, tc := range []struct {
		secret string
		want   int
	}{{"", http.StatusUnauthorized}, {other, http.StatusForbidden}, {reader, http.StatusOK}, {inst.AdminKey, http.StatusOK}} {
		resp, body := call(t, inst.URL, http.MethodGet, "/metrics", tc.secret, "")
		mustStatus(t, resp, body, tc.want)
		if tc.want == http.StatusOK && !strings.Contains(string(body), "keymate_http_requests_total") {
			t.Fatalf("GET /metrics: %s", body)
		}
	}

	public := servertest.Start(t, func(c *server.Config) { c.MetricsPublic = true })
	resp, body := call(t, public.URL, http.MethodGet, "/metrics", "", "")
	mustStatus(t, resp, body, http.StatusOK)
}
