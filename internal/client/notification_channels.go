package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

const notificationChannelsPath = "/v1/notification-channels"

// ListNotificationChannelsOptions filters ListNotificationChannels. Zero
// fields do not filter.
type ListNotificationChannelsOptions struct {
	// Type is one of apiv1.ChannelType*.
	Type string
	// Limit stops the listing after this many channels (0 = all).
	Limit int
}

// CreateNotificationChannel creates a notification channel (POST
// /v1/notification-channels). The returned channel holds fingerprints of its
// secrets, never the secrets.
func (c *Client) CreateNotificationChannel(ctx context.Context, req apiv1.CreateNotificationChannelRequest) (*apiv1.NotificationChannel, error) {
	return send[apiv1.NotificationChannel](ctx, c, http.MethodPost, notificationChannelsPath, req)
}

// GetNotificationChannel returns one notification channel (GET
// /v1/notification-channels/{id}); unknown ids yield ErrNotFound.
func (c *Client) GetNotificationChannel(ctx context.Context, id string) (*apiv1.NotificationChannel, error) {
	return sendTo[apiv1.NotificationChannel](ctx, c, http.MethodGet, notificationChannelsPath, id, nil)
}

// RefreshNotificationChannel returns the same as GetNotificationChannel,
// coalesced with other reads of channels (see refresh.go): for Terraform's
// refresh of many channels.
func (c *Client) RefreshNotificationChannel(ctx context.Context, id string) (*apiv1.NotificationChannel, error) {
	return c.notificationChannels.read(ctx, id)
}

// ListNotificationChannels returns every notification channel matching opts
// (GET /v1/notification-channels), following next_cursor to the last page
// or to opts.Limit channels.
func (c *Client) ListNotificationChannels(ctx context.Context, opts ListNotificationChannelsOptions) ([]apiv1.NotificationChannel, error) {
	q := url.Values{}
	setIf(q, "type", opts.Type)
	return listAll[apiv1.NotificationChannel](ctx, c, notificationChannelsPath, q, opts.Limit)
}

// UpdateNotificationChannel applies a merge patch to a notification channel
// (PATCH /v1/notification-channels/{id}). Secret fields left nil keep their
// stored values.
func (c *Client) UpdateNotificationChannel(ctx context.Context, id string, req apiv1.UpdateNotificationChannelRequest) (*apiv1.NotificationChannel, error) {
	return sendTo[apiv1.NotificationChannel](ctx, c, http.MethodPatch, notificationChannelsPath, id, req)
}

// DeleteNotificationChannel deletes a notification channel (DELETE
// /v1/notification-channels/{id}). A channel that alert rules use yields an
// *APIError with status 409 naming the rules.
func (c *Client) DeleteNotificationChannel(ctx context.Context, id string) error {
	return deleteObject(ctx, c, notificationChannelsPath, id)
}

// TestNotificationChannel sends a test notification through a channel and
// waits for the outcome (POST /v1/notification-channels/{id}/test). A failed
// delivery is a result with Status "failed", not an error.
func (c *Client) TestNotificationChannel(ctx context.Context, id string) (*apiv1.ChannelTestResult, error) {
	return sendTo[apiv1.ChannelTestResult](ctx, c, http.MethodPost, notificationChannelsPath, id, nil, "test")
}
