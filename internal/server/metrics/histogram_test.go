package metrics

import (
	"testing"
	"time"
)

// TestHistogramPercentileIsTheBucketsUpperBound proves the p99 of a latency
// histogram: the upper bound of the bucket holding the 99th of 100
// latencies, never above the longest latency counted, which is also the
// answer for the overflow bucket; zero for no latencies.
func TestHistogramPercentileIsTheBucketsUpperBound(t *testing.T) {
	counts := make([]int64, len(LatencyBounds)+1)
	for i := 1; i <= 100; i++ {
		counts[LatencyBucket(time.Duration(i)*time.Millisecond)]++
	}
	if got := HistogramPercentile(counts, 0.99, 100*time.Millisecond); got != 100*time.Millisecond {
		t.Fatalf("p99 of 1ms..100ms = %s, want 100ms (the bucket of 99ms ends at 100ms)", got)
	}
	if got := HistogramPercentile(counts, 0.5, 100*time.Millisecond); got != 50*time.Millisecond {
		t.Fatalf("p50 of 1ms..100ms = %s, want 50ms", got)
	}
	one := make([]int64, len(LatencyBounds)+1)
	one[LatencyBucket(12*time.Millisecond)]++
	if got := HistogramPercentile(one, 0.99, 12*time.Millisecond); got != 12*time.Millisecond {
		t.Fatalf("p99 of one 12ms latency = %s, want 12ms (capped at the longest)", got)
	}
	over := make([]int64, len(LatencyBounds)+1)
	over[LatencyBucket(2*time.Hour)]++
	if LatencyBucket(2*time.Hour) != len(LatencyBounds) {
		t.Fatal("a latency above every bound is not in the overflow bucket")
	}
	if got := HistogramPercentile(over, 0.99, 2*time.Hour); got != 2*time.Hour {
		t.Fatalf("p99 in the overflow bucket = %s, want the longest, 2h", got)
	}
	if got := HistogramPercentile(make([]int64, 3), 0.99, 0); got != 0 {
		t.Fatalf("p99 of nothing = %s, want 0", got)
	}
	if LatencyBucket(time.Millisecond) != 0 || LatencyBucket(time.Millisecond+1) != 1 {
		t.Fatal("a latency equal to a bound is not in that bound's bucket")
	}
}
