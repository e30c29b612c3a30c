package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// OutcomeCounts is what a number of requests came to: how many there were,
// how many ended in a server error (status 500 or above), were refused with
// 401 or with 429, and a histogram of their latencies (Latency, counts per
// bucket of metrics.LatencyBounds and then the overflow bucket) with the
// longest of them.
type OutcomeCounts struct {
	Requests       int64
	ServerErrors   int64
	AuthFailures   int64
	Throttled      int64
	Latency        []int64
	LongestLatency time.Duration
}

// Add adds the counts of o to c.
func (c *OutcomeCounts) Add(o OutcomeCounts) {
	c.Requests += o.Requests
	c.ServerErrors += o.ServerErrors
	c.AuthFailures += o.AuthFailures
	c.Throttled += o.Throttled
	if len(o.Latency) > len(c.Latency) {
		c.Latency = append(c.Latency, make([]int64, len(o.Latency)-len(c.Latency))...)
	}
	for i, n := range o.Latency {
		c.Latency[i] += n
	}
	c.LongestLatency = max(c.LongestLatency, o.LongestLatency)
}

// OutcomeSecond is what the requests of one server came to in one second.
type OutcomeSecond struct {
	ServerID string
	Second   time.Time // the second's start
	OutcomeCounts
}

// RecordOutcomes adds, in one transaction, each second's counts to what the
// database holds of that server and second. Each server writes only its own
// rows, so that the only conflict is with its own earlier flush of the same
// second; the transaction reads a row's histogram, merges it and writes it
// back, and the other counts grow in the upsert itself.
func (s *Store) RecordOutcomes(ctx context.Context, seconds []OutcomeSecond) error {
	return s.InTx(ctx, func(tx *Tx) error {
		for _, o := range seconds {
			n := toNanos(o.Second)
			var raw string
			err := tx.tx.QueryRowContext(ctx, `SELECT latency FROM request_outcomes WHERE server_id = ? AND second_start = ?`,
				o.ServerID, n).Scan(&raw)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("reading the request outcomes of a second: %w", err)
			}
			merged := OutcomeCounts{Latency: slices.Clone(o.Latency)}
			if raw != "" {
				stored, err := decodeLatency(raw)
				if err != nil {
					return err
				}
				merged.Add(OutcomeCounts{Latency: stored})
			}
			latency, err := json.Marshal(merged.Latency)
			if err != nil {
				return fmt.Errorf("encoding a latency histogram: %w", err)
			}
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO request_outcomes (server_id, second_start, requests,
				server_errors, auth_failures, throttled, latency, longest_latency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (server_id, second_start) DO UPDATE SET
				requests = request_outcomes.requests + excluded.requests,
				server_errors = request_outcomes.server_errors + excluded.server_errors,
				auth_failures = request_outcomes.auth_failures + excluded.auth_failures,
				throttled = request_outcomes.throttled + excluded.throttled,
				latency = excluded.latency,
				longest_latency = CASE WHEN excluded.longest_latency > request_outcomes.longest_latency
					THEN excluded.longest_latency ELSE request_outcomes.longest_latency END`,
				o.ServerID, n, o.Requests, o.ServerErrors, o.AuthFailures, o.Throttled, string(latency),
				int64(o.LongestLatency)); err != nil {
				return fmt.Errorf("recording the request outcomes of a second: %w", err)
			}
		}
		return nil
	})
}

// SumOutcomes returns what the requests of every server came to in the
// seconds that start from since's second through until (inclusive at both
// ends, so a window reaches back to the start of the second holding since).
func (s *Store) SumOutcomes(ctx context.Context, since, until time.Time) (OutcomeCounts, error) {
	seconds, err := queryAll(ctx, s.db, "reading request outcomes", func(row scanner) (OutcomeCounts, error) {
		var (
			c       OutcomeCounts
			raw     string
			longest int64
		)
		if err := row.Scan(&c.Requests, &c.ServerErrors, &c.AuthFailures, &c.Throttled, &raw, &longest); err != nil {
			return c, err
		}
		c.LongestLatency = time.Duration(longest)
		latency, err := decodeLatency(raw)
		c.Latency = latency
		return c, err
	}, `SELECT requests, server_errors, auth_failures, throttled, latency, longest_latency
		FROM request_outcomes WHERE second_start >= ? AND second_start <= ?`,
		toNanos(since.Truncate(time.Second)), toNanos(until))
	var sum OutcomeCounts
	if err != nil {
		return sum, err
	}
	for _, c := range seconds {
		sum.Add(c)
	}
	return sum, nil
}

// PruneOutcomes deletes the request outcomes of the seconds that started
// before before.
func (s *Store) PruneOutcomes(ctx context.Context, before time.Time) error {
	if _, err := s.exec(ctx, `DELETE FROM request_outcomes WHERE second_start < ?`, toNanos(before)); err != nil {
		return fmt.Errorf("pruning request outcomes: %w", err)
	}
	return nil
}

// decodeLatency reads a stored latency histogram.
func decodeLatency(raw string) ([]int64, error) {
	var counts []int64
	if err := json.Unmarshal([]byte(raw), &counts); err != nil {
		return nil, fmt.Errorf("decoding a latency histogram: %w", err)
	}
	return counts, nil
}
