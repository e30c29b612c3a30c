package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/metrics"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// Intervals of the outcomes that the servers of a PostgreSQL database share.
const (
	// DefaultOutcomeFlushInterval is how often a server writes the outcomes
	// of its requests (flushOutcomes), so that the leader evaluates alert
	// rules over every server's requests at most this late.
	DefaultOutcomeFlushInterval = 5 * time.Second
	// outcomePruneInterval is how often the leader deletes the outcomes
	// older than the longest alert window.
	outcomePruneInterval = time.Minute
)

// outcomeTally gathers, in memory, what a server's requests came to per
// second, for a server whose database is shared (PostgreSQL): flushOutcomes
// writes it in one batch, so that a busy second costs one row however many
// requests it had, and the leader reads every server's (summarize). Its
// size is bounded by the seconds between flushes, and by
// apiv1.MaxAlertDuration while the database cannot be written.
type outcomeTally struct {
	serverID string
	mu       sync.Mutex
	seconds  map[int64]*store.OutcomeSecond // by Unix second
}

func newOutcomeTally() *outcomeTally {
	return &outcomeTally{serverID: newID("srv"), seconds: map[int64]*store.OutcomeSecond{}}
}

// record counts one request answered with status at at after latency.
func (t *outcomeTally) record(at time.Time, status int, latency time.Duration, authFailure, throttled bool) {
	second := at.Unix()
	t.mu.Lock()
	defer t.mu.Unlock()
	o := t.seconds[second]
	if o == nil {
		o = &store.OutcomeSecond{ServerID: t.serverID, Second: time.Unix(second, 0).UTC(),
			OutcomeCounts: store.OutcomeCounts{Latency: make([]int64, len(metrics.LatencyBounds)+1)}}
		t.seconds[second] = o
	}
	o.Requests++
	if status >= http.StatusInternalServerError {
		o.ServerErrors++
	}
	if authFailure {
		o.AuthFailures++
	}
	if throttled {
		o.Throttled++
	}
	o.Latency[metrics.LatencyBucket(latency)]++
	o.LongestLatency = max(o.LongestLatency, latency)
}

// take empties the tally and returns what it held.
func (t *outcomeTally) take() []store.OutcomeSecond {
	t.mu.Lock()
	seconds := t.seconds
	t.seconds = map[int64]*store.OutcomeSecond{}
	t.mu.Unlock()
	all := make([]store.OutcomeSecond, 0, len(seconds))
	for _, o := range seconds {
		all = append(all, *o)
	}
	return all
}

// putBack returns to the tally what take gave and could not be written, so
// that the next flush tries it again, except the seconds that started before
// oldest, which no alert window reaches any more.
func (t *outcomeTally) putBack(seconds []store.OutcomeSecond, oldest time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, o := range seconds {
		if o.Second.Before(oldest) {
			continue
		}
		k := o.Second.Unix()
		if c := t.seconds[k]; c != nil {
			c.Add(o.OutcomeCounts)
		} else {
			t.seconds[k] = &o
		}
	}
}

// flushOutcomes writes the outcomes that the server tallied since the last
// flush (a periodic job, Close, and the alert evaluation before it reads
// them, call it). What cannot be written is kept for the next flush. It
// does nothing on SQLite, whose server keeps its outcomes in memory alone.
func (s *Server) flushOutcomes(ctx context.Context) error {
	if s.tally == nil {
		return nil
	}
	seconds := s.tally.take()
	if len(seconds) == 0 {
		return nil
	}
	if err := s.store.RecordOutcomes(ctx, seconds); err != nil {
		s.tally.putBack(seconds, s.outcomesKeptSince())
		return err
	}
	return nil
}

// pruneOutcomes is the leader's job that deletes the shared outcomes that
// no alert window reaches any more.
func (s *Server) pruneOutcomes(ctx context.Context) error {
	return s.store.PruneOutcomes(ctx, s.outcomesKeptSince())
}

// outcomesKeptSince is the start of the oldest second that the longest
// alert window allowed (apiv1.MaxAlertDuration) reaches at the clock's time.
func (s *Server) outcomesKeptSince() time.Time {
	return s.clock.Now().Add(-apiv1.MaxAlertDuration).Truncate(time.Second)
}

// summarize describes the outcomes of requests within window before the
// clock's time. On SQLite they are the server's own, from its Recorder,
// exact. On PostgreSQL they are every server's, as flushed to the database,
// counted per second (the window reaches back to the start of the second
// holding its start), and the p99 latency is the upper bound of the bucket
// of metrics.LatencyBounds holding the 99th percentile (at most the longest
// latency seen), so approximate.
func (s *Server) summarize(ctx context.Context, window time.Duration) (metrics.Summary, error) {
	if s.tally == nil {
		return s.outcomes.Summarize(window), nil
	}
	now := s.clock.Now()
	c, err := s.store.SumOutcomes(ctx, now.Add(-window), now)
	if err != nil {
		return metrics.Summary{}, err
	}
	return metrics.Summary{
		Window: window, Requests: int(c.Requests), ServerErrors: int(c.ServerErrors),
		AuthFailures: int(c.AuthFailures), Throttled: int(c.Throttled),
		LatencyP99: metrics.HistogramPercentile(c.Latency, 0.99, c.LongestLatency),
	}, nil
}
