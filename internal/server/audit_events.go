package server

import (
	"context"
	"net/http"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// audit records, in tx, that the request's caller did verb ("create",
// "update", "rotate", ...) to the object: the audit event of every kind.
// changed holds field names, never values.
func (s *Server) audit(ctx context.Context, tx *store.Tx, r *http.Request, object objectRef, verb string, changed []string) error {
	return s.recordAudit(ctx, tx, callerFrom(r.Context()).ID, requestIDFrom(r.Context()), object, verb, changed)
}

// recordAudit records, in tx, that the key actorKeyID did verb to the object
// in the request requestID. The event's action is "<object type>.<verb>",
// such as "api_key.rotate".
func (s *Server) recordAudit(ctx context.Context, tx *store.Tx, actorKeyID, requestID string, object objectRef, verb string, changed []string) error {
	if changed == nil {
		changed = []string{}
	}
	return tx.InsertAuditEvent(ctx, store.AuditEvent{
		ID: newID("evt"), Time: s.clock.Now(), ActorKeyID: actorKeyID, Action: object.typ + "." + verb,
		ObjectType: object.typ, ObjectID: object.id, RequestID: requestID, ChangedFields: changed,
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
	writeList(s, w, r, f, filter.Limit, func(limit int) ([]store.AuditEvent, error) {
		filter.Limit = limit
		return s.store.ListAuditEvents(r.Context(), filter)
	}, func(e store.AuditEvent) int64 { return e.Seq }, plain(eventToWire))
}

// eventToWire converts a stored audit event into its API representation.
func eventToWire(e store.AuditEvent) apiv1.AuditEvent {
	return apiv1.AuditEvent{
		ID: e.ID, Time: e.Time, ActorKeyID: e.ActorKeyID, Action: e.Action, ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, RequestID: e.RequestID, ChangedFields: e.ChangedFields,
	}
}
