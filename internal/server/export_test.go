package server

import (
	"context"

	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// EvaluateAlertsForTest runs only the alert evaluator, not the delivery job.
func (s *Server) EvaluateAlertsForTest(ctx context.Context) error { return s.evaluateAlerts(ctx) }

// OutboxForTest returns every notification of the outbox, oldest first.
func (s *Server) OutboxForTest(ctx context.Context) ([]store.OutboxDelivery, error) {
	return s.store.ListOutboxDeliveries(ctx)
}
