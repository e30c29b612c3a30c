package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
	"github.com/keymate/terraform-provider-keymate/internal/server"
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

// BenchmarkFlushUsage is one flush of what a busy minute did: 100 keys, each
// of which requested 3 routes (2 scopes) 10 times. The requests are not
// timed; the flush writes each key's row once and one count per key and
// route, in one transaction.
func BenchmarkFlushUsage(b *testing.B) {
	inst := servertest.Start(b)
	h := inst.Server.Handler()
	var secrets []string
	for range 100 {
		_, secret := inst.NewKey(b, "keys:read", "alerts:read")
		secrets = append(secrets, secret)
	}
	for b.Loop() {
		b.StopTimer()
		for _, secret := range secrets {
			for range 10 {
				serve(b, h, http.MethodGet, "/v1/api-keys?limit=1", secret, "", http.StatusOK)
				serve(b, h, http.MethodGet, "/v1/alert-rules", secret, "", http.StatusOK)
				serve(b, h, http.MethodGet, "/v1/audit-events", secret, "", http.StatusForbidden)
			}
		}
		inst.Clock.Advance(time.Minute)
		b.StartTimer()
		if err := inst.Server.FlushUsage(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHTTP measures the server as Terraform meets it: requests over
// loopback HTTP from c clients at once, reporting throughput and the
// latency percentiles (p50, p99, max) that a parallel plan or apply feels.
//
//	go test -run '^$' -bench HTTP -benchtime 2000x ./internal/server/
//
// The postgres cases run one server on a PostgreSQL cluster of their own
// that syncs every commit (pgtest.StartDurable), as SQLite does here.
func BenchmarkHTTP(b *testing.B) {
	b.Run("POST_api-keys/postgres/c=32", func(b *testing.B) {
		inst := startOnDurablePostgres(b)
		var n atomic.Int64
		loadHTTP(b, 32, func() (*http.Request, int) {
			i := n.Add(1)
			body := fmt.Sprintf(`{"name":"bench-%d","scopes":["keys:read"]}`, i)
			r := newRequest(b, http.MethodPost, inst.URL+"/v1/api-keys", inst.AdminKey, body)
			r.Header.Set(apiv1.HeaderIdempotencyKey, fmt.Sprintf("bench-%d", i))
			return r, http.StatusCreated
		})
	})
	b.Run("GET_api-key/postgres/c=32", func(b *testing.B) {
		inst := startOnDurablePostgres(b)
		id, _ := inst.NewKey(b, "keys:read")
		loadHTTP(b, 32, func() (*http.Request, int) {
			return newRequest(b, http.MethodGet, inst.URL+"/v1/api-keys/"+id, inst.AdminKey, ""), http.StatusOK
		})
	})
	for _, c := range []int{8, 32} {
		b.Run(fmt.Sprintf("POST_api-keys/c=%d", c), func(b *testing.B) {
			inst := servertest.Start(b, servertest.WithRateLimit(1e9, 1<<30))
			var n atomic.Int64
			loadHTTP(b, c, func() (*http.Request, int) {
				i := n.Add(1)
				body := fmt.Sprintf(`{"name":"bench-%d","scopes":["keys:read"]}`, i)
				r := newRequest(b, http.MethodPost, inst.URL+"/v1/api-keys", inst.AdminKey, body)
				r.Header.Set(apiv1.HeaderIdempotencyKey, fmt.Sprintf("bench-%d", i))
				return r, http.StatusCreated
			})
		})
		b.Run(fmt.Sprintf("GET_api-key/c=%d", c), func(b *testing.B) {
			inst := servertest.Start(b, servertest.WithRateLimit(1e9, 1<<30))
			id, _ := inst.NewKey(b, "keys:read")
			loadHTTP(b, c, func() (*http.Request, int) {
				return newRequest(b, http.MethodGet, inst.URL+"/v1/api-keys/"+id, inst.AdminKey, ""), http.StatusOK
			})
		})
	}
}

// durablePostgres is the cluster of the postgres benchmarks, started once.
var durablePostgres struct {
	once    sync.Once
	cluster *pgtest.Cluster
	err     error
}

// startOnDurablePostgres starts a server on a new database of a PostgreSQL
// cluster that syncs every commit; TestMain stops the cluster.
func startOnDurablePostgres(b *testing.B) *servertest.Instance {
	durablePostgres.once.Do(func() { durablePostgres.cluster, durablePostgres.err = pgtest.StartDurable(context.Background()) })
	if durablePostgres.err != nil {
		b.Skipf("no PostgreSQL: %v", durablePostgres.err)
	}
	url, err := pgtest.NewDatabase(b.Context(), durablePostgres.cluster.URL)
	if err != nil {
		b.Fatal(err)
	}
	return servertest.Start(b, servertest.WithRateLimit(1e9, 1<<30), func(c *server.Config) { c.DatabaseURL = url })
}

func newRequest(b *testing.B, method, url, secret, body string) *http.Request {
	r, err := http.NewRequestWithContext(b.Context(), method, url, strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer "+secret)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

// loadHTTP sends b.N requests made by next from c goroutines over
// keep-alive connections and reports req/s and latency percentiles.
func loadHTTP(b *testing.B, c int, next func() (*http.Request, int)) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c}}
	defer client.CloseIdleConnections()
	latencies := make([]time.Duration, b.N)
	var sent atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range c {
		wg.Go(func() {
			for i := sent.Add(1) - 1; i < int64(b.N); i = sent.Add(1) - 1 {
				req, want := next()
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				latencies[i] = time.Since(t0)
				if resp.StatusCode != want {
					b.Errorf("%s %s: %d, want %d", req.Method, req.URL.Path, resp.StatusCode, want)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(latencies)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(ms(latencies[b.N/2]), "p50-ms")
	b.ReportMetric(ms(latencies[b.N*99/100]), "p99-ms")
	b.ReportMetric(ms(latencies[b.N-1]), "max-ms")
}
