package server

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// audit records, in tx, that the request's caller performed action on the
// object. changed holds field names, never values.
func (s *Server) audit(ctx context.Context, tx *store.Tx, r *http.Request, action, objectID string, changed []string) error {
	return tx.InsertAuditEvent(ctx, store.AuditEvent{
		ID: newID("evt"), Time: s.clock.Now(), ActorKeyID: callerFrom(r.Context()).ID,
		Action: action, ObjectType: objectTypeAPIKey, ObjectID: objectID,
		RequestID: requestIDFrom(r.Context()), ChangedFields: changed,
	})
}

func (s *Server) handleListAuditEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f fieldErrors
	filter := store.AuditEventFilter{
		ActorKeyID: q.Get("actor_key_id"), ObjectType: q.Get("object_type"),
		ObjectID: q.Get("object_id"), Action: q.Get("action"),
		Since: f.parseQueryTime(q, "since"), Until: f.parseQueryTime(q, "until"),
	}
	filter.Limit, filter.BeforeSeq = f.parsePage(q)
	if err := f.err(); err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	limit := filter.Limit
	filter.Limit++ // one more tells whether there is a next page
	events, err := s.store.ListAuditEvents(r.Context(), filter)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	data, cursor := pageOf(events, limit, func(e store.AuditEvent) int64 { return e.Seq }, eventToWire)
	writeJSON(w, http.StatusOK, apiv1.AuditEventList{Data: data, NextCursor: cursor})
}

// parseQueryTime reads an optional RFC 3339 query parameter.
func (f *fieldErrors) parseQueryTime(q url.Values, name string) *time.Time {
	raw := q.Get(name)
	if raw == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		f.add(name, "must be an RFC 3339 time such as \"2026-01-02T15:04:05Z\", got %q", raw)
		return nil
	}
	return &t
}

// eventToWire converts a stored audit event into its API representation.
func eventToWire(e store.AuditEvent) apiv1.AuditEvent {
	return apiv1.AuditEvent{
		ID: e.ID, Time: e.Time, ActorKeyID: e.ActorKeyID, Action: e.Action, ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, RequestID: e.RequestID, ChangedFields: e.ChangedFields,
	}
}
