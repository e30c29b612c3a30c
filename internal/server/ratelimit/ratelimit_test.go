package ratelimit

import (
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
