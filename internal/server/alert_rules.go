package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// Audit vocabulary of alert rules.
const (
	objectTypeAlertRule = "alert_rule"
)

// storedRules are the stored alert rules.
var storedRules = stored[store.AlertRule]{
	objectType: objectTypeAlertRule, noun: "alert rule",
	read: (*store.Store).GetAlertRule, get: (*store.Tx).GetAlertRule,
	insert: (*store.Tx).InsertAlertRule, update: (*store.Tx).UpdateAlertRule, delete: (*store.Tx).DeleteAlertRule,
	meta: func(rule *store.AlertRule) (string, *int64, *time.Time) {
		return rule.ID, &rule.Version, &rule.UpdatedAt
	},
}

// alertRules is the kind of alert rules, whose incidents can be listed.
func (s *Server) alertRules() kind {
	return kind{collection: apiv1.CollectionAlertRules, objectType: objectTypeAlertRule, read: apiv1.ScopeAlertsRead, write: apiv1.ScopeAlertsWrite,
		create: s.handleCreateAlertRule, list: s.handleListAlertRules, update: s.handleUpdateAlertRule,
		remove: storedRules.deleteHandler(s, func(ctx context.Context, tx *store.Tx, r *http.Request) (store.AlertRule, error) {
			return loadAlertRuleForChange(ctx, tx, r, "delete")
		}),
		get:        getHandler(s, storedRules, plain(ruleToWire)),
		operations: []operation{{http.MethodGet, "incidents", apiv1.ScopeAlertsRead, s.handleListAlertIncidents}},
	}
}

func (s *Server) handleCreateAlertRule(w http.ResponseWriter, r *http.Request) {
	body, req, in, ok := readJSON[apiv1.CreateAlertRuleRequest](s, w, r)
	if !ok {
		return
	}
	rule := store.AlertRule{Enabled: true}
	changed, err := validateAlertRule(req, in, true, &rule)
	if err == nil {
		err = checkMetricHeld(r, rule.Metric, "create")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.clock.Now()
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		if in.value("notification_channel_ids") {
			if err := checkChannelsExist(ctx, tx, req.NotificationChannelIDs); err != nil {
				return result{}, err
			}
		}
		rule.ID, rule.CreatedAt, rule.UpdatedAt, rule.Version = newID("ar"), now, now, 1
		return storedRules.create(s, ctx, tx, r, &rule, changed, func() any { return ruleToWire(rule) })
	})
}

// checkChannelsExist returns a 422 naming each id, by its position in the
// request, that names no notification channel.
func checkChannelsExist(ctx context.Context, tx *store.Tx, ids []string) error {
	found, err := tx.ExistingChannelIDs(ctx, ids)
	if err != nil {
		return err
	}
	var f fieldErrors
	for i, id := range ids {
		if !found[id] {
			f.add(fmt.Sprintf("notification_channel_ids[%d]", i), "notification channel %q does not exist", id)
		}
	}
	return f.err()
}

func (s *Server) handleListAlertRules(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f fieldErrors
	filter := store.AlertRuleFilter{IDs: f.parseIDs(q), Severity: q.Get("severity"), Metric: q.Get("metric")}
	filter.Limit, filter.BeforeSeq = f.parsePage(q)
	if filter.Severity != "" {
		f.checkOneOf("severity", filter.Severity, apiv1.Severities)
	}
	if filter.Metric != "" {
		f.checkOneOf("metric", filter.Metric, apiv1.Metrics())
	}
	filter.Enabled = f.parseQueryBool(q, "enabled")
	writeList(s, w, r, f, filter.Limit, func(limit int) ([]store.AlertRule, error) {
		filter.Limit = limit
		return s.store.ListAlertRules(r.Context(), filter)
	}, func(rule store.AlertRule) int64 { return rule.Seq }, plain(ruleToWire))
}

func (s *Server) handleUpdateAlertRule(w http.ResponseWriter, r *http.Request) {
	body, req, in, ok := readJSON[apiv1.CreateAlertRuleRequest](s, w, r) // an update carries the same fields
	if !ok {
		return
	}
	now := s.clock.Now()
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		rule, err := loadAlertRuleForChange(ctx, tx, r, "update")
		if err != nil {
			return result{}, err
		}
		changed, err := validateAlertRule(req, in, false, &rule)
		if err != nil {
			return result{}, err
		}
		if err := checkMetricHeld(r, rule.Metric, "update a rule into"); err != nil {
			return result{}, err
		}
		if in.value("notification_channel_ids") {
			if err := checkChannelsExist(ctx, tx, req.NotificationChannelIDs); err != nil {
				return result{}, err
			}
		}
		if err := storedRules.save(s, ctx, tx, r, &rule, now, "update", changed); err != nil {
			return result{}, err
		}
		return result{status: http.StatusOK, body: ruleToWire(rule), version: rule.Version}, nil
	})
}

