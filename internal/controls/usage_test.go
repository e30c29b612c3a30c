package controls

import (
	"slices"
	"testing"
	"time"
)

var created = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// TestKeyUnusedCountsFromTheLastUseOrTheCreation proves KM-KEY-004's rule:
// a key is unused once MaxUnusedAge has passed since its last use, or since
// its creation when it was never used, from that instant on.
func TestKeyUnusedCountsFromTheLastUseOrTheCreation(t *testing.T) {
	used := created.Add(10 * 24 * time.Hour)
	for _, tc := range []struct {
		name     string
		lastUsed *time.Time
		now      time.Time
		want     bool
	}{
		{"never used, the instant before", nil, created.Add(MaxUnusedAge - time.Nanosecond), false},
		{"never used, at the instant", nil, created.Add(MaxUnusedAge), true},
		{"used, 90 days after creation", &used, created.Add(MaxUnusedAge), false},
		{"used, 90 days after the use", &used, used.Add(MaxUnusedAge), true},
	} {
		if got := KeyUnused(created, tc.lastUsed, tc.now); got != tc.want {
			t.Errorf("%s: KeyUnused = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestUnneededScopesNamesWhatNoRequestNeeded proves KM-KEY-005's rule: the
// scopes a key older than MaxUnusedAge holds and no request needed within
// it, admin counting as needed for what the key does not list itself.
func TestUnneededScopesNamesWhatNoRequestNeeded(t *testing.T) {
	now := created.Add(200 * 24 * time.Hour)
	recently, long := now.Add(-time.Hour), now.Add(-MaxUnusedAge)
	for _, tc := range []struct {
		name       string
		held       []string
		lastNeeded map[string]time.Time
		createdAt  time.Time
		want       []string
	}{
		{"a young key is not judged", []string{"keys:read", "alerts:read"}, nil, now.Add(-MaxUnusedAge + time.Nanosecond), nil},
		{"never needed", []string{"keys:read", "alerts:read"}, nil, created, []string{"alerts:read", "keys:read"}},
		{"one needed recently, one long ago", []string{"keys:read", "alerts:read"},
			map[string]time.Time{"keys:read": recently, "alerts:read": long}, created, []string{"alerts:read"}},
		{"all needed", []string{"keys:read"}, map[string]time.Time{"keys:read": recently}, created, nil},
		{"admin needed for a scope not listed", []string{"admin", "keys:read"},
			map[string]time.Time{"keys:read": recently, "alerts:write": recently}, created, nil},
		{"admin not needed when listed scopes covered every need", []string{"admin", "keys:read"},
			map[string]time.Time{"keys:read": recently}, created, []string{"admin"}},
		{"admin not needed for a need long ago", []string{"admin"},
			map[string]time.Time{"alerts:write": long}, created, []string{"admin"}},
	} {
		if got := UnneededScopes(tc.held, tc.lastNeeded, tc.createdAt, now); !slices.Equal(got, tc.want) {
			t.Errorf("%s: UnneededScopes = %v, want %v", tc.name, got, tc.want)
		}
	}
}
