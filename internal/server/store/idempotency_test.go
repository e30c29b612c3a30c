package store

import (
	"context"
	"errors"
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
