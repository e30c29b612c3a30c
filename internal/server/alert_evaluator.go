package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/delivery"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// DefaultAlertEvalInterval is how often the server evaluates alert rules.
const DefaultAlertEvalInterval = 30 * time.Second

// evaluateAlerts is the alert evaluation job: it evaluates every enabled
// rule at the clock's current time.
func (s *Server) evaluateAlerts(ctx context.Context) error {
	enabled := true
	rules, err := s.store.ListAlertRules(ctx, store.AlertRuleFilter{Enabled: &enabled})
	if err != nil {
		return err
	}
	var errs []error
	for _, rule := range rules {
		if err := s.evaluateRule(ctx, rule); err != nil {
			errs = append(errs, fmt.Errorf("alert rule %s: %w", rule.ID, err))
		}
	}
	return errors.Join(errs...)
}

// evaluateRule reads the rule's metric and opens, re-notifies or resolves
// its incident. Notifications are queued after the transaction commits, so
// that a slow receiver never holds the database.
func (s *Server) evaluateRule(ctx context.Context, rule store.AlertRule) error {
	value, err := s.metricValue(ctx, rule)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	firing := conditionHolds(rule.Operator, value, rule.Threshold)
	var event string
	var incident store.AlertIncident
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		event = ""
		inc, err := tx.GetOpenAlertIncident(ctx, rule.ID)
		open := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		switch {
		case firing && !open:
			inc = store.AlertIncident{
				ID: newID("inc"), RuleID: rule.ID, Status: apiv1.IncidentStatusOpen, OpenedAt: now,
				Value: value, LastValue: value, NotificationsSent: 1, LastNotifiedAt: &now,
			}
			event, incident = apiv1.EventAlertOpened, inc
			return tx.InsertAlertIncident(ctx, &inc)
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
		incident = inc
		return tx.UpdateAlertIncident(ctx, inc)
	})
	if err != nil || event == "" {
		return err
	}
	return s.notify(ctx, rule, incident, event, value, now)
}

// metricValue computes the rule's metric over its window at the clock's
// current time.
func (s *Server) metricValue(ctx context.Context, rule store.AlertRule) (float64, error) {
	if rule.Metric == apiv1.MetricKeysRotationOverdue {
		n, err := s.store.CountRotationOverdue(ctx, s.clock.Now())
		return float64(n), err
	}
	sum := s.outcomes.Summarize(rule.Window)
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

// notify queues the event's notification to each enabled channel of the rule.
func (s *Server) notify(ctx context.Context, rule store.AlertRule, inc store.AlertIncident, event string, value float64, now time.Time) error {
	channels, err := s.store.ListRuleChannels(ctx, rule.ID)
	if err != nil {
		return err
	}
	current := strconv.FormatFloat(value, 'g', 6, 64)
	summary := fmt.Sprintf("%s is %s (condition: %s).", rule.Metric, current, describeCondition(rule))
	if event == apiv1.EventAlertResolved {
		summary = fmt.Sprintf("%s is %s; the condition %s no longer holds.", rule.Metric, current, describeCondition(rule))
	}
	msg := delivery.Message{
		Event: event, Summary: summary, Severity: rule.Severity, RuleID: rule.ID, RuleName: rule.Name,
		IncidentID: inc.ID, Metric: rule.Metric, Value: value, Threshold: rule.Threshold, Time: now,
	}
	var errs []error
	for _, ch := range channels {
		if !ch.Enabled {
			continue
		}
		config, err := s.openChannel(ch)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.deliveries.Enqueue(delivery.Delivery{ChannelID: ch.ID, Channel: config, Message: msg})
	}
	return errors.Join(errs...)
}
