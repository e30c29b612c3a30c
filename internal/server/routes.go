package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/keymate/terraform-provider-keymate/api"
	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// routes builds the handler: every API route with the scope it requires,
// wrapped in the middleware that every request passes through.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /openapi.yaml", handleOpenAPI)
	if s.metricsPublic {
		mux.HandleFunc("GET /metrics", s.handleMetrics)
	} else {
		mux.Handle("GET /metrics", s.authenticated(apiv1.ScopeMetricsRead, s.handleMetrics))
	}
	for _, k := range []kind{s.apiKeys(), s.notificationChannels(), s.alertRules(), s.accessGrants(), s.backupSchedules()} {
		s.routeKind(mux, k)
	}
	mux.Handle("GET /v1/alert-incidents", s.authenticated(apiv1.ScopeAlertsRead, s.handleListAllAlertIncidents))
	mux.Handle("GET /v1/audit-events", s.authenticated(apiv1.ScopeAuditRead, s.handleListAuditEvents))
	mux.Handle("POST /v1/access-checks", s.authenticated(apiv1.ScopeAccessRead, s.handleCheckAccess))
	mux.Handle("GET /v1/compliance/report", s.authenticated(apiv1.ScopeComplianceRead, s.handleComplianceReport))
	mux.Handle("/", noRoute(mux))
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

// handleOpenAPI serves the contract. It is public, as the API it describes
// is documented in the open, and tells nothing about the server's data.
func handleOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(api.OpenAPI)
}

// handleMetrics serves the Prometheus metrics: the Go runtime's, the
// process's and the HTTP requests' to every caller, and the account's state
// (state_metrics.go) as far as the caller's scopes allow.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	state := prometheus.NewRegistry()
	state.MustRegister(s.newStateCollector(r.Context(), callerFrom(r.Context())))
	promhttp.HandlerFor(prometheus.Gatherers{s.processMetrics, state}, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(s.logger.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	}).ServeHTTP(w, r)
}

// routeMethods are the methods a route may have, in the order an Allow
// header lists them. A GET route also serves HEAD.
var routeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// noRoute answers a request that no route of mux matched: 405 with an Allow
// header when the path has routes for other methods, else 404.
func noRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allowed []string
		for _, method := range routeMethods {
			probe := &http.Request{Method: method, URL: r.URL, Host: r.Host}
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
				allowed = append(allowed, method)
			}
		}
		if len(allowed) == 0 {
			writeError(w, r, errNotFound("no route for %s %s", r.Method, r.URL.Path))
			return
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, r, &apiError{status: http.StatusMethodNotAllowed, code: apiv1.CodeMethodNotAllowed,
			message: fmt.Sprintf("%s is not allowed on %s; use %s", r.Method, r.URL.Path, strings.Join(allowed, ", "))})
	})
}
