package store

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestRequestOutcomesAddUpAcrossServers proves the shared request outcomes:
// a server flushing the same second twice adds to its row (counts and
// histogram alike), two servers' rows sum in SumOutcomes, whose window
// holds the seconds from the one holding its start through its end and no
// other, and PruneOutcomes deletes the seconds before its time only.
func TestRequestOutcomesAddUpAcrossServers(t *testing.T) {
	stores := twoServers(t)
	ctx := context.Background()
	second := func(server string, at time.Time, requests, errs, auth, throttled int64, latency []int64, longest time.Duration) OutcomeSecond {
		return OutcomeSecond{ServerID: server, Second: at, OutcomeCounts: OutcomeCounts{
			Requests: requests, ServerErrors: errs, AuthFailures: auth, Throttled: throttled,
			Latency: latency, LongestLatency: longest,
		}}
	}
	record := func(s *Store, seconds ...OutcomeSecond) {
		t.Helper()
		if err := s.RecordOutcomes(ctx, seconds); err != nil {
			t.Fatal(err)
		}
	}
	record(stores[0], second("srv_a", t0, 3, 1, 1, 0, []int64{2, 1}, 2*time.Millisecond),
		second("srv_a", t0.Add(-time.Minute), 100, 100, 100, 100, []int64{0, 0, 100}, time.Hour)) // before the window
	record(stores[0], second("srv_a", t0, 2, 0, 1, 1, []int64{0, 1, 1}, 7*time.Millisecond)) // the same second again
	record(stores[1], second("srv_b", t0.Add(time.Second), 5, 0, 3, 0, []int64{5}, time.Millisecond),
		second("srv_b", t0.Add(time.Minute), 7, 7, 7, 7, []int64{7}, time.Second)) // after the window

	want := OutcomeCounts{Requests: 10, ServerErrors: 1, AuthFailures: 5, Throttled: 1,
		Latency: []int64{7, 2, 1}, LongestLatency: 7 * time.Millisecond}
	for i, s := range stores {
		got, err := s.SumOutcomes(ctx, t0.Add(time.Second/2), t0.Add(2*time.Second)) // since's second starts at t0
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("server %d sums %+v, want %+v", i, got, want)
		}
	}
	got, err := stores[1].SumOutcomes(ctx, t0.Add(-time.Minute), t0.Add(time.Minute))
	if err != nil || got.Requests != 117 || got.LongestLatency != time.Hour {
		t.Fatalf("the window from the first second to the last sums %+v (%v), want 117 requests, the longest an hour", got, err)
	}

	if err := stores[1].PruneOutcomes(ctx, t0); err != nil {
		t.Fatal(err)
	}
	got, err = stores[0].SumOutcomes(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil || got.Requests != 17 {
		t.Fatalf("after pruning the seconds before t0 the outcomes sum %+v (%v), want 17 requests", got, err)
	}
}
