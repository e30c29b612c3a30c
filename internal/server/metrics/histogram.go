package metrics

import (
	"math"
	"slices"
	"time"
)

// LatencyBounds are the upper bounds (inclusive) of the buckets of the
// latency histograms that the servers sharing a database count their
// requests in: a latency falls in the first bucket whose bound it does not
// exceed, or in one more bucket after them (the overflow bucket) when it
// exceeds them all. Never change the bounds of existing buckets: stored
// histograms count by index. Appending bounds is safe, since a histogram
// shorter than the list merely has empty buckets at its end; but the
// overflow bucket of an old histogram then counts as the first new bucket.
var LatencyBounds = []time.Duration{
	time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 5 * time.Millisecond,
	7500 * time.Microsecond, 10 * time.Millisecond, 15 * time.Millisecond, 20 * time.Millisecond,
	30 * time.Millisecond, 50 * time.Millisecond, 75 * time.Millisecond, 100 * time.Millisecond,
	150 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 500 * time.Millisecond,
	750 * time.Millisecond, time.Second, 1500 * time.Millisecond, 2 * time.Second,
	3 * time.Second, 5 * time.Second, 7500 * time.Millisecond, 10 * time.Second,
	15 * time.Second, 30 * time.Second, time.Minute,
}

// LatencyBucket returns the index of the bucket of LatencyBounds holding
// latency d: len(LatencyBounds) for the overflow bucket.
func LatencyBucket(d time.Duration) int {
	i, _ := slices.BinarySearch(LatencyBounds, d)
	return i
}

// HistogramPercentile returns the nearest-rank percentile p (0 < p <= 1) of
// the latencies that counts holds (one count per bucket of LatencyBounds,
// then the overflow bucket), as the upper bound of the bucket holding it,
// but never more than longest, the longest latency counted (which is also
// the answer for the overflow bucket). It is zero when counts are all zero. It
// is therefore approximate: at most the bucket's width above the exact
// percentile.
func HistogramPercentile(counts []int64, p float64, longest time.Duration) time.Duration {
	var total int64
	for _, n := range counts {
		total += n
	}
	if total == 0 {
		return 0
	}
	rank := int64(math.Ceil(p * float64(total)))
	var seen int64
	for i, n := range counts {
		seen += n
		if seen >= rank {
			if i < len(LatencyBounds) {
				return min(LatencyBounds[i], longest)
			}
			break
		}
	}
	return longest
}
