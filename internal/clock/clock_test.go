package clock

import (
	"testing"
	"time"
)

func TestManualMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewManual(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now() = %v, want %v", got, start)
	}
	c.Advance(90 * 24 * time.Hour)
	if got, want := c.Now(), start.Add(90*24*time.Hour); !got.Equal(want) {
		t.Fatalf("after Advance, Now() = %v, want %v", got, want)
	}
	later := time.Date(2027, 6, 1, 12, 0, 0, 0, time.FixedZone("X", 3600))
	c.Set(later)
	if got := c.Now(); !got.Equal(later) || got.Location() != time.UTC {
		t.Fatalf("after Set, Now() = %v, want %v in UTC", got, later)
	}
}
