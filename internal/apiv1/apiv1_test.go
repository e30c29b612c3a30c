package apiv1

import (
	"encoding/json"
	"testing"
	"time"
)

func TestNullableDistinguishesAbsentNullAndValue(t *testing.T) {
	ts := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := map[string]struct {
		in   UpdateAPIKeyRequest
		json string
	}{
		"absent": {UpdateAPIKeyRequest{}, `{}`},
		"null":   {UpdateAPIKeyRequest{ExpiresAt: Null[string]()}, `{"expires_at":null}`},
		"value":  {UpdateAPIKeyRequest{ExpiresAt: Value(TimeText(ts))}, `{"expires_at":"2027-01-02T03:04:05Z"}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.json {
				t.Fatalf("marshal = %s, want %s", b, tc.json)
			}
			var back UpdateAPIKeyRequest
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back.ExpiresAt.Set != tc.in.ExpiresAt.Set || (back.ExpiresAt.Value == nil) != (tc.in.ExpiresAt.Value == nil) {
				t.Fatalf("round trip = %+v, want %+v", back.ExpiresAt, tc.in.ExpiresAt)
			}
			if back.ExpiresAt.Value != nil && *back.ExpiresAt.Value != TimeText(ts) {
				t.Fatalf("round trip value = %v, want %v", back.ExpiresAt.Value, ts)
			}
		})
	}
}

func TestIsScope(t *testing.T) {
	for _, s := range Scopes {
		if !IsScope(s) {
			t.Errorf("IsScope(%q) = false for a catalogue scope", s)
		}
	}
	for _, s := range []string{"", "keys", "keys:delete", "ADMIN"} {
		if IsScope(s) {
			t.Errorf("IsScope(%q) = true, want false", s)
		}
	}
}

// A key is overdue for rotation from the instant of its next rotation on,
// and not a nanosecond before.
func TestRotationOverdueFromTheInstantOn(t *testing.T) {
	rotated := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	due := NextRotationAt(rotated, 30)
	if want := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC); !due.Equal(want) {
		t.Fatalf("NextRotationAt = %s, want %s", due, want)
	}
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{{due.Add(-time.Nanosecond), false}, {due, true}, {due.Add(time.Nanosecond), true}} {
		if got := RotationOverdue(due, tc.now); got != tc.want {
			t.Errorf("RotationOverdue(%s, %s) = %t, want %t", due, tc.now, got, tc.want)
		}
	}
}

func TestHoldsScope(t *testing.T) {
	if !HoldsScope([]string{ScopeKeysRead}, ScopeKeysRead) || HoldsScope([]string{ScopeKeysRead}, ScopeKeysWrite) {
		t.Error("a key holds exactly the scopes it lists")
	}
	if !HoldsScope([]string{ScopeAdmin}, ScopeBackupsWrite) {
		t.Error("admin holds every scope")
	}
}
