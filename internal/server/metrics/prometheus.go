// Package metrics measures the server's HTTP traffic twice over: as
// Prometheus counters and histograms for /metrics, and as a clock-driven
// Recorder of recent request outcomes that answers questions over a window.
package metrics

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// latencyBuckets are the upper bounds, in seconds, of the latency histogram.
var latencyBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// HTTP counts requests by route, method and status and observes their
// latency by route. It is safe for concurrent use.
type HTTP struct {
	mu        sync.Mutex
	requests  map[requestLabels]uint64
	latencies map[string]*histogram
}

type requestLabels struct {
	route, method string
	status        int
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; one extra for +Inf
	sum    float64
	count  uint64
}

// NewHTTP returns empty HTTP metrics.
func NewHTTP() *HTTP {
	return &HTTP{requests: map[requestLabels]uint64{}, latencies: map[string]*histogram{}}
}

// Observe records one request. route is the matched pattern, not the path.
func (m *HTTP) Observe(route, method string, status int, latency time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestLabels{route: route, method: method, status: status}]++
	h, ok := m.latencies[route]
	if !ok {
		h = &histogram{counts: make([]uint64, len(latencyBuckets)+1)}
		m.latencies[route] = h
	}
	seconds := latency.Seconds()
	i, _ := slices.BinarySearch(latencyBuckets, seconds)
	h.counts[i]++
	h.sum += seconds
	h.count++
}

// WriteText writes the metrics in the Prometheus text exposition format.
func (m *HTTP) WriteText(w io.Writer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	pw := &errWriter{w: w}
	pw.printf("# HELP keymate_http_requests_total HTTP requests served, by route pattern, method and status.\n")
	pw.printf("# TYPE keymate_http_requests_total counter\n")
	for _, l := range m.sortedRequestLabels() {
		pw.printf("keymate_http_requests_total{route=%q,method=%q,status=\"%d\"} %d\n", l.route, l.method, l.status, m.requests[l])
	}
	pw.printf("# HELP keymate_http_request_duration_seconds HTTP request latency, by route pattern.\n")
	pw.printf("# TYPE keymate_http_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(m.latencies))
	for r := range m.latencies {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	for _, r := range routes {
		h := m.latencies[r]
		var cumulative uint64
		for i, le := range latencyBuckets {
			cumulative += h.counts[i]
			pw.printf("keymate_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", r, strconv.FormatFloat(le, 'g', -1, 64), cumulative)
		}
		pw.printf("keymate_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, h.count)
		pw.printf("keymate_http_request_duration_seconds_sum{route=%q} %s\n", r, strconv.FormatFloat(h.sum, 'g', -1, 64))
		pw.printf("keymate_http_request_duration_seconds_count{route=%q} %d\n", r, h.count)
	}
	return pw.err
}

func (m *HTTP) sortedRequestLabels() []requestLabels {
	labels := make([]requestLabels, 0, len(m.requests))
	for l := range m.requests {
		labels = append(labels, l)
	}
	slices.SortFunc(labels, func(a, b requestLabels) int {
		if a.route != b.route {
			return strings.Compare(a.route, b.route)
		}
		if a.method != b.method {
			return strings.Compare(a.method, b.method)
		}
		return a.status - b.status
	})
	return labels
}

// errWriter keeps the first write error so that WriteText can print freely.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	if _, err := fmt.Fprintf(e.w, format, args...); err != nil {
		e.err = fmt.Errorf("writing metrics: %w", err)
	}
}
