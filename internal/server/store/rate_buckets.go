package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Bucket is a token bucket of a rate limit that the servers of a PostgreSQL
// database share: it holds at most Burst tokens and refills PerSecond.
type Bucket struct {
	Limiter   string // which limit: the buckets of each live apart
	Key       string // whose bucket: an API key id, a client address
	PerSecond float64
	Burst     int
}

// refilled is the SQL of a bucket row's tokens at now (the argument after
// the bucket's burst and rate), as they are after refilling since its last
// use.
const refilled = `LEAST(CAST(? AS DOUBLE PRECISION), rate_buckets.tokens + GREATEST(CAST(? AS BIGINT) - rate_buckets.updated_at, 0) * CAST(? AS DOUBLE PRECISION) / 1e9)`

// TakeToken takes one token from b at now if it holds one, in one statement
// that the servers sharing the database run atomically, and returns whether
// it did and the tokens left. A bucket never used holds Burst tokens. It
// needs PostgreSQL (a SQLite server keeps its buckets in memory), and does
// not wait for the disk: a crash of the database may lose the last tokens
// taken, which only gives their keys a few requests more.
func (s *Store) TakeToken(ctx context.Context, b Bucket, now time.Time) (bool, float64, error) {
	n := toNanos(now)
	var left float64
	err := s.lax.QueryRowContext(ctx, `INSERT INTO rate_buckets (limiter, bucket, tokens, updated_at) VALUES (?, ?, CAST(? AS DOUBLE PRECISION), CAST(? AS BIGINT))
		ON CONFLICT (limiter, bucket) DO UPDATE SET tokens = `+refilled+` - 1, updated_at = GREATEST(rate_buckets.updated_at, excluded.updated_at)
		WHERE `+refilled+` >= 1
		RETURNING tokens`,
		b.Limiter, b.Key, float64(b.Burst-1), n, float64(b.Burst), n, b.PerSecond, float64(b.Burst), n, b.PerSecond).Scan(&left)
	if err == nil {
		return true, left, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, 0, fmt.Errorf("taking a token of %s: %w", b.Limiter, err)
	}
	tokens, err := s.Tokens(ctx, b, now)
	return false, tokens, err
}

// Tokens returns the tokens b holds at now.
func (s *Store) Tokens(ctx context.Context, b Bucket, now time.Time) (float64, error) {
	var tokens float64
	err := s.db.QueryRowContext(ctx, `SELECT `+refilled+` FROM rate_buckets WHERE limiter = ? AND bucket = ?`,
		float64(b.Burst), toNanos(now), b.PerSecond, b.Limiter, b.Key).Scan(&tokens)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return float64(b.Burst), nil
	case err != nil:
		return 0, fmt.Errorf("reading a bucket of %s: %w", b.Limiter, err)
	}
	return tokens, nil
}

// ForgetFullBuckets deletes the buckets of limiter that have refilled by
// now, which are the same as buckets never used, so that the table holds
// only the keys and addresses in use.
func (s *Store) ForgetFullBuckets(ctx context.Context, limiter string, perSecond float64, burst int, now time.Time) error {
	_, err := s.exec(ctx, `DELETE FROM rate_buckets WHERE limiter = ? AND `+refilled+` >= CAST(? AS DOUBLE PRECISION)`,
		limiter, float64(burst), toNanos(now), perSecond, float64(burst))
	if err != nil {
		return fmt.Errorf("forgetting full buckets of %s: %w", limiter, err)
	}
	return nil
}
