package client

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

const auditEventsPath = "/v1/audit-events"

// ListAuditEventsOptions filters ListAuditEvents. Zero fields do not filter.
type ListAuditEventsOptions struct {
	// Since and Until bound the event time.
	Since, Until *time.Time
	// ActorKeyID is the id of the API key that made the change.
	ActorKeyID string
	// ObjectType, ObjectID and Action select events about an object or of a
	// kind, for example "api_key", "key_...", "api_key.rotate".
	ObjectType, ObjectID, Action string
	// Limit caps the total number of events returned; 0 = all.
	Limit int
}

// ListAuditEvents returns the audit events matching opts, newest first
// (GET /v1/audit-events), following next_cursor until the end or opts.Limit.
func (c *Client) ListAuditEvents(ctx context.Context, opts ListAuditEventsOptions) ([]apiv1.AuditEvent, error) {
	if opts.Limit < 0 {
		return nil, fmt.Errorf("%s: Limit must be 0 (all) or more, got %d", auditEventsPath, opts.Limit)
	}
	q := url.Values{}
	if opts.Since != nil {
		q.Set("since", opts.Since.UTC().Format(time.RFC3339Nano))
	}
	if opts.Until != nil {
		q.Set("until", opts.Until.UTC().Format(time.RFC3339Nano))
	}
	setIf(q, "actor_key_id", opts.ActorKeyID)
	setIf(q, "object_type", opts.ObjectType)
	setIf(q, "object_id", opts.ObjectID)
	setIf(q, "action", opts.Action)
	return listAll[apiv1.AuditEvent](ctx, c, auditEventsPath, q, opts.Limit)
}
