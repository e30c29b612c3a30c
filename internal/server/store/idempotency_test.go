package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestIdempotencySQL proves the SQL of idempotency on both engines: a
// record put again with the same key replaces the first, an expired one is
// deleted, and the record of an idempotent create is forgotten when its
// object is revoked (the triggers of migration 15).
func TestIdempotencySQL(t *testing.T) { eachEngine(t, testIdempotencySQL) }

func testIdempotencySQL(t *testing.T, s *Store) {
	ctx := context.Background()
	rec := IdempotencyRecord{ActorKeyID: "key_actor", Key: "idem-1", RequestHash: []byte("h1"), Status: 201, ETag: `"1"`,
		SealedBody: []byte("sealed"), CreatedAt: t0}
	inTx(t, s, func(tx *Tx) error { return tx.PutIdempotencyRecord(ctx, rec) })
	rec.RequestHash, rec.Status = []byte("h2"), 200
	inTx(t, s, func(tx *Tx) error { return tx.PutIdempotencyRecord(ctx, rec) })
	inTx(t, s, func(tx *Tx) error {
		got, err := tx.GetIdempotencyRecord(ctx, "key_actor", "idem-1", t0.Add(-time.Hour))
		if err != nil || string(got.RequestHash) != "h2" || got.Status != 200 {
			t.Errorf("the record put twice reads %+v (%v), want the second", got, err)
		}
		return nil
	})
	inTx(t, s, func(tx *Tx) error {
		return tx.PutIdempotencyRecord(ctx, IdempotencyRecord{ActorKeyID: "key_actor", Key: "idem-2", RequestHash: []byte("h"),
			Status: 201, SealedBody: []byte("s"), CreatedAt: t0.Add(2 * time.Hour)})
	})
	if err := s.DeleteExpiredIdempotencyRecords(ctx, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	inTx(t, s, func(tx *Tx) error {
		if _, err := tx.GetIdempotencyRecord(ctx, "key_actor", "idem-1", t0.Add(-time.Hour)); !errors.Is(err, ErrNotFound) {
			t.Errorf("an expired record reads (%v), want it deleted", err)
		}
		if _, err := tx.GetIdempotencyRecord(ctx, "key_actor", "idem-2", t0.Add(-time.Hour)); err != nil {
			t.Errorf("a record that has not expired: %v, want it kept", err)
		}
		return nil
	})

	key := &APIKey{ID: "key_created", Name: "created", Scopes: []string{"keys:read"}, RotationDays: 90,
		SecretHash: []byte("hash-created"), SecretSource: "generated", CreatedAt: t0, UpdatedAt: t0, RotatedAt: t0, Version: 1}
	create := IdempotentCreate{ActorKeyID: "key_actor", Key: "idem-3", ObjectType: "api_key", ObjectID: key.ID, RequestHash: []byte("h"), CreatedAt: t0}
	inTx(t, s, func(tx *Tx) error {
		if err := tx.InsertAPIKey(ctx, key); err != nil {
			return err
		}
		if err := tx.PutIdempotentCreate(ctx, create); err != nil {
			return err
		}
		return tx.PutIdempotentCreate(ctx, create) // again: replaced, not doubled
	})
	if got, err := s.GetIdempotentCreate(ctx, "key_actor", "api_key", "idem-3"); err != nil || got.ObjectID != key.ID {
		t.Fatalf("GetIdempotentCreate = %+v, %v", got, err)
	}
	revoked := *key
	revoked.RevokedAt, revoked.Version = &t0, 2
	inTx(t, s, func(tx *Tx) error { return tx.UpdateAPIKey(ctx, revoked) })
	if _, err := s.GetIdempotentCreate(ctx, "key_actor", "api_key", "idem-3"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the create of a revoked key reads (%v), want it forgotten", err)
	}
}

// TestHeldBackWritesCommitWithTheirTransaction proves, on both engines, the
// writes a transaction does not read back (execLater: audit events,
// idempotency records), which PostgreSQL sends together before the next
// statement or the commit: the rows of one table keep the order of their
// inserts, a later read in the transaction sees them, and one that fails
// fails its transaction, naming what it was, with nothing of it committed.
func TestHeldBackWritesCommitWithTheirTransaction(t *testing.T) {
	eachEngine(t, testHeldBackWrites)
}

func testHeldBackWrites(t *testing.T, s *Store) {
	ctx := context.Background()
	event := func(id string) AuditEvent {
		return AuditEvent{ID: id, Time: t0, ActorKeyID: "key_actor", Action: "create", ObjectType: "api_key", ObjectID: "key_" + id}
	}
	rec := IdempotencyRecord{ActorKeyID: "key_actor", Key: "idem-held", RequestHash: []byte("h"), Status: 201,
		SealedBody: []byte("s"), CreatedAt: t0}
	inTx(t, s, func(tx *Tx) error {
		for _, id := range []string{"evt_1", "evt_2", "evt_3"} {
			if err := tx.InsertAuditEvent(ctx, event(id)); err != nil {
				return err
			}
		}
		if err := tx.PutIdempotencyRecord(ctx, rec); err != nil {
			return err
		}
		if _, err := tx.GetIdempotencyRecord(ctx, "key_actor", "idem-held", t0.Add(-time.Hour)); err != nil {
			t.Errorf("the transaction does not read its own idempotency record: %v", err)
		}
		return tx.InsertAuditEvent(ctx, event("evt_4"))
	})
	eventIDs := func(e AuditEvent) string { return e.ID }
	events, err := s.ListAuditEvents(ctx, AuditEventFilter{})
	got, err := ids(events, err, eventIDs)
	wantIDs(t, "audit events inserted in order", got, err, "evt_4", "evt_3", "evt_2", "evt_1")

	err = txErr(s, func(tx *Tx) error {
		if err := tx.InsertAuditEvent(ctx, event("evt_5")); err != nil {
			return err
		}
		return tx.PutIdempotencyRecord(ctx, IdempotencyRecord{ActorKeyID: "key_actor", Key: "idem-bad", Status: 201, CreatedAt: t0})
	})
	if err == nil || !strings.Contains(err.Error(), "storing idempotency record") {
		t.Fatalf("a record without its request hash (NOT NULL) committed or failed without naming it: %v", err)
	}
	events, err = s.ListAuditEvents(ctx, AuditEventFilter{})
	got, err = ids(events, err, eventIDs)
	wantIDs(t, "audit events after the failed transaction", got, err, "evt_4", "evt_3", "evt_2", "evt_1")
}
