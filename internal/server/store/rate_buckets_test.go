package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestTakeTokenSharesABucketBetweenServers proves the shared token bucket:
// two servers take from one bucket of 3 tokens, which holds 3 in all; it
// refills at its rate, never above its burst; a full bucket is forgotten;
// and taking a token does not wait for a disk sync.
func TestTakeTokenSharesABucketBetweenServers(t *testing.T) {
	stores := twoServers(t)
	ctx := context.Background()
	b := Bucket{Limiter: "test", Key: "key_1", PerSecond: 2, Burst: 3}
	take := func(s *Store, at time.Time) bool {
		t.Helper()
		ok, _, err := s.TakeToken(ctx, b, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	var got []bool
	for i := range 4 {
		got = append(got, take(stores[i%2], t0))
	}
	if want := []bool{true, true, true, false}; !slices.Equal(got, want) {
		t.Fatalf("four takes at once from a bucket of 3 on two servers: %v, want %v", got, want)
	}
	if tokens, err := stores[1].Tokens(ctx, b, t0.Add(time.Second)); err != nil || tokens != 2 {
		t.Fatalf("after one second at 2 a second the bucket holds %v (%v), want 2", tokens, err)
	}
	if tokens, err := stores[0].Tokens(ctx, b, t0.Add(time.Hour)); err != nil || tokens != 3 {
		t.Fatalf("after an hour the bucket holds %v (%v), want its burst 3", tokens, err)
	}
	if !take(stores[0], t0.Add(time.Second)) {
		t.Fatal("no token after the bucket refilled")
	}
	if err := stores[0].ForgetFullBuckets(ctx, b.Limiter, b.PerSecond, b.Burst, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := stores[0].db.QueryRowContext(ctx, `SELECT COUNT(*) FROM rate_buckets`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d buckets left (%v) after forgetting the full ones, want 0", n, err)
	}
	var synced string
	if err := stores[0].lax.QueryRowContext(ctx, `SHOW synchronous_commit`).Scan(&synced); err != nil || synced != "off" {
		t.Fatalf("the connections of TakeToken have synchronous_commit %q (%v), want off", synced, err)
	}
}
