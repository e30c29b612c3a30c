// Package ratelimit limits events per key (an API key, a client address)
// with token buckets of golang.org/x/time/rate that read the time from an
// injected clock, and keeps the number of buckets bounded.
package ratelimit

import (
	"container/list"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
)

// DefaultMaxKeys bounds the buckets a Limiter holds at once.
const DefaultMaxKeys = 10000

// Limiter holds one token bucket per key. Each bucket holds at most burst
// tokens and refills at rate tokens per second. A bucket that has refilled
// is the same as a new one, so it is dropped; and when maxKeys buckets are
// in use, the one used least recently makes room. Both take constant time
// per call. It is safe for concurrent use.
type Limiter struct {
	clock   clock.Clock
	rate    rate.Limit
	burst   int
	maxKeys int
	mu      sync.Mutex
	buckets map[string]*list.Element // of *bucket, in recency, the most recent first
	recency *list.List
}

type bucket struct {
	key     string
	limiter *rate.Limiter
}

// bucketOf returns the bucket an element of the recency list holds.
func bucketOf(e *list.Element) *bucket {
	b, _ := e.Value.(*bucket)
	return b
}

// Decision is the outcome of one Allow or Check call, with what the rate
// limit headers report.
type Decision struct {
	Allowed    bool
	Limit      int           // the bucket size
	Remaining  int           // whole tokens left after this request
	Reset      time.Time     // when the bucket is full again
	RetryAfter time.Duration // when refused: how long until a token is available
}

// New returns a Limiter refilling perSecond tokens per second into buckets
// of burst tokens, holding at most DefaultMaxKeys buckets. perSecond must be
// positive and burst at least 1.
func New(c clock.Clock, perSecond float64, burst int) *Limiter {
	return &Limiter{clock: c, rate: rate.Limit(perSecond), burst: burst, maxKeys: DefaultMaxKeys,
		buckets: map[string]*list.Element{}, recency: list.New()}
}

// Allow takes one token from key's bucket if one is available.
func (l *Limiter) Allow(key string) Decision {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.buckets[key]
	if ok {
		l.recency.MoveToFront(e)
	} else {
		if len(l.buckets) >= l.maxKeys {
			l.remove(l.recency.Back())
		}
		e = l.recency.PushFront(&bucket{key: key, limiter: rate.NewLimiter(l.rate, l.burst)})
		l.buckets[key] = e
	}
	limiter := bucketOf(e).limiter
	allowed := limiter.AllowN(now, 1)
	l.prune(now)
	return l.decision(allowed, limiter.TokensAt(now), now)
}

// Check reports whether key's bucket holds a token, without taking it.
func (l *Limiter) Check(key string) Decision {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	tokens := float64(l.burst)
	if e, ok := l.buckets[key]; ok {
		tokens = bucketOf(e).limiter.TokensAt(now)
	}
	return l.decision(tokens >= 1, tokens, now)
}

func (l *Limiter) decision(allowed bool, tokens float64, now time.Time) Decision {
	return Decide(allowed, tokens, float64(l.rate), l.burst, now)
}

// Decide is the Decision of a bucket of burst tokens refilling perSecond
// that holds tokens at now after a request was allowed or not.
func Decide(allowed bool, tokens, perSecond float64, burst int, now time.Time) Decision {
	durationFor := func(tokens float64) time.Duration { return time.Duration(tokens / perSecond * float64(time.Second)) }
	d := Decision{Allowed: allowed, Limit: burst, Remaining: int(math.Floor(max(tokens, 0)))}
	d.Reset = now.Add(durationFor(float64(burst) - tokens))
	if !allowed {
		d.RetryAfter = durationFor(1 - tokens)
	}
	return d
}

// prune drops the least recently used buckets as long as they have refilled.
// Each bucket is dropped once, so pruning takes constant time per call on
// average.
func (l *Limiter) prune(now time.Time) {
	for e := l.recency.Back(); e != nil && e != l.recency.Front(); e = l.recency.Back() {
		if bucketOf(e).limiter.TokensAt(now) < float64(l.burst) {
			return
		}
		l.remove(e)
	}
}

func (l *Limiter) remove(e *list.Element) {
	delete(l.buckets, bucketOf(e).key)
	l.recency.Remove(e)
}
