package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// AlertRule is an alert rule as stored. ChannelIDs are sorted;
// OpenIncidentID is read from alert_incidents (status "open", as
// apiv1.IncidentStatusOpen) and never written through it.
type AlertRule struct {
	Seq              int64
	ID               string
	Name             string
	Description      string
	Enabled          bool
	Severity         string
	Metric           string
	Operator         string
	Threshold        float64
	Window           time.Duration
	RenotifyInterval time.Duration // 0 = never
	Labels           map[string]string
	ChannelIDs       []string
	OpenIncidentID   *string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Version          int64
}

// AlertRuleFilter selects rules for ListAlertRules. Zero fields do not filter.
type AlertRuleFilter struct {
	IDs       []string
	Severity  string
	Metric    string
	Enabled   *bool
	BeforeSeq int64 // return rules with Seq < BeforeSeq (the cursor)
	Limit     int   // 0 = no limit
}

const alertRuleColumns = `r.seq, r.id, r.name, r.description, r.enabled, r.severity, r.metric, r.operator, r.threshold,
	r.window_ns, r.renotify_ns, r.labels, r.created_at, r.updated_at, r.version,
	(SELECT json_group_array(channel_id) FROM
		(SELECT channel_id FROM alert_rule_channels WHERE rule_id = r.id ORDER BY channel_id) AS c),
	(SELECT id FROM alert_incidents WHERE rule_id = r.id AND status = 'open')`

// GetAlertRule returns the rule with the given id, or ErrNotFound.
func (s *Store) GetAlertRule(ctx context.Context, id string) (AlertRule, error) {
	return getAlertRule(ctx, s.db, id)
}

// GetAlertRule returns the rule with the given id, or ErrNotFound.
func (tx *Tx) GetAlertRule(ctx context.Context, id string) (AlertRule, error) {
	return getAlertRule(ctx, tx.tx, id)
}

func getAlertRule(ctx context.Context, q querier, id string) (AlertRule, error) {
	return queryOne(ctx, q, "reading alert rule "+id, scanAlertRule, `SELECT `+alertRuleColumns+` FROM alert_rules r WHERE r.id = ?`, id)
}

// ListAlertRules returns up to f.Limit rules, newest first.
func (s *Store) ListAlertRules(ctx context.Context, f AlertRuleFilter) ([]AlertRule, error) {
	l := newListQuery(`SELECT `+alertRuleColumns+` FROM alert_rules r`, "r.seq", f.BeforeSeq)
	l.addIDs("r.id", f.IDs)
	if f.Severity != "" {
		l.add("r.severity = ?", f.Severity)
	}
	if f.Metric != "" {
		l.add("r.metric = ?", f.Metric)
	}
	if f.Enabled != nil {
		l.add("r.enabled = ?", *f.Enabled)
	}
	query, args := l.build(f.Limit)
	return queryAll(ctx, s.db, "listing alert rules", scanAlertRule, query, args...)
}

// InsertAlertRule stores a new rule with its channels and sets r.Seq.
func (tx *Tx) InsertAlertRule(ctx context.Context, r *AlertRule) error {
	labels, err := json.Marshal(r.Labels)
	if err != nil {
		return fmt.Errorf("encoding labels: %w", err)
	}
	seq, err := tx.insert(ctx, `INSERT INTO alert_rules (
		id, name, description, enabled, severity, metric, operator, threshold, window_ns, renotify_ns, labels,
		created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Name, r.Description, r.Enabled, r.Severity, r.Metric, r.Operator, r.Threshold,
		int64(r.Window), int64(r.RenotifyInterval), string(labels), toNanos(r.CreatedAt), toNanos(r.UpdatedAt), r.Version)
	if err != nil {
		return fmt.Errorf("inserting alert rule %s: %w", r.ID, err)
	}
	r.Seq = seq
	return tx.setRuleChannels(ctx, r.ID, r.ChannelIDs)
}

// UpdateAlertRule writes every mutable field of r and its channels,
// identified by r.ID.
func (tx *Tx) UpdateAlertRule(ctx context.Context, r AlertRule) error {
	labels, err := json.Marshal(r.Labels)
	if err != nil {
		return fmt.Errorf("encoding labels: %w", err)
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE alert_rules SET
		name = ?, description = ?, enabled = ?, severity = ?, metric = ?, operator = ?, threshold = ?,
		window_ns = ?, renotify_ns = ?, labels = ?, updated_at = ?, version = ? WHERE id = ?`,
		r.Name, r.Description, r.Enabled, r.Severity, r.Metric, r.Operator, r.Threshold,
		int64(r.Window), int64(r.RenotifyInterval), string(labels), toNanos(r.UpdatedAt), r.Version, r.ID)
	if err := checkOneRow(res, err, "updating alert rule "+r.ID); err != nil {
		return err
	}
	return tx.setRuleChannels(ctx, r.ID, r.ChannelIDs)
}

