package ratelimit

import (
	"strconv"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
)

// TestBucketEmptiesAndRefillsWithTheClock proves that a bucket allows burst
// requests, refuses the next with a retry delay, refills at rate as the
// clock moves, and keeps keys apart.
func TestBucketEmptiesAndRefillsWithTheClock(t *testing.T) {
	c := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := New(c, 2, 3)
	for want := 2; want >= 0; want-- {
		if d := l.Allow("a"); !d.Allowed || d.Remaining != want || d.Limit != 3 {
			t.Fatalf("request %d: %+v", 3-want, d)
		}
	}
	d := l.Allow("a")
	if d.Allowed || d.RetryAfter != 500*time.Millisecond || !d.Reset.Equal(c.Now().Add(1500*time.Millisecond)) {
		t.Fatalf("empty bucket: %+v", d)
	}
	if other := l.Allow("b"); !other.Allowed {
		t.Fatal("key b was limited by key a's requests")
	}
	c.Advance(500 * time.Millisecond)
	if d := l.Allow("a"); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("after refilling one token: %+v", d)
	}
	c.Advance(time.Hour)
	if d := l.Allow("a"); d.Remaining != 2 {
		t.Fatalf("bucket overfilled beyond burst: %+v", d)
	}
}

// TestBucketsAreBounded proves that however many keys come, the limiter
// holds a bounded number of buckets (an attacker cycling through client
// addresses or keys cannot grow it without end), and that the buckets of
// keys that have been quiet long enough to refill are pruned.
func TestBucketsAreBounded(t *testing.T) {
	c := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := New(c, 1, 5)
	for i := range 50000 {
		l.Allow("key-" + strconv.Itoa(i))
	}
	if n := len(l.buckets); n > DefaultMaxKeys {
		t.Fatalf("%d buckets after 50000 keys, want at most %d", n, DefaultMaxKeys)
	}
	c.Advance(5 * time.Second) // every bucket is full again
	l.Allow("late")
	if n := len(l.buckets); n != 1 {
		t.Fatalf("%d buckets after every other refilled, want only the one just used", n)
	}
}

// TestCheckTakesNothing proves that Check reports a bucket without taking a
// token, and keeps no bucket for a key it has not seen (so that checking
// every request's client address cannot grow the limiter).
func TestCheckTakesNothing(t *testing.T) {
	c := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := New(c, 0.1, 2)
	if d := l.Check("unseen"); !d.Allowed || d.Remaining != 2 || len(l.buckets) != 0 {
		t.Fatalf("check of an unseen key = %+v with %d buckets", d, len(l.buckets))
	}
	l.Allow("a")
	l.Allow("a")
	if d := l.Check("a"); d.Allowed || d.RetryAfter != 10*time.Second {
		t.Fatalf("check of an empty bucket = %+v, want refused for 10s", d)
	}
	c.Advance(10 * time.Second)
	if d := l.Check("a"); !d.Allowed || d.Remaining != 1 {
		t.Fatalf("check after one refill = %+v", d)
	}
	if d := l.Check("a"); !d.Allowed {
		t.Fatalf("a second check took the token: %+v", d)
	}
}
