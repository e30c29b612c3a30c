package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/delivery"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// Audit vocabulary of notification channels.
const (
	objectTypeChannel = "notification_channel"
)

// storedChannels are the stored notification channels.
var storedChannels = stored[store.NotificationChannel]{
	objectType: objectTypeChannel, noun: "notification channel",
	read: (*store.Store).GetNotificationChannel, get: (*store.Tx).GetNotificationChannel,
	insert: (*store.Tx).InsertNotificationChannel, update: (*store.Tx).UpdateNotificationChannel, delete: (*store.Tx).DeleteNotificationChannel,
	meta: func(ch *store.NotificationChannel) (string, *int64, *time.Time) {
		return ch.ID, &ch.Version, &ch.UpdatedAt
	},
}

// notificationChannels is the kind of notification channels, which can be
// sent a test notification.
func (s *Server) notificationChannels() kind {
	return kind{collection: apiv1.CollectionNotificationChannels, objectType: objectTypeChannel,
		read: apiv1.ScopeChannelsRead, write: apiv1.ScopeChannelsWrite,
		create: s.handleCreateNotificationChannel, list: s.handleListNotificationChannels,
		update: s.handleUpdateNotificationChannel, remove: storedChannels.deleteHandler(s, loadChannelForDelete),
		get:        getHandler(s, storedChannels, s.channelView),
		operations: []operation{{http.MethodPost, "test", apiv1.ScopeChannelsWrite, s.handleTestNotificationChannel}},
	}
}

func (s *Server) handleCreateNotificationChannel(w http.ResponseWriter, r *http.Request) {
	body, req, in, ok := readJSON[apiv1.CreateNotificationChannelRequest](s, w, r)
	if !ok {
		return
	}
	change, err := validateChannel(req, in, true, "", true, delivery.Channel{})
	if err == nil {
		err = checkDestinations(s.destinations, change)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.clock.Now()
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		sealed, err := s.sealChannel(change.config)
		if err != nil {
			return result{}, err
		}
		ch := store.NotificationChannel{
			ID: newID("nc"), Name: change.name, Type: change.config.Type, Enabled: change.enabled, SealedConfig: sealed,
			LastTestStatus: apiv1.TestStatusNever, CreatedAt: now, UpdatedAt: now, Version: 1,
		}
		return storedChannels.create(s, ctx, tx, r, &ch, change.changed, func() any { return channelToWire(ch, change.config) })
	})
}

func (s *Server) handleListNotificationChannels(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f fieldErrors
	filter := store.NotificationChannelFilter{IDs: f.parseIDs(q), Type: q.Get("type")}
	filter.Limit, filter.BeforeSeq = f.parsePage(q)
	if filter.Type != "" {
		f.checkOneOf("type", filter.Type, apiv1.ChannelTypes)
	}
	writeList(s, w, r, f, filter.Limit, func(limit int) ([]store.NotificationChannel, error) {
		filter.Limit = limit
		return s.store.ListNotificationChannels(r.Context(), filter)
	}, func(ch store.NotificationChannel) int64 { return ch.Seq }, s.channelView)
}

func (s *Server) handleUpdateNotificationChannel(w http.ResponseWriter, r *http.Request) {
	body, req, in, ok := readJSON[apiv1.CreateNotificationChannelRequest](s, w, r) // an update carries the same fields
	if !ok {
		return
	}
	now := s.clock.Now()
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		ch, config, err := s.loadChannelForChange(ctx, tx, r)
		if err != nil {
			return result{}, err
		}
		change, err := validateChannel(req, in, false, ch.Name, ch.Enabled, config)
		if err == nil {
			err = checkDestinations(s.destinations, change)
		}
		if err != nil {
			return result{}, err
		}
		if len(change.changed) > 0 {
			if ch.SealedConfig, err = s.sealChannel(change.config); err != nil {
				return result{}, err
			}
			ch.Name, ch.Enabled = change.name, change.enabled
		}
		if err := storedChannels.save(s, ctx, tx, r, &ch, now, "update", change.changed); err != nil {
			return result{}, err
		}
		return result{status: http.StatusOK, body: channelToWire(ch, change.config), version: ch.Version}, nil
	})
}

// loadChannelForDelete reads the channel named by the path for its
// deletion: it must exist, match If-Match and be used by no alert rule.
func loadChannelForDelete(ctx context.Context, tx *store.Tx, r *http.Request) (store.NotificationChannel, error) {
	ch, err := storedChannels.load(ctx, tx, r)
	if err != nil {
		return ch, err
	}
	rules, err := tx.RulesUsingChannel(ctx, ch.ID)
	if err != nil || len(rules) == 0 {
		return ch, err
	}
	names := make([]string, len(rules))
	for i, rule := range rules {
		names[i] = fmt.Sprintf("%s (%q)", rule.ID, rule.Name)
	}
	return ch, errConflict("notification channel %s is used by alert rules %s; remove it from their notification_channel_ids first",
		ch.ID, strings.Join(names, ", "))
}

