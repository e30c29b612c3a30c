package server

import (
	"net/http"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// Scopes required by the API key endpoints.
const (
	scopeKeysRead  = "keys:read"
	scopeKeysWrite = "keys:write"
	scopeAuditRead = "audit:read"
)

// routes builds the handler: every API route with the scope it requires,
// wrapped in the middleware that every request passes through.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	mux.Handle("POST /v1/api-keys", s.authenticated(scopeKeysWrite, s.handleCreateAPIKey))
	mux.Handle("GET /v1/api-keys", s.authenticated(scopeKeysRead, s.handleListAPIKeys))
	mux.Handle("GET /v1/api-keys/{id}", s.authenticated(scopeKeysRead, s.handleGetAPIKey))
	mux.Handle("PATCH /v1/api-keys/{id}", s.authenticated(scopeKeysWrite, s.handleUpdateAPIKey))
	mux.Handle("DELETE /v1/api-keys/{id}", s.authenticated(scopeKeysWrite, s.handleRevokeAPIKey))
	mux.Handle("POST /v1/api-keys/{id}/rotate", s.authenticated(scopeKeysWrite, s.handleRotateAPIKey))
	mux.Handle("GET /v1/audit-events", s.authenticated(scopeAuditRead, s.handleListAuditEvents))
	mux.HandleFunc("/", s.handleNoRoute)
	return s.observed(s.recovered(mux))
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	if err := s.store.Ping(r.Context()); err != nil {
		s.logger.Error("health check failed", "error", err, "request_id", requestIDFrom(r.Context()))
		writeError(w, r, &apiError{status: http.StatusServiceUnavailable, code: apiv1.CodeInternal, message: "the database is unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	if err := s.httpMetrics.WriteText(w); err != nil {
		s.logger.Error("writing metrics", "error", err, "request_id", requestIDFrom(r.Context()))
	}
}

func (s *Server) handleNoRoute(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, errNotFound("no route for %s %s", r.Method, r.URL.Path))
}
