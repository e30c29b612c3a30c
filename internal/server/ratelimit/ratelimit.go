// Package ratelimit limits requests per API key with token buckets that read
// time from an injected clock.
package ratelimit

import (
	"math"
	"sync"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
)

// Limiter holds one token bucket per key. Each bucket holds at most Burst
// tokens and refills at Rate tokens per second. It is safe for concurrent use.
type Limiter struct {
	clock   clock.Clock
	rate    float64
	burst   int
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// Decision is the outcome of one Allow call, with what the rate limit
// headers report.
type Decision struct {
	Allowed    bool
	Limit      int           // the bucket size
	Remaining  int           // whole tokens left after this request
	Reset      time.Time     // when the bucket is full again
	RetryAfter time.Duration // when refused: how long until a token is available
}

// New returns a Limiter refilling rate tokens per second into buckets of
// burst tokens. rate must be positive and burst at least 1.
func New(c clock.Clock, rate float64, burst int) *Limiter {
	return &Limiter{clock: c, rate: rate, burst: burst, buckets: map[string]*bucket{}}
}

// Allow takes one token from key's bucket if one is available.
func (l *Limiter) Allow(key string) Decision {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()

	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(l.burst), last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(float64(l.burst), b.tokens+elapsed*l.rate)
	}
	b.last = now

	d := Decision{Limit: l.burst}
	if b.tokens >= 1 {
		b.tokens--
		d.Allowed = true
	} else {
		d.RetryAfter = l.secondsFor(1 - b.tokens)
	}
	d.Remaining = int(math.Floor(b.tokens))
	d.Reset = now.Add(l.secondsFor(float64(l.burst) - b.tokens))
	return d
}

// secondsFor returns how long the bucket takes to gain tokens.
func (l *Limiter) secondsFor(tokens float64) time.Duration {
	return time.Duration(tokens / l.rate * float64(time.Second))
}