// handleTestNotificationChannel sends a test notification and waits for the
// outcome, holding no transaction meanwhile, then records it on the channel.
func (s *Server) handleTestNotificationChannel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ch, ok := storedChannels.readByPath(s, w, r)
	if !ok {
		return
	}
	config, err := s.openChannel(ch)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	now := s.clock.Now()
	msg := delivery.Message{
		Event: apiv1.EventTest, Time: now,
		Summary: fmt.Sprintf("Test notification from Keymate for channel %q (%s).", ch.Name, ch.ID),
	}
	sent := s.sender.Send(r.Context(), config, msg)
	res := apiv1.ChannelTestResult{Status: apiv1.TestStatusSucceeded, Attempts: sent.Attempts, HTTPStatus: sent.HTTPStatus,
		LatencyMS: sent.Latency.Milliseconds(), TestedAt: now}
	if sent.Err != nil {
		res.Status, res.Error = apiv1.TestStatusFailed, sent.Err.Error()
	}
	s.logger.Debug("notification channel tested", "channel_id", id, "type", ch.Type, "status", res.Status,
		"attempts", res.Attempts, "error", res.Error, "request_id", requestIDFrom(r.Context()))
	err = s.store.InTx(r.Context(), func(tx *store.Tx) error {
		if err := tx.RecordChannelTest(r.Context(), id, now, res.Status, res.Error); err != nil {
			return err
		}
		return s.audit(r.Context(), tx, r, storedChannels.ref(&ch), "test",
			[]string{"last_test_at", "last_test_error", "last_test_status"})
	})
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, r, errNotFound("notification channel %s was deleted during its test", id))
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// loadChannelForChange reads the channel named by the path for a change: it
// must exist and match If-Match.
func (s *Server) loadChannelForChange(ctx context.Context, tx *store.Tx, r *http.Request) (store.NotificationChannel, delivery.Channel, error) {
	ch, err := storedChannels.load(ctx, tx, r)
	if err != nil {
		return ch, delivery.Channel{}, err
	}
	config, err := s.openChannel(ch)
	return ch, config, err
}

// sealChannel encrypts a channel's configuration for storage.
func (s *Server) sealChannel(config delivery.Channel) ([]byte, error) {
	plain, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("encoding channel configuration: %w", err)
	}
	return s.sealer.Seal(plain)
}

// openChannel decrypts a stored channel's configuration.
func (s *Server) openChannel(ch store.NotificationChannel) (delivery.Channel, error) {
	plain, err := s.sealer.Open(ch.SealedConfig)
	if err != nil {
		return delivery.Channel{}, fmt.Errorf("opening configuration of channel %s: %w", ch.ID, err)
	}
	var config delivery.Channel
	if err := json.Unmarshal(plain, &config); err != nil {
		return delivery.Channel{}, fmt.Errorf("decoding configuration of channel %s: %w", ch.ID, err)
	}
	return config, nil
}

// channelView is the API representation of a stored channel, whose
// configuration it opens.
func (s *Server) channelView(_ context.Context, ch store.NotificationChannel) (apiv1.NotificationChannel, error) {
	config, err := s.openChannel(ch)
	return channelToWire(ch, config), err
}

// channelToWire converts a stored channel and its configuration into its API
// representation, with fingerprints in place of secrets.
func channelToWire(ch store.NotificationChannel, config delivery.Channel) apiv1.NotificationChannel {
	view := apiv1.NotificationChannel{
		ID: ch.ID, Name: ch.Name, Type: ch.Type, Enabled: ch.Enabled,
		LastTestAt: ch.LastTestAt, LastTestStatus: ch.LastTestStatus, LastTestError: ch.LastTestError,
		CreatedAt: ch.CreatedAt, UpdatedAt: ch.UpdatedAt, Version: ch.Version,
	}
	switch {
	case config.Webhook != nil:
		names := make([]string, 0, len(config.Webhook.Headers))
		for name := range config.Webhook.Headers {
			names = append(names, name)
		}
		slices.Sort(names)
		view.Webhook = &apiv1.WebhookSettings{
			URL: apiv1.MaskURL(config.Webhook.URL), URLFingerprint: apiv1.Fingerprint(config.Webhook.URL),
			URLHidden: config.Webhook.URLHidden, Host: apiv1.URLHost(config.Webhook.URL),
			HeaderNames: names, HeadersFingerprint: apiv1.HeadersFingerprint(config.Webhook.Headers),
			SigningSecretFingerprint: apiv1.Fingerprint(config.Webhook.SigningSecret),
		}
		if config.Webhook.URLHidden {
			view.Webhook.URL = ""
		}
	case config.Slack != nil:
		view.Slack = &apiv1.SlackSettings{Channel: config.Slack.Channel, WebhookURLFingerprint: apiv1.Fingerprint(config.Slack.WebhookURL)}
	case config.PagerDuty != nil:
		view.PagerDuty = &apiv1.PagerDutySettings{EventsURL: apiv1.MaskURL(config.PagerDuty.EventsURL),
			EventsURLFingerprint: apiv1.Fingerprint(config.PagerDuty.EventsURL), RoutingKeyFingerprint: apiv1.Fingerprint(config.PagerDuty.RoutingKey)}
	case config.Email != nil:
		view.Email = &apiv1.EmailSettings{Addresses: slices.Clone(config.Email.Addresses)}
	}
	return view
}
