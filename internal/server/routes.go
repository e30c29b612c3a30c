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
	mux.Handle("POST /v1/api-keys", s.authenticated(apiv1.ScopeKeysWrite, s.handleCreateAPIKey))
	mux.Handle("GET /v1/api-keys", s.authenticated(apiv1.ScopeKeysRead, s.handleListAPIKeys))
	mux.Handle("GET /v1/api-keys/{id}", s.authenticated(apiv1.ScopeKeysRead, s.handleGetAPIKey))
	mux.Handle("PATCH /v1/api-keys/{id}", s.authenticated(apiv1.ScopeKeysWrite, s.handleUpdateAPIKey))
	mux.Handle("DELETE /v1/api-keys/{id}", s.authenticated(apiv1.ScopeKeysWrite, s.handleRevokeAPIKey))
	mux.Handle("POST /v1/api-keys/{id}/rotate", s.authenticated(apiv1.ScopeKeysWrite, s.handleRotateAPIKey))
	mux.Handle("GET /v1/audit-events", s.authenticated(apiv1.ScopeAuditRead, s.handleListAuditEvents))
	mux.Handle("POST /v1/notification-channels", s.authenticated(apiv1.ScopeChannelsWrite, s.handleCreateNotificationChannel))
	mux.Handle("GET /v1/notification-channels", s.authenticated(apiv1.ScopeChannelsRead, s.handleListNotificationChannels))
	mux.Handle("GET /v1/notification-channels/{id}", s.authenticated(apiv1.ScopeChannelsRead, s.handleGetNotificationChannel))
	mux.Handle("PATCH /v1/notification-channels/{id}", s.authenticated(apiv1.ScopeChannelsWrite, s.handleUpdateNotificationChannel))
	mux.Handle("DELETE /v1/notification-channels/{id}", s.authenticated(apiv1.ScopeChannelsWrite, s.handleDeleteNotificationChannel))
	mux.Handle("POST /v1/notification-channels/{id}/test", s.authenticated(apiv1.ScopeChannelsWrite, s.handleTestNotificationChannel))
	mux.Handle("POST /v1/alert-rules", s.authenticated(apiv1.ScopeAlertsWrite, s.handleCreateAlertRule))
	mux.Handle("GET /v1/alert-rules", s.authenticated(apiv1.ScopeAlertsRead, s.handleListAlertRules))
	mux.Handle("GET /v1/alert-rules/{id}", s.authenticated(apiv1.ScopeAlertsRead, s.handleGetAlertRule))
	mux.Handle("PATCH /v1/alert-rules/{id}", s.authenticated(apiv1.ScopeAlertsWrite, s.handleUpdateAlertRule))
	mux.Handle("DELETE /v1/alert-rules/{id}", s.authenticated(apiv1.ScopeAlertsWrite, s.handleDeleteAlertRule))
	mux.Handle("GET /v1/alert-rules/{id}/incidents", s.authenticated(apiv1.ScopeAlertsRead, s.handleListAlertIncidents))
	mux.Handle("POST /v1/access-grants", s.authenticated(apiv1.ScopeAccessWrite, s.handleCreateAccessGrant))
	mux.Handle("GET /v1/access-grants", s.authenticated(apiv1.ScopeAccessRead, s.handleListAccessGrants))
	mux.Handle("GET /v1/access-grants/{id}", s.authenticated(apiv1.ScopeAccessRead, s.handleGetAccessGrant))
	mux.Handle("PATCH /v1/access-grants/{id}", s.authenticated(apiv1.ScopeAccessWrite, s.handleUpdateAccessGrant))
	mux.Handle("DELETE /v1/access-grants/{id}", s.authenticated(apiv1.ScopeAccessWrite, s.handleRevokeAccessGrant))
	mux.Handle("POST /v1/access-grants/{id}/review", s.authenticated(apiv1.ScopeAccessWrite, s.handleReviewAccessGrant))
	mux.Handle("GET /v1/access-grants/{id}/reviews", s.authenticated(apiv1.ScopeAccessRead, s.handleListAccessGrantReviews))
	mux.Handle("POST /v1/access-checks", s.authenticated(apiv1.ScopeAccessRead, s.handleCheckAccess))
	mux.Handle("POST /v1/backup-schedules", s.authenticated(apiv1.ScopeBackupsWrite, s.handleCreateBackupSchedule))
	mux.Handle("GET /v1/backup-schedules", s.authenticated(apiv1.ScopeBackupsRead, s.handleListBackupSchedules))
	mux.Handle("GET /v1/backup-schedules/{id}", s.authenticated(apiv1.ScopeBackupsRead, s.handleGetBackupSchedule))
	mux.Handle("PATCH /v1/backup-schedules/{id}", s.authenticated(apiv1.ScopeBackupsWrite, s.handleUpdateBackupSchedule))
	mux.Handle("DELETE /v1/backup-schedules/{id}", s.authenticated(apiv1.ScopeBackupsWrite, s.handleDeleteBackupSchedule))
	mux.Handle("GET /v1/backup-schedules/{id}/runs", s.authenticated(apiv1.ScopeBackupsRead, s.handleListBackupRuns))
	mux.Handle("POST /v1/backup-schedules/{id}/run", s.authenticated(apiv1.ScopeBackupsWrite, s.handleRunBackupNow))
	mux.Handle("GET /v1/compliance/report", s.authenticated(apiv1.ScopeComplianceRead, s.handleComplianceReport))
	for _, c := range []struct{ collection, scope, objectType string }{
		{apiv1.CollectionAPIKeys, apiv1.ScopeKeysRead, objectTypeAPIKey},
		{apiv1.CollectionNotificationChannels, apiv1.ScopeChannelsRead, objectTypeChannel},
		{apiv1.CollectionAlertRules, apiv1.ScopeAlertsRead, objectTypeAlertRule},
		{apiv1.CollectionAccessGrants, apiv1.ScopeAccessRead, objectTypeAccessGrant},
		{apiv1.CollectionBackupSchedules, apiv1.ScopeBackupsRead, objectTypeBackupSchedule},
	} {
		mux.Handle("GET /v1/idempotent-creates/"+c.collection+"/{key}", s.authenticated(c.scope, s.handleGetIdempotentCreate(c.objectType)))
	}
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
