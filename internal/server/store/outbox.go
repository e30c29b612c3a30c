package store

import (
	"context"
	"fmt"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// Statuses of an OutboxDelivery, as the API names them.
const (
	OutboxPending   = apiv1.NotificationPending
	OutboxDelivered = apiv1.NotificationDelivered
	OutboxFailed    = apiv1.NotificationFailed
)

// OutboxDelivery is one notification to send through one channel. It is
// inserted in the transaction that decides to notify, and sent later by the
// delivery job, so that no decision is lost when the server stops. Payload is
// the message (JSON) without the channel's secrets, which the sender reads
// from the channel's sealed configuration when sending.
type OutboxDelivery struct {
	Seq           int64
	ID            string
	ChannelID     string
	Event         string
	IncidentID    string
	Payload       []byte
	Attempts      int
	NextAttemptAt time.Time
	CreatedAt     time.Time
	Status        string // OutboxPending, OutboxDelivered or OutboxFailed
	LastError     string
}

const outboxColumns = `seq, id, channel_id, event, incident_id, payload, attempts, next_attempt_at, created_at,
	status, last_error`

// InsertOutboxDelivery stores a new delivery and sets d.Seq.
func (tx *Tx) InsertOutboxDelivery(ctx context.Context, d *OutboxDelivery) error {
	seq, err := tx.insert(ctx, `INSERT INTO notification_outbox (
		id, channel_id, event, incident_id, payload, attempts, next_attempt_at, created_at, status, last_error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.ChannelID, d.Event, d.IncidentID, d.Payload, d.Attempts, toNanos(d.NextAttemptAt), toNanos(d.CreatedAt),
		d.Status, d.LastError)
	if err != nil {
		return fmt.Errorf("inserting outbox delivery %s: %w", d.ID, err)
	}
	d.Seq = seq
	return nil
}

// ListDueOutboxDeliveries returns up to limit pending deliveries whose next
// attempt is due at now, oldest first.
func (s *Store) ListDueOutboxDeliveries(ctx context.Context, now time.Time, limit int) ([]OutboxDelivery, error) {
	return queryAll(ctx, s.db, "listing due outbox deliveries", scanOutboxDelivery,
		`SELECT `+outboxColumns+` FROM notification_outbox WHERE status = ? AND next_attempt_at <= ? ORDER BY seq LIMIT ?`,
		OutboxPending, toNanos(now), limit)
}

// ListOutboxDeliveries returns every delivery, oldest first.
func (s *Store) ListOutboxDeliveries(ctx context.Context) ([]OutboxDelivery, error) {
	return queryAll(ctx, s.db, "listing outbox deliveries", scanOutboxDelivery,
		`SELECT `+outboxColumns+` FROM notification_outbox ORDER BY seq`)
}

// RecordOutboxAttempt writes the outcome of an attempt (d's status, attempts,
// next attempt and last error) to the delivery d.ID, which must still be
// pending. It is one statement, so no transaction is held while sending.
func (s *Store) RecordOutboxAttempt(ctx context.Context, d OutboxDelivery) error {
	res, err := s.exec(ctx, `UPDATE notification_outbox SET
		status = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ? AND status = ?`,
		d.Status, d.Attempts, toNanos(d.NextAttemptAt), d.LastError, d.ID, OutboxPending)
	return checkOneRow(res, err, "recording an attempt of outbox delivery "+d.ID)
}

// PruneOutbox deletes the delivered and failed deliveries created before
// cutoff whose incident is gone (its rule was deleted), and returns how many
// it deleted. The deliveries of a live incident are its history, which the
// API shows with it.
func (s *Store) PruneOutbox(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM notification_outbox WHERE status != ? AND created_at < ?
		AND NOT EXISTS (SELECT 1 FROM alert_incidents WHERE alert_incidents.id = notification_outbox.incident_id)`,
		OutboxPending, toNanos(cutoff))
	if err != nil {
		return 0, fmt.Errorf("pruning the outbox: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("pruning the outbox: %w", err)
	}
	return n, nil
}

func scanOutboxDelivery(row scanner) (OutboxDelivery, error) {
	var (
		d                        OutboxDelivery
		nextAttemptAt, createdAt int64
	)
	err := row.Scan(&d.Seq, &d.ID, &d.ChannelID, &d.Event, &d.IncidentID, &d.Payload, &d.Attempts, &nextAttemptAt,
		&createdAt, &d.Status, &d.LastError)
	if err != nil {
		return OutboxDelivery{}, err
	}
	d.NextAttemptAt = fromNanos(nextAttemptAt)
	d.CreatedAt = fromNanos(createdAt)
	return d, nil
}
