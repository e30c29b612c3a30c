// Package metrics measures the server's HTTP traffic twice over: as
// Prometheus counters and histograms for /metrics, and as a clock-driven
// Recorder of recent request outcomes that answers questions over a window.
package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// latencyBuckets are the upper bounds, in seconds, of the latency histogram.
var latencyBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// HTTP counts requests by route, method and status and observes their
// latency by route. It is a prometheus.Collector, safe for concurrent use.
type HTTP struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

var _ prometheus.Collector = (*HTTP)(nil)

// NewHTTP returns empty HTTP metrics.
func NewHTTP() *HTTP {
	return &HTTP{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keymate_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "keymate_http_request_duration_seconds",
			Help:    "HTTP request latency, by route pattern.",
			Buckets: latencyBuckets,
		}, []string{"route"}),
	}
}

// Observe records one request. route is the matched pattern, not the path.
func (m *HTTP) Observe(route, method string, status int, latency time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(latency.Seconds())
}

// Describe implements prometheus.Collector.
func (m *HTTP) Describe(ch chan<- *prometheus.Desc) {
	m.requests.Describe(ch)
	m.latency.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *HTTP) Collect(ch chan<- prometheus.Metric) {
	m.requests.Collect(ch)
	m.latency.Collect(ch)
}
