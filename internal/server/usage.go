package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// DefaultUsageFlushInterval is how often the server writes what it recorded
// of its keys' use (last use, scopes needed, requests per route).
const DefaultUsageFlushInterval = time.Minute

// usageRecorder gathers, in memory, what authenticated requests did: per key
// when each scope was last needed, and per key, route and hour how many
// requests there were and how many failed. FlushUsage writes it in one
// batch, so a key costs at most one write of its row per flush however busy
// it is, and the counts of every server sharing the database add up.
// Its size is bounded by the keys, routes and hours seen between flushes.
type usageRecorder struct {
	mu     sync.Mutex
	scopes map[string]map[string]time.Time // key id: scope: the last request needing it
	routes map[routeHour]*store.RouteUse
}

type routeHour struct {
	keyID, route string
	hour         int64 // Unix nanoseconds of the hour's start
}

func newUsageRecorder() *usageRecorder {
	return &usageRecorder{scopes: map[string]map[string]time.Time{}, routes: map[routeHour]*store.RouteUse{}}
}

// record notes one request of key keyID to route, answered with status at
// at; scope is the scope the route needed ("" when the request was refused
// before its scope was looked at, such as a throttled one).
func (u *usageRecorder) record(keyID, scope, route string, status int, at time.Time) {
	hour := at.UTC().Truncate(time.Hour)
	u.mu.Lock()
	defer u.mu.Unlock()
	if scope != "" {
		if u.scopes[keyID] == nil {
			u.scopes[keyID] = map[string]time.Time{}
		}
		if prev, ok := u.scopes[keyID][scope]; !ok || at.After(prev) {
			u.scopes[keyID][scope] = at
		}
	}
	k := routeHour{keyID, route, hour.UnixNano()}
	c := u.routes[k]
	if c == nil {
		c = &store.RouteUse{KeyID: keyID, Route: route, Hour: hour}
		u.routes[k] = c
	}
	c.Requests++
	if status >= http.StatusBadRequest {
		c.Errors++
	}
}

// take empties the recorder and returns what it held.
func (u *usageRecorder) take() (keys []store.KeyUse, routes []store.RouteUse) {
	u.mu.Lock()
	scopes, counts := u.scopes, u.routes
	u.scopes, u.routes = map[string]map[string]time.Time{}, map[routeHour]*store.RouteUse{}
	u.mu.Unlock()
	for id, s := range scopes {
		keys = append(keys, store.KeyUse{KeyID: id, Scopes: s})
	}
	for _, c := range counts {
		routes = append(routes, *c)
	}
	return keys, routes
}

// putBack returns to the recorder what take gave and could not be written,
// so that the next flush tries it again.
func (u *usageRecorder) putBack(keys []store.KeyUse, routes []store.RouteUse) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, k := range keys {
		if u.scopes[k.KeyID] == nil {
			u.scopes[k.KeyID] = map[string]time.Time{}
		}
		for scope, at := range k.Scopes {
			if prev, ok := u.scopes[k.KeyID][scope]; !ok || at.After(prev) {
				u.scopes[k.KeyID][scope] = at
			}
		}
	}
	for _, r := range routes {
		k := routeHour{r.KeyID, r.Route, r.Hour.UnixNano()}
		if c := u.routes[k]; c != nil {
			c.Requests += r.Requests
			c.Errors += r.Errors
		} else {
			u.routes[k] = &r
		}
	}
}

// FlushUsage writes what the server recorded of its keys' use since the last
// flush (a periodic job, and Close, call it; tests call it to read what
// requests did) and deletes the request counts older than
// apiv1.UsageRetention at the clock's time. What cannot be written is kept
// for the next flush.
func (s *Server) FlushUsage(ctx context.Context) error {
	keys, routes := s.usage.take()
	var errs []error
	if len(keys)+len(routes) > 0 {
		if err := s.store.RecordUsage(ctx, keys, routes); err != nil {
			s.usage.putBack(keys, routes)
			errs = append(errs, err)
		}
	}
	errs = append(errs, s.store.PruneUsage(ctx, s.clock.Now().Add(-apiv1.UsageRetention).Truncate(time.Hour)))
	return errors.Join(errs...)
}
