package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// These benchmarks drive the whole handler stack (request id, metrics,
// authentication by secret hash, rate limiting, scope check, SQLite) without
// the network, so they measure the server and nothing else:
//
//	go test -run '^$' -bench . -benchmem ./internal/server/

func serve(b *testing.B, h http.Handler, method, path, secret, body string, want int) {
	b.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequestWithContext(b.Context(), method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequestWithContext(b.Context(), method, path, nil)
	}
	r.Header.Set("Authorization", "Bearer "+secret)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != want {
		b.Fatalf("%s %s: %d, want %d: %s", method, path, w.Code, want, w.Body)
	}
}

// BenchmarkGetAPIKey is the hot path of every terraform plan: an
// authenticated read of one object.
func BenchmarkGetAPIKey(b *testing.B) {
	inst := servertest.Start(b)
	id, _ := inst.NewKey(b, "keys:read")
	h := inst.Server.Handler()
	for b.Loop() {
		serve(b, h, http.MethodGet, "/v1/api-keys/"+id, inst.AdminKey, "", http.StatusOK)
	}
}

// BenchmarkCreateAPIKey is one mutation: secret generation and hashing, the
// object, its audit event and idempotency record in one transaction.
func BenchmarkCreateAPIKey(b *testing.B) {
	inst := servertest.Start(b)
	h := inst.Server.Handler()
	i := 0
	for b.Loop() {
		i++
		serve(b, h, http.MethodPost, "/v1/api-keys", inst.AdminKey,
			fmt.Sprintf(`{"name":"bench-%d","scopes":["keys:read"]}`, i), http.StatusCreated)
	}
}

// BenchmarkComplianceReport evaluates every control over an account of 200
// keys, the read a CI plan makes on every run.
func BenchmarkComplianceReport(b *testing.B) {
	inst := servertest.Start(b)
	h := inst.Server.Handler()
	for i := range 200 {
		serve(b, h, http.MethodPost, "/v1/api-keys", inst.AdminKey,
			fmt.Sprintf(`{"name":"acct-%d","scopes":["keys:read"],"rotation_days":%d}`, i, 30+i%100), http.StatusCreated)
	}
	for b.Loop() {
		serve(b, h, http.MethodGet, "/v1/compliance/report", inst.AdminKey, "", http.StatusOK)
	}
}
