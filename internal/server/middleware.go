package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/metrics"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// maxBodyBytes limits request bodies.
const maxBodyBytes = 1 << 20

// requestState is what the middleware layers learn about a request; the
// outermost layer reads it after the handler has run.
type requestState struct {
	id          string
	caller      *store.APIKey
	scope       string // the scope the route needed, once the caller passed its rate limit
	authFailure bool
	throttled   bool
}

type requestStateKey struct{}

func stateFrom(ctx context.Context) *requestState {
	if st, ok := ctx.Value(requestStateKey{}).(*requestState); ok {
		return st
	}
	return &requestState{}
}

func requestIDFrom(ctx context.Context) string { return stateFrom(ctx).id }

// callerFrom returns the authenticated API key. Only handlers behind
// authenticated call it.
func callerFrom(ctx context.Context) *store.APIKey { return stateFrom(ctx).caller }

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// observed gives every request an id and a body limit, then records its
// outcome in the metrics and the log. It logs neither headers nor bodies, so
// secrets never reach the log.
func (s *Server) observed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := time.Now()
		st := &requestState{id: newID("req")}
		w.Header().Set(apiv1.HeaderRequestID, st.id)
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		r = r.WithContext(context.WithValue(r.Context(), requestStateKey{}, st))
		rec := &statusRecorder{ResponseWriter: w}

		next.ServeHTTP(rec, r)

		latency := time.Since(started)
		route, now := routeLabel(r.Pattern), s.clock.Now()
		s.httpMetrics.Observe(route, r.Method, rec.status, latency)
		if s.tally != nil {
			s.tally.record(now, rec.status, latency, st.authFailure, st.throttled)
		} else {
			s.outcomes.Record(metrics.Outcome{
				Time: now, Route: route, Status: rec.status, Latency: latency,
				AuthFailure: st.authFailure, Throttled: st.throttled,
			})
		}
		if st.caller != nil {
			s.usage.record(st.caller.ID, st.scope, r.Pattern, rec.status, now)
		}
		attrs := []any{"method", r.Method, "route", route, "path", r.URL.Path, "status", rec.status,
			"duration_ms", float64(latency.Microseconds()) / 1000, "request_id", st.id}
		if st.caller != nil {
			attrs = append(attrs, "actor_key_id", st.caller.ID)
		}
		s.logger.Info("request", attrs...)
	})
}

// routeLabel turns a ServeMux pattern such as "GET /v1/api-keys/{id}" into
// the metrics route label "/v1/api-keys/{id}".
func routeLabel(pattern string) string {
	if pattern == "/" || pattern == "" {
		return "unmatched"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// recovered turns a handler panic into a 500 error envelope.
func (s *Server) recovered(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				s.logger.Error("handler panicked", "panic", v, "request_id", requestIDFrom(r.Context()))
				writeError(w, r, errInternal)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