func (tx *Tx) setRuleChannels(ctx context.Context, ruleID string, channelIDs []string) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM alert_rule_channels WHERE rule_id = ?`, ruleID); err != nil {
		return fmt.Errorf("replacing channels of alert rule %s: %w", ruleID, err)
	}
	for _, id := range channelIDs {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO alert_rule_channels (rule_id, channel_id) VALUES (?, ?)`, ruleID, id); err != nil {
			return fmt.Errorf("linking alert rule %s to channel %s: %w", ruleID, id, err)
		}
	}
	return nil
}

// DeleteAlertRule deletes the rule with the given id, its channel links and
// its incidents.
func (tx *Tx) DeleteAlertRule(ctx context.Context, id string) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM alert_rules WHERE id = ?`, id)
	return checkOneRow(res, err, "deleting alert rule "+id)
}

func scanAlertRule(row scanner) (AlertRule, error) {
	var (
		r                          AlertRule
		windowNanos, renotifyNanos int64
		labels, channelIDs         string
		createdAt, updatedAt       int64
		openIncident               sql.NullString
	)
	err := row.Scan(&r.Seq, &r.ID, &r.Name, &r.Description, &r.Enabled, &r.Severity, &r.Metric, &r.Operator, &r.Threshold,
		&windowNanos, &renotifyNanos, &labels, &createdAt, &updatedAt, &r.Version, &channelIDs, &openIncident)
	if err != nil {
		return AlertRule{}, err
	}
	if err := json.Unmarshal([]byte(labels), &r.Labels); err != nil {
		return AlertRule{}, fmt.Errorf("decoding stored labels: %w", err)
	}
	if err := json.Unmarshal([]byte(channelIDs), &r.ChannelIDs); err != nil {
		return AlertRule{}, fmt.Errorf("decoding channel ids: %w", err)
	}
	if openIncident.Valid {
		r.OpenIncidentID = &openIncident.String
	}
	r.Window = time.Duration(windowNanos)
	r.RenotifyInterval = time.Duration(renotifyNanos)
	r.CreatedAt = fromNanos(createdAt)
	r.UpdatedAt = fromNanos(updatedAt)
	return r, nil
}

// AlertIncident is one firing of an alert rule as stored. Notifications
// are filled only by ListAlertIncidents.
type AlertIncident struct {
	Seq               int64
	ID                string
	RuleID            string
	Status            string
	OpenedAt          time.Time
	ResolvedAt        *time.Time
	Value             float64
	LastValue         float64
	NotificationsSent int64
	LastNotifiedAt    *time.Time
	Notifications     []Notification
}

// Notification is an incident's delivery to one channel, as the outbox
// holds it, without its message.
type Notification struct {
	ID, ChannelID, Event, Status string
	Attempts                     int64
	LastError                    string
	CreatedAt                    time.Time
}

// AlertIncidentFilter selects incidents for ListAlertIncidents. Zero fields
// do not filter.
type AlertIncidentFilter struct {
	RuleID    string
	Status    string
	BeforeSeq int64 // return incidents with Seq < BeforeSeq (the cursor)
	Limit     int   // 0 = no limit
}

const incidentColumns = `seq, id, rule_id, status, opened_at, resolved_at, value, last_value, notifications_sent, last_notified_at`

// ListAlertIncidents returns up to f.Limit incidents, newest first, each
// with its notifications, oldest first: one query, the page of incidents
// joined with the outbox.
func (s *Store) ListAlertIncidents(ctx context.Context, f AlertIncidentFilter) ([]AlertIncident, error) {
	l := newListQuery(`SELECT `+incidentColumns+` FROM alert_incidents`, "seq", f.BeforeSeq)
	if f.RuleID != "" {
		l.add("rule_id = ?", f.RuleID)
	}
	if f.Status != "" {
		l.add("status = ?", f.Status)
	}
	incidents, args := l.build(f.Limit)
	rows, err := queryAll(ctx, s.db, "listing alert incidents", scanIncidentNotification, `SELECT i.*,
		o.id, o.channel_id, o.event, o.status, o.attempts, o.last_error, o.created_at
		FROM (`+incidents+`) i LEFT JOIN notification_outbox o ON o.incident_id = i.id ORDER BY i.seq DESC, o.seq`, args...)
	if err != nil {
		return nil, err
	}
	var list []AlertIncident
	for _, row := range rows {
		if len(list) == 0 || list[len(list)-1].ID != row.ID {
			list = append(list, row)
		} else {
			last := &list[len(list)-1]
			last.Notifications = append(last.Notifications, row.Notifications...)
		}
	}
	return list, nil
}

// scanIncidentNotification reads a row of ListAlertIncidents: an incident
// with one notification, or none when it has none.
func scanIncidentNotification(row scanner) (AlertIncident, error) {
	var (
		inc                        AlertIncident
		openedAt                   int64
		resolvedAt, lastNotifiedAt sql.NullInt64
		id, channelID, event       sql.NullString
		status, lastError          sql.NullString
		attempts, createdAt        sql.NullInt64
	)
	err := row.Scan(&inc.Seq, &inc.ID, &inc.RuleID, &inc.Status, &openedAt, &resolvedAt, &inc.Value, &inc.LastValue,
		&inc.NotificationsSent, &lastNotifiedAt, &id, &channelID, &event, &status, &attempts, &lastError, &createdAt)
	if err != nil {
		return AlertIncident{}, err
	}
	inc.OpenedAt = fromNanos(openedAt)
	inc.ResolvedAt = timeFromNullable(resolvedAt)
	inc.LastNotifiedAt = timeFromNullable(lastNotifiedAt)
	if id.Valid {
		inc.Notifications = []Notification{{ID: id.String, ChannelID: channelID.String, Event: event.String,
			Status: status.String, Attempts: attempts.Int64, LastError: lastError.String, CreatedAt: fromNanos(createdAt.Int64)}}
	}
	return inc, nil
}

// InsertAlertIncident stores a new incident and sets inc.Seq.
func (tx *Tx) InsertAlertIncident(ctx context.Context, inc *AlertIncident) error {
	seq, err := tx.insert(ctx, `INSERT INTO alert_incidents (
		id, rule_id, status, opened_at, resolved_at, value, last_value, notifications_sent, last_notified_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		inc.ID, inc.RuleID, inc.Status, toNanos(inc.OpenedAt), nullableNanos(inc.ResolvedAt), inc.Value, inc.LastValue,
		inc.NotificationsSent, nullableNanos(inc.LastNotifiedAt))
	if err != nil {
		return fmt.Errorf("inserting alert incident %s: %w", inc.ID, err)
	}
	inc.Seq = seq
	return nil
}

