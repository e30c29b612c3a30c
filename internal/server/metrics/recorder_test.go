package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
)

// TestRecorderSummarizesAWindow proves counts, rates and p99 over a window
// that the clock defines, and that the ring forgets the oldest outcomes.
func TestRecorderSummarizesAWindow(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := clock.NewManual(start)
	r := NewRecorder(c, 200)
	r.Record(Outcome{Time: start.Add(-2 * time.Minute), Status: 500, Latency: time.Hour}) // outside the window
	for i := 1; i <= 100; i++ {
		r.Record(Outcome{Time: start, Status: 200, Latency: time.Duration(i) * time.Millisecond})
	}
	r.Record(Outcome{Time: start, Status: 503, Latency: time.Millisecond})
	r.Record(Outcome{Time: start, Status: 401, AuthFailure: true})
	r.Record(Outcome{Time: start, Status: 429, Throttled: true})

	s := r.Summarize(time.Minute)
	if s.Requests != 103 || s.ServerErrors != 1 || s.AuthFailures != 1 || s.Throttled != 1 {
		t.Fatalf("summary = %+v", s)
	}
	if s.LatencyP99 != 99*time.Millisecond {
		t.Fatalf("p99 = %s, want 99ms", s.LatencyP99)
	}
	if rate := s.RequestRate(); rate != 103.0/60 {
		t.Fatalf("request rate = %v", rate)
	}
	if er := s.ErrorRate(); er != 1.0/103 {
		t.Fatalf("error rate = %v", er)
	}

	c.Advance(2 * time.Minute)
	if s := r.Summarize(time.Minute); s.Requests != 0 || s.LatencyP99 != 0 || s.ErrorRate() != 0 {
		t.Fatalf("window after the clock moved on = %+v", s)
	}

	small := NewRecorder(c, 2)
	for _, status := range []int{500, 200, 200} {
		small.Record(Outcome{Time: c.Now(), Status: status})
	}
	if s := small.Summarize(time.Minute); s.Requests != 2 || s.ServerErrors != 0 {
		t.Fatalf("ring kept more than its capacity or the wrong outcomes: %+v", s)
	}
}

// TestHTTPMetricsText proves the Prometheus names, labels and the
// cumulative histogram.
func TestHTTPMetricsText(t *testing.T) {
	m := NewHTTP()
	m.Observe("/v1/api-keys/{id}", "GET", 200, 3*time.Millisecond)
	m.Observe("/v1/api-keys/{id}", "GET", 200, 2*time.Second)
	m.Observe("/v1/api-keys", "POST", 201, 20*time.Millisecond)
	want := `# HELP keymate_http_requests_total HTTP requests served, by route pattern, method and status.
# TYPE keymate_http_requests_total counter
keymate_http_requests_total{method="GET",route="/v1/api-keys/{id}",status="200"} 2
keymate_http_requests_total{method="POST",route="/v1/api-keys",status="201"} 1
# HELP keymate_http_request_duration_seconds HTTP request latency, by route pattern.
# TYPE keymate_http_request_duration_seconds histogram
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="0.001"} 0
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="0.005"} 0
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="0.01"} 0
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="0.025"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="0.05"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="0.1"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="0.25"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="0.5"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="1"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="2.5"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="5"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="10"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys",le="+Inf"} 1
keymate_http_request_duration_seconds_sum{route="/v1/api-keys"} 0.02
keymate_http_request_duration_seconds_count{route="/v1/api-keys"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="0.001"} 0
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="0.005"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="0.01"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="0.025"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="0.05"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="0.1"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="0.25"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="0.5"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="1"} 1
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="2.5"} 2
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="5"} 2
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="10"} 2
keymate_http_request_duration_seconds_bucket{route="/v1/api-keys/{id}",le="+Inf"} 2
keymate_http_request_duration_seconds_sum{route="/v1/api-keys/{id}"} 2.003
keymate_http_request_duration_seconds_count{route="/v1/api-keys/{id}"} 2
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
}
