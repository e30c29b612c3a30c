package metrics

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
)

// Outcome is what the server remembers about one request.
type Outcome struct {
	Time        time.Time
	Route       string
	Status      int
	Latency     time.Duration
	AuthFailure bool // the request was refused with 401
	Throttled   bool // the request was refused with 429
}

// Summary describes the outcomes recorded within a window ending now.
type Summary struct {
	Window       time.Duration
	Requests     int
	ServerErrors int // responses with status 500 or above
	AuthFailures int
	Throttled    int
	LatencyP99   time.Duration // zero when there were no requests
}

// RequestRate is the mean number of requests per second over the window.
func (s Summary) RequestRate() float64 {
	if s.Window <= 0 {
		return 0
	}
	return float64(s.Requests) / s.Window.Seconds()
}

// ErrorRate is the fraction of requests that ended in a server error, from 0
// to 1; zero when there were no requests.
func (s Summary) ErrorRate() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.ServerErrors) / float64(s.Requests)
}

// Recorder keeps the most recent outcomes in a ring of fixed capacity, so its
// memory is bounded; a window reaching further back than the ring sees only
// what the ring still holds. It is safe for concurrent use.
type Recorder struct {
	clock clock.Clock
	mu    sync.Mutex
	ring  []Outcome
	next  int
	full  bool
}

// NewRecorder returns a Recorder holding up to capacity outcomes (at least 1).
func NewRecorder(c clock.Clock, capacity int) *Recorder {
	return &Recorder{clock: c, ring: make([]Outcome, max(capacity, 1))}
}

// Record adds an outcome, replacing the oldest one when the ring is full.
func (r *Recorder) Record(o Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ring[r.next] = o
	r.next = (r.next + 1) % len(r.ring)
	if r.next == 0 {
		r.full = true
	}
}

// Summarize describes the outcomes whose time is within window before the
// clock's current time (inclusive at both ends).
func (r *Recorder) Summarize(window time.Duration) Summary {
	now := r.clock.Now()
	since := now.Add(-window)
	s := Summary{Window: window}
	var latencies []time.Duration

	r.mu.Lock()
	for _, o := range r.recorded() {
		if o.Time.Before(since) || o.Time.After(now) {
			continue
		}
		s.Requests++
		if o.Status >= 500 {
			s.ServerErrors++
		}
		if o.AuthFailure {
			s.AuthFailures++
		}
		if o.Throttled {
			s.Throttled++
		}
		latencies = append(latencies, o.Latency)
	}
	r.mu.Unlock()

	s.LatencyP99 = percentile(latencies, 0.99)
	return s
}

// recorded returns the filled part of the ring. The caller holds r.mu.
func (r *Recorder) recorded() []Outcome {
	if r.full {
		return r.ring
	}
	return r.ring[:r.next]
}

// percentile returns the nearest-rank percentile p (0 < p <= 1) of values.
func percentile(values []time.Duration, p float64) time.Duration {
	if len(values) == 0 {
		return 0
	}
	slices.Sort(values)
	rank := int(math.Ceil(p * float64(len(values))))
	return values[rank-1]
}
