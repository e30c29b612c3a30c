package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server/ratelimit"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// limiter limits events per key: a server's own buckets in memory
// (ratelimit.Limiter, on SQLite), or buckets in the database that every
// server of a PostgreSQL database shares (sharedLimiter), so that a key
// limited to 20 requests a second gets 20 in all, not 20 per server.
type limiter interface {
	Allow(key string) ratelimit.Decision // takes a token when there is one
	Check(key string) ratelimit.Decision // reports whether there is one, taking none
}

// newLimiter returns the limiter named name, refilling perSecond tokens a
// second into buckets of burst tokens: shared when st is on PostgreSQL.
func newLimiter(st *store.Store, c clock.Clock, logger *slog.Logger, name string, perSecond float64, burst int) limiter {
	if !st.Shared() {
		return ratelimit.New(c, perSecond, burst)
	}
	return &sharedLimiter{store: st, clock: c, logger: logger, name: name, perSecond: perSecond, burst: burst}
}

// sharedLimiter keeps its buckets in the database (store.TakeToken). When
// the database fails, it allows the request, which then fails on the
// database itself, and logs why.
type sharedLimiter struct {
	store     *store.Store
	clock     clock.Clock
	logger    *slog.Logger
	name      string
	perSecond float64
	burst     int
}

func (l *sharedLimiter) bucket(key string) store.Bucket {
	return store.Bucket{Limiter: l.name, Key: key, PerSecond: l.perSecond, Burst: l.burst}
}

func (l *sharedLimiter) Allow(key string) ratelimit.Decision {
	now := l.clock.Now()
	allowed, tokens, err := l.store.TakeToken(context.Background(), l.bucket(key), now)
	if err != nil {
		l.logger.Error("rate limit unavailable", "limit", l.name, "error", err)
		return l.decision(true, float64(l.burst), now)
	}
	return l.decision(allowed, tokens, now)
}

func (l *sharedLimiter) Check(key string) ratelimit.Decision {
	now := l.clock.Now()
	tokens, err := l.store.Tokens(context.Background(), l.bucket(key), now)
	if err != nil {
		l.logger.Error("rate limit unavailable", "limit", l.name, "error", err)
		tokens = float64(l.burst)
	}
	return l.decision(tokens >= 1, tokens, now)
}

func (l *sharedLimiter) decision(allowed bool, tokens float64, now time.Time) ratelimit.Decision {
	return ratelimit.Decide(allowed, tokens, l.perSecond, l.burst, now)
}

// bucketPruneInterval is how often the leader deletes the shared buckets
// that have refilled.
const bucketPruneInterval = time.Minute

// forgetFullBuckets deletes the shared buckets that have refilled (the
// same as buckets never used), so that the database holds only those of
// keys and addresses in use. Memory limiters prune themselves.
func (s *Server) forgetFullBuckets(ctx context.Context) error {
	for _, l := range []limiter{s.limiter, s.authFailures} {
		if shared, ok := l.(*sharedLimiter); ok {
			if err := s.store.ForgetFullBuckets(ctx, shared.name, shared.perSecond, shared.burst, s.clock.Now()); err != nil {
				return err
			}
		}
	}
	return nil
}
