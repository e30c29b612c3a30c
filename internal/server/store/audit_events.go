package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEvent records one mutation. ChangedFields holds field names only.
type AuditEvent struct {
	Seq           int64
	ID            string
	Time          time.Time
	ActorKeyID    string
	Action        string
	ObjectType    string
	ObjectID      string
	RequestID     string
	ChangedFields []string
}

// AuditEventFilter selects audit events for ListAuditEvents. Zero fields do
// not filter.
type AuditEventFilter struct {
	Since      *time.Time // inclusive
	Until      *time.Time // exclusive
	ActorKeyID string
	ObjectType string
	ObjectID   string
	Action     string
	BeforeSeq  int64 // return events with Seq < BeforeSeq (the cursor)
	Limit      int   // 0 = no limit
}

// InsertAuditEvent stores an audit event.
func (tx *Tx) InsertAuditEvent(ctx context.Context, e AuditEvent) error {
	fields := e.ChangedFields
	if fields == nil {
		fields = []string{}
	}
	encoded, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("encoding changed fields: %w", err)
	}
	return tx.tx.execLater(ctx, "inserting audit event "+e.Action, `INSERT INTO audit_events
		(id, time, actor_key_id, action, object_type, object_id, request_id, changed_fields)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, toNanos(e.Time), e.ActorKeyID, e.Action, e.ObjectType, e.ObjectID, e.RequestID, string(encoded))
}

// ListAuditEvents returns up to f.Limit events, newest first.
func (s *Store) ListAuditEvents(ctx context.Context, f AuditEventFilter) ([]AuditEvent, error) {
	l := newListQuery(`SELECT seq, id, time, actor_key_id, action, object_type, object_id, request_id, changed_fields FROM audit_events`,
		"seq", f.BeforeSeq)
	if f.Since != nil {
		l.add("time >= ?", toNanos(*f.Since))
	}
	if f.Until != nil {
		l.add("time < ?", toNanos(*f.Until))
	}
	for _, eq := range []struct{ column, value string }{
		{"actor_key_id", f.ActorKeyID}, {"object_type", f.ObjectType}, {"object_id", f.ObjectID}, {"action", f.Action},
	} {
		if eq.value != "" {
			l.add(eq.column+" = ?", eq.value)
		}
	}
	query, args := l.build(f.Limit)

	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("listing audit events: %w", err)
	}
	defer rows.Close()
	var events []AuditEvent
	for rows.Next() {
		var (
			e      AuditEvent
			at     int64
			fields string
		)
		if err := rows.Scan(&e.Seq, &e.ID, &at, &e.ActorKeyID, &e.Action, &e.ObjectType, &e.ObjectID, &e.RequestID, &fields); err != nil {
			return nil, fmt.Errorf("listing audit events: %w", err)
		}
		e.Time = fromNanos(at)
		if err := json.Unmarshal([]byte(fields), &e.ChangedFields); err != nil {
			return nil, fmt.Errorf("decoding changed fields of audit event %s: %w", e.ID, err)
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing audit events: %w", err)
	}
	return events, nil
}
