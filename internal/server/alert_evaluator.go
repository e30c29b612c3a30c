package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/delivery"
	"github.com/keymate/terraform-provider-keymate/internal/server/metrics"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// DefaultAlertEvalInterval is how often the server evaluates alert rules.
const DefaultAlertEvalInterval = 30 * time.Second

// evaluateAlerts is the alert evaluation job: it evaluates every enabled
// rule at the clock's current time. On PostgreSQL it first writes this
// server's own outcomes (flushOutcomes), so that they count at once; the
// other servers' count once they flushed theirs. Rules with the same window
// share one summary of it.
func (s *Server) evaluateAlerts(ctx context.Context) error {
	enabled := true
	rules, err := s.store.ListAlertRules(ctx, store.AlertRuleFilter{Enabled: &enabled})
	if err != nil {
		return err
	}
	var errs []error
	if err := s.flushOutcomes(ctx); err != nil {
		errs = append(errs, fmt.Errorf("writing this server's request outcomes: %w", err))
	}
	summaries := map[time.Duration]metrics.Summary{}
	for _, rule := range rules {
		if err := s.evaluateRule(ctx, rule, summaries); err != nil {
			errs = append(errs, fmt.Errorf("alert rule %s: %w", rule.ID, err))
		}
	}
	return errors.Join(errs...)
}

// evaluateRule reads the rule's metric and opens, re-notifies or resolves
// its incident. The notifications to the rule's enabled channels are written
// to the outbox in the same transaction as the incident change, so that
// the decision to notify is committed exactly once; the delivery job sends
// them later, so that a slow receiver never holds the database.
func (s *Server) evaluateRule(ctx context.Context, rule store.AlertRule, summaries map[time.Duration]metrics.Summary) error {
	value, err := s.metricValue(ctx, rule, summaries)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	firing := conditionHolds(rule.Operator, value, rule.Threshold)
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		inc, err := tx.GetOpenAlertIncident(ctx, rule.ID)
		open := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var event string
		switch {
		case firing && !open:
			inc = store.AlertIncident{
				ID: newID("inc"), RuleID: rule.ID, Status: apiv1.IncidentStatusOpen, OpenedAt: now,
				Value: value, LastValue: value, NotificationsSent: 1, LastNotifiedAt: &now,
			}
			if err := tx.InsertAlertIncident(ctx, &inc); err != nil {
				return err
			}
			return s.enqueueNotifications(ctx, tx, rule, inc, apiv1.EventAlertOpened, value, now)
		case firing:
			inc.LastValue = value
			if rule.RenotifyInterval > 0 && !now.Before(inc.LastNotifiedAt.Add(rule.RenotifyInterval)) {
				inc.NotificationsSent++
				inc.LastNotifiedAt = &now
				event = apiv1.EventAlertRenotify
			}
		case open:
			inc.Status, inc.ResolvedAt, inc.LastValue = apiv1.IncidentStatusResolved, &now, value
			inc.NotificationsSent++
			inc.LastNotifiedAt = &now
			event = apiv1.EventAlertResolved
		default:
			return nil
		}
		if err := tx.UpdateAlertIncident(ctx, inc); err != nil || event == "" {
			return err
		}
		return s.enqueueNotifications(ctx, tx, rule, inc, event, value, now)
	})
}

// metricValue computes the rule's metric over its window at the clock's
// current time, from the summary of the window in summaries, which it adds
// when missing.
func (s *Server) metricValue(ctx context.Context, rule store.AlertRule, summaries map[time.Duration]metrics.Summary) (float64, error) {
	if rule.Metric == apiv1.MetricKeysRotationOverdue {
		return s.countRotationOverdue(ctx, s.clock.Now())
	}
	sum, ok := summaries[rule.Window]
	if !ok {
		var err error
		if sum, err = s.summarize(ctx, rule.Window); err != nil {
			return 0, err
		}
		summaries[rule.Window] = sum
	}
	switch rule.Metric {
	case apiv1.MetricAPIErrorRate:
		return sum.ErrorRate(), nil
	case apiv1.MetricAPILatencyP99:
		return float64(sum.LatencyP99) / float64(time.Millisecond), nil
	case apiv1.MetricAPIRequestRate:
		return sum.RequestRate(), nil
	case apiv1.MetricRateLimitThrottled:
		return float64(sum.Throttled), nil
	case apiv1.MetricAuthFailures:
		return float64(sum.AuthFailures), nil
	default:
		return 0, fmt.Errorf("unknown metric %q", rule.Metric)
	}
}

// countRotationOverdue counts the active API keys overdue for rotation at
// now, by the rule the compliance report's KM-KEY-001 applies too
// (apiv1.RotationOverdue).
func (s *Server) countRotationOverdue(ctx context.Context, now time.Time) (float64, error) {
	keys, err := s.store.ActiveAPIKeys(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range keys {
		if rotationOverdue(k, now) {
			n++
		}
	}
	return float64(n), nil
}

// rotationOverdue reports whether key k, active at now, is overdue for
// rotation (apiv1.RotationOverdue).
func rotationOverdue(k store.APIKey, now time.Time) bool {
	return apiv1.RotationOverdue(k.NextRotationAt(), now)
}

// conditionHolds compares value with threshold by operator.
func conditionHolds(operator string, value, threshold float64) bool {
	switch operator {
	case apiv1.OperatorGT:
		return value > threshold
	case apiv1.OperatorGTE:
		return value >= threshold
	case apiv1.OperatorLT:
		return value < threshold
	case apiv1.OperatorLTE:
		return value <= threshold
	default:
		return false
	}
}

// enqueueNotifications writes, in tx, one outbox delivery of the event's
// notification to each enabled channel of the rule.
func (s *Server) enqueueNotifications(ctx context.Context, tx *store.Tx, rule store.AlertRule, inc store.AlertIncident, event string, value float64, now time.Time) error {
	channels, err := tx.ListRuleChannels(ctx, rule.ID)
	if err != nil {
		return err
	}
	current := strconv.FormatFloat(value, 'g', 6, 64)
	summary := fmt.Sprintf("%s is %s (condition: %s).", rule.Metric, current, describeCondition(rule))
	if event == apiv1.EventAlertResolved {
		summary = fmt.Sprintf("%s is %s; the condition %s no longer holds.", rule.Metric, current, describeCondition(rule))
	}
	payload, err := json.Marshal(delivery.Message{
		Event: event, Summary: summary, Severity: rule.Severity, RuleID: rule.ID, RuleName: rule.Name,
		IncidentID: inc.ID, Metric: rule.Metric, Value: value, Threshold: rule.Threshold, Time: now,
	})
	if err != nil {
		return fmt.Errorf("encoding the %s notification of incident %s: %w", event, inc.ID, err)
	}
	for _, ch := range channels {
		if !ch.Enabled {
			continue
		}
		d := store.OutboxDelivery{
			ID: newID("dlv"), ChannelID: ch.ID, Event: event, IncidentID: inc.ID, Payload: payload,
			NextAttemptAt: now, CreatedAt: now, Status: store.OutboxPending,
		}
		if err := tx.InsertOutboxDelivery(ctx, &d); err != nil {
			return err
		}
	}
	return nil
}
