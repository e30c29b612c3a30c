package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// NotificationChannel is a notification channel as stored. SealedConfig is
// the channel's configuration, secrets included, encrypted by the server;
// the store never sees it in clear.
type NotificationChannel struct {
	Seq            int64
	ID             string
	Name           string
	Type           string
	Enabled        bool
	SealedConfig   []byte
	LastTestAt     *time.Time
	LastTestStatus string
	LastTestError  string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int64
}

// NotificationChannelFilter selects channels for ListNotificationChannels.
// Zero fields do not filter.
type NotificationChannelFilter struct {
	IDs       []string
	Type      string
	BeforeSeq int64 // return channels with Seq < BeforeSeq (the cursor)
	Limit     int   // 0 = no limit
}

// RuleRef names an alert rule.
type RuleRef struct {
	ID   string
	Name string
}

const channelColumns = `seq, id, name, type, enabled, sealed_config, last_test_at, last_test_status, last_test_error,
	created_at, updated_at, version`

// GetNotificationChannel returns the channel with the given id, or ErrNotFound.
func (s *Store) GetNotificationChannel(ctx context.Context, id string) (NotificationChannel, error) {
	return getNotificationChannel(ctx, s.db, id)
}

// GetNotificationChannel returns the channel with the given id, or ErrNotFound.
func (tx *Tx) GetNotificationChannel(ctx context.Context, id string) (NotificationChannel, error) {
	return getNotificationChannel(ctx, tx.tx, id)
}

func getNotificationChannel(ctx context.Context, q querier, id string) (NotificationChannel, error) {
	return queryOne(ctx, q, "reading notification channel "+id, scanNotificationChannel,
		`SELECT `+channelColumns+` FROM notification_channels WHERE id = ?`, id)
}

// ListNotificationChannels returns up to f.Limit channels, newest first.
func (s *Store) ListNotificationChannels(ctx context.Context, f NotificationChannelFilter) ([]NotificationChannel, error) {
	l := newListQuery(`SELECT `+channelColumns+` FROM notification_channels`, "seq", f.BeforeSeq)
	l.addIDs("id", f.IDs)
	if f.Type != "" {
		l.add("type = ?", f.Type)
	}
	query, args := l.build(f.Limit)
	return queryAll(ctx, s.db, "listing notification channels", scanNotificationChannel, query, args...)
}

// ListRuleChannels returns the channels an alert rule notifies.
func (tx *Tx) ListRuleChannels(ctx context.Context, ruleID string) ([]NotificationChannel, error) {
	return queryAll(ctx, tx.tx, "listing notification channels", scanNotificationChannel, `SELECT `+prefixed("c.", channelColumns)+`
		FROM notification_channels c JOIN alert_rule_channels rc ON rc.channel_id = c.id
		WHERE rc.rule_id = ? ORDER BY c.id`, ruleID)
}

// ExistingChannelIDs returns which of ids name a stored channel.
func (tx *Tx) ExistingChannelIDs(ctx context.Context, ids []string) (map[string]bool, error) {
	found := map[string]bool{}
	if len(ids) == 0 {
		return found, nil
	}
	existing, err := queryAll(ctx, tx.tx, "looking up notification channels", scanString,
		`SELECT id FROM notification_channels WHERE id IN `+inIDs, idList(ids))
	if err != nil {
		return nil, err
	}
	for _, id := range existing {
		found[id] = true
	}
	return found, nil
}

func scanString(row scanner) (string, error) {
	var s string
	err := row.Scan(&s)
	return s, err
}

// RulesUsingChannel returns the alert rules that notify the channel, by id.
func (tx *Tx) RulesUsingChannel(ctx context.Context, channelID string) ([]RuleRef, error) {
	return queryAll(ctx, tx.tx, "finding rules using channel "+channelID, scanRuleRef, `SELECT r.id, r.name FROM alert_rules r
		JOIN alert_rule_channels rc ON rc.rule_id = r.id WHERE rc.channel_id = ? ORDER BY r.id`, channelID)
}

func scanRuleRef(row scanner) (RuleRef, error) {
	var ref RuleRef
	err := row.Scan(&ref.ID, &ref.Name)
	return ref, err
}

// InsertNotificationChannel stores a new channel and sets c.Seq.
func (tx *Tx) InsertNotificationChannel(ctx context.Context, c *NotificationChannel) error {
	seq, err := tx.insert(ctx, `INSERT INTO notification_channels (
		id, name, type, enabled, sealed_config, last_test_at, last_test_status, last_test_error,
		created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Name, c.Type, c.Enabled, c.SealedConfig, nullableNanos(c.LastTestAt), c.LastTestStatus, c.LastTestError,
		toNanos(c.CreatedAt), toNanos(c.UpdatedAt), c.Version)
	if err != nil {
		return fmt.Errorf("inserting notification channel %s: %w", c.ID, err)
	}
	c.Seq = seq
	return nil
}

// UpdateNotificationChannel writes every mutable field of c, identified by c.ID.
func (tx *Tx) UpdateNotificationChannel(ctx context.Context, c NotificationChannel) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE notification_channels SET
		name = ?, enabled = ?, sealed_config = ?, last_test_at = ?, last_test_status = ?, last_test_error = ?,
		updated_at = ?, version = ? WHERE id = ?`,
		c.Name, c.Enabled, c.SealedConfig, nullableNanos(c.LastTestAt), c.LastTestStatus, c.LastTestError,
		toNanos(c.UpdatedAt), c.Version, c.ID)
	return checkOneRow(res, err, "updating notification channel "+c.ID)
}

// RecordChannelTest stores the outcome of a channel test. It is not a change
// of the channel's configuration, so neither version nor updated_at move.
func (tx *Tx) RecordChannelTest(ctx context.Context, id string, at time.Time, status, testErr string) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE notification_channels SET
		last_test_at = ?, last_test_status = ?, last_test_error = ? WHERE id = ?`, toNanos(at), status, testErr, id)
	return checkOneRow(res, err, "recording the test of notification channel "+id)
}

// DeleteNotificationChannel deletes the channel with the given id.
func (tx *Tx) DeleteNotificationChannel(ctx context.Context, id string) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM notification_channels WHERE id = ?`, id)
	return checkOneRow(res, err, "deleting notification channel "+id)
}

// prefixed qualifies each column of a comma-separated list with prefix.
func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

func scanNotificationChannel(row scanner) (NotificationChannel, error) {
	var (
		c                    NotificationChannel
		createdAt, updatedAt int64
		lastTestAt           sql.NullInt64
	)
	err := row.Scan(&c.Seq, &c.ID, &c.Name, &c.Type, &c.Enabled, &c.SealedConfig, &lastTestAt, &c.LastTestStatus,
		&c.LastTestError, &createdAt, &updatedAt, &c.Version)
	if err != nil {
		return NotificationChannel{}, err
	}
	c.LastTestAt = timeFromNullable(lastTestAt)
	c.CreatedAt = fromNanos(createdAt)
	c.UpdatedAt = fromNanos(updatedAt)
	return c, nil
}