func (s *Server) handleListAlertIncidents(w http.ResponseWriter, r *http.Request) {
	writeSubList(s, w, r, storedRules, func(ctx context.Context, ruleID string, beforeSeq int64, limit int) ([]store.AlertIncident, error) {
		return s.store.ListAlertIncidents(ctx, store.AlertIncidentFilter{RuleID: ruleID, BeforeSeq: beforeSeq, Limit: limit})
	}, incidentSeq, incidentToWire)
}

// handleListAllAlertIncidents answers GET /v1/alert-incidents: the incidents
// of every rule, or of the rule rule_id names (an empty list when there is
// no such rule), filtered by status.
func (s *Server) handleListAllAlertIncidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f fieldErrors
	filter := store.AlertIncidentFilter{RuleID: q.Get("rule_id"), Status: q.Get("status")}
	filter.Limit, filter.BeforeSeq = f.parsePage(q)
	if filter.Status != "" {
		f.checkOneOf("status", filter.Status, apiv1.IncidentStatuses)
	}
	writeList(s, w, r, f, filter.Limit, func(limit int) ([]store.AlertIncident, error) {
		filter.Limit = limit
		return s.store.ListAlertIncidents(r.Context(), filter)
	}, incidentSeq, plain(incidentToWire))
}

func incidentSeq(inc store.AlertIncident) int64 { return inc.Seq }

// loadAlertRuleForChange reads the rule named by the path for a change: it
// must exist, match If-Match, and watch a metric whose data the caller may
// read.
func loadAlertRuleForChange(ctx context.Context, tx *store.Tx, r *http.Request, verb string) (store.AlertRule, error) {
	rule, err := storedRules.load(ctx, tx, r)
	if err != nil {
		return rule, err
	}
	return rule, checkMetricHeld(r, rule.Metric, verb)
}

// checkMetricHeld returns a 403 error when metric reveals data of a scope the
// caller does not hold (apiv1.MetricScope). verb says what the caller tried
// to do with a rule on the metric.
func checkMetricHeld(r *http.Request, metric, verb string) error {
	scope := apiv1.MetricScope(metric)
	if scope == "" {
		return nil
	}
	return checkGrantable(callerFrom(r.Context()).Scopes, []string{scope},
		fmt.Sprintf("%s a rule on %s, which reveals it", verb, metric))
}

// ruleToWire converts a stored rule into its API representation.
func ruleToWire(rule store.AlertRule) apiv1.AlertRule {
	view := apiv1.AlertRule{
		ID: rule.ID, Name: rule.Name, Description: rule.Description, Enabled: rule.Enabled,
		Severity: rule.Severity, Metric: rule.Metric,
		Condition:              apiv1.AlertCondition{Operator: rule.Operator, Threshold: rule.Threshold, Window: rule.Window.String()},
		NotificationChannelIDs: slices.Clone(rule.ChannelIDs), Labels: rule.Labels, OpenIncidentID: rule.OpenIncidentID,
		CreatedAt: rule.CreatedAt, UpdatedAt: rule.UpdatedAt, Version: rule.Version,
	}
	if view.NotificationChannelIDs == nil {
		view.NotificationChannelIDs = []string{}
	}
	if view.Labels == nil {
		view.Labels = map[string]string{}
	}
	if rule.RenotifyInterval > 0 {
		view.RenotifyInterval = rule.RenotifyInterval.String()
	}
	if rule.OpenIncidentID != nil {
		view.OpenIncidents = 1
	}
	return view
}

// describeCondition renders a rule's condition, for example "gt 3 over 5m0s".
func describeCondition(rule store.AlertRule) string {
	return strings.Join([]string{rule.Operator, strconv.FormatFloat(rule.Threshold, 'g', -1, 64), "over", rule.Window.String()}, " ")
}

// incidentToWire converts a stored incident, with its notifications, into
// its API representation.
func incidentToWire(inc store.AlertIncident) apiv1.AlertIncident {
	view := apiv1.AlertIncident{
		ID: inc.ID, RuleID: inc.RuleID, Status: inc.Status, OpenedAt: inc.OpenedAt, ResolvedAt: inc.ResolvedAt,
		Value: inc.Value, LastValue: inc.LastValue, NotificationsSent: inc.NotificationsSent, LastNotifiedAt: inc.LastNotifiedAt,
		Notifications: make([]apiv1.AlertNotification, len(inc.Notifications)),
	}
	for i, n := range inc.Notifications {
		view.Notifications[i] = apiv1.AlertNotification{ID: n.ID, ChannelID: n.ChannelID, Event: n.Event, Status: n.Status,
			Attempts: n.Attempts, LastError: n.LastError, CreatedAt: n.CreatedAt}
	}
	return view
}