// UpdateAlertIncident writes the mutable fields of inc, identified by inc.ID.
func (tx *Tx) UpdateAlertIncident(ctx context.Context, inc AlertIncident) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE alert_incidents SET
		status = ?, resolved_at = ?, last_value = ?, notifications_sent = ?, last_notified_at = ? WHERE id = ?`,
		inc.Status, nullableNanos(inc.ResolvedAt), inc.LastValue, inc.NotificationsSent, nullableNanos(inc.LastNotifiedAt), inc.ID)
	return checkOneRow(res, err, "updating alert incident "+inc.ID)
}

func scanAlertIncident(row scanner) (AlertIncident, error) {
	var (
		inc                        AlertIncident
		openedAt                   int64
		resolvedAt, lastNotifiedAt sql.NullInt64
	)
	err := row.Scan(&inc.Seq, &inc.ID, &inc.RuleID, &inc.Status, &openedAt, &resolvedAt, &inc.Value, &inc.LastValue,
		&inc.NotificationsSent, &lastNotifiedAt)
	if err != nil {
		return AlertIncident{}, err
	}
	inc.OpenedAt = fromNanos(openedAt)
	inc.ResolvedAt = timeFromNullable(resolvedAt)
	inc.LastNotifiedAt = timeFromNullable(lastNotifiedAt)
	return inc, nil
}

// GetOpenAlertIncident returns the rule's open incident, or ErrNotFound.
func (tx *Tx) GetOpenAlertIncident(ctx context.Context, ruleID string) (AlertIncident, error) {
	return queryOne(ctx, tx.tx, "reading the open incident of alert rule "+ruleID, scanAlertIncident,
		`SELECT `+incidentColumns+` FROM alert_incidents WHERE rule_id = ? AND status = 'open'`, ruleID)
}
