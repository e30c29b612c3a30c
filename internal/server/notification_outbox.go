package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/server/delivery"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// Delivery of alert notifications from the outbox.
const (
	// DefaultDeliveryInterval is how often the server sends due notifications.
	DefaultDeliveryInterval = 5 * time.Second
	// OutboxMaxAttempts is the number of attempts after which a notification
	// is marked failed.
	OutboxMaxAttempts = 5
	// OutboxBackoff is the wait after a notification's first failed attempt;
	// it doubles after each further one.
	OutboxBackoff = 30 * time.Second
	// outboxBatch bounds the notifications one run of the job sends.
	outboxBatch = 100
	// outboxRetention is how long delivered and failed notifications are kept.
	outboxRetention = 7 * 24 * time.Hour
)

// deliverNotifications is the delivery job: it sends the outbox's due
// pending notifications, one attempt each (bounded by the Sender's attempt
// timeout) without holding a transaction, and records each outcome. A failed
// attempt is retried after OutboxBackoff, doubling, until OutboxMaxAttempts.
// Receiver failures are logged, not returned; only database errors are.
func (s *Server) deliverNotifications(ctx context.Context) error {
	now := s.clock.Now()
	due, err := s.store.ListDueOutboxDeliveries(ctx, now, outboxBatch)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range due {
		if ctx.Err() != nil {
			break
		}
		if err := s.store.RecordOutboxAttempt(ctx, s.attemptDelivery(ctx, d)); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := s.store.PruneOutbox(ctx, now.Add(-outboxRetention)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// attemptDelivery makes one attempt of d and returns d updated with its
// outcome.
func (s *Server) attemptDelivery(ctx context.Context, d store.OutboxDelivery) store.OutboxDelivery {
	d.Attempts++
	config, msg, err := s.outboxMessage(ctx, d)
	if err != nil {
		// The channel is gone, disabled or unreadable: retrying cannot help.
		d.Status, d.LastError = store.OutboxFailed, err.Error()
		s.logger.Warn("notification delivery abandoned", "delivery_id", d.ID, "channel_id", d.ChannelID,
			"event", d.Event, "incident_id", d.IncidentID, "error", err)
		return d
	}
	if err := s.sender.Attempt(ctx, config, msg); err != nil {
		d.LastError = err.Error()
		if d.Attempts >= OutboxMaxAttempts {
			d.Status = store.OutboxFailed
			s.logger.Error("notification delivery failed; giving up", "delivery_id", d.ID, "channel_id", d.ChannelID,
				"event", d.Event, "incident_id", d.IncidentID, "attempts", d.Attempts, "error", err)
			return d
		}
		d.NextAttemptAt = s.clock.Now().Add(OutboxBackoff << (d.Attempts - 1))
		s.logger.Warn("notification delivery failed; will retry", "delivery_id", d.ID, "channel_id", d.ChannelID,
			"event", d.Event, "incident_id", d.IncidentID, "attempts", d.Attempts, "next_attempt_at", d.NextAttemptAt, "error", err)
		return d
	}
	d.Status, d.LastError = store.OutboxDelivered, ""
	s.logger.Debug("notification delivered", "delivery_id", d.ID, "channel_id", d.ChannelID,
		"event", d.Event, "incident_id", d.IncidentID, "attempts", d.Attempts)
	return d
}

// outboxMessage reads d's channel (opening its sealed configuration) and
// decodes d's message.
func (s *Server) outboxMessage(ctx context.Context, d store.OutboxDelivery) (delivery.Channel, delivery.Message, error) {
	ch, err := s.store.GetNotificationChannel(ctx, d.ChannelID)
	if err != nil {
		return delivery.Channel{}, delivery.Message{}, err
	}
	if !ch.Enabled {
		return delivery.Channel{}, delivery.Message{}, fmt.Errorf("notification channel %s is disabled", ch.ID)
	}
	config, err := s.openChannel(ch)
	if err != nil {
		return delivery.Channel{}, delivery.Message{}, err
	}
	var msg delivery.Message
	if err := json.Unmarshal(d.Payload, &msg); err != nil {
		return delivery.Channel{}, delivery.Message{}, fmt.Errorf("decoding outbox delivery %s: %w", d.ID, err)
	}
	return config, msg, nil
}
