package controls

import (
	"slices"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// The usage rules of KM-KEY-004 and KM-KEY-005, applied by the server's
// compliance report and metrics and by the provider's plan, so that all of
// them agree. A request needs the scope its route requires; the server
// records per key when a request last needed each scope (the key's
// scope_last_used_at), whether or not the key held it.

// KeyUnused reports whether a key created at createdAt and last used at
// lastUsedAt (nil: never) has gone unused for MaxUnusedAge at now.
func KeyUnused(createdAt time.Time, lastUsedAt *time.Time, now time.Time) bool {
	last := createdAt
	if lastUsedAt != nil && lastUsedAt.After(last) {
		last = *lastUsedAt
	}
	return now.Sub(last) >= MaxUnusedAge
}

// UnneededScopes returns, sorted, the scopes of held that no request made
// with the key needed in the MaxUnusedAge before now, by lastNeeded (scope:
// when a request last needed it). It returns nil for a key younger than
// MaxUnusedAge (created at createdAt), whose use tells too little yet. A
// key holding admin needed admin whenever a request needed a scope that
// held does not list.
func UnneededScopes(held []string, lastNeeded map[string]time.Time, createdAt, now time.Time) []string {
	if now.Sub(createdAt) < MaxUnusedAge {
		return nil
	}
	recent := func(scope string) bool {
		t, ok := lastNeeded[scope]
		return ok && now.Sub(t) < MaxUnusedAge
	}
	grantedByAdmin := false
	for scope := range lastNeeded {
		if recent(scope) && !slices.Contains(held, scope) {
			grantedByAdmin = true
		}
	}
	var unneeded []string
	for _, scope := range held {
		if !recent(scope) && (scope != apiv1.ScopeAdmin || !grantedByAdmin) {
			unneeded = append(unneeded, scope)
		}
	}
	slices.Sort(unneeded)
	return slices.Compact(unneeded)
}
