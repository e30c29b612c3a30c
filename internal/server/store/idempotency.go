package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// IdempotencyRecord is the recorded response to a POST that carried an
// Idempotency-Key. SealedBody is encrypted because it may hold a generated
// secret that a retrying client must receive again.
type IdempotencyRecord struct {
	ActorKeyID  string
	Key         string
	RequestHash []byte
	Status      int
	ETag        string
	SealedBody  []byte
	CreatedAt   time.Time
}

// GetIdempotencyRecord returns the caller's record for key created at or
// after notBefore, or ErrNotFound.
func (tx *Tx) GetIdempotencyRecord(ctx context.Context, actorKeyID, key string, notBefore time.Time) (IdempotencyRecord, error) {
	r := IdempotencyRecord{ActorKeyID: actorKeyID, Key: key}
	var createdAt int64
	err := tx.tx.QueryRowContext(ctx, `SELECT request_hash, status, etag, sealed_body, created_at
		FROM idempotency_records WHERE actor_key_id = ? AND idempotency_key = ? AND created_at >= ?`,
		actorKeyID, key, toNanos(notBefore)).Scan(&r.RequestHash, &r.Status, &r.ETag, &r.SealedBody, &createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return IdempotencyRecord{}, ErrNotFound
	}
	if err != nil {
		return IdempotencyRecord{}, fmt.Errorf("reading idempotency record: %w", err)
	}
	r.CreatedAt = fromNanos(createdAt)
	return r, nil
}

// PutIdempotencyRecord stores r, replacing an expired record with the same
// key. Expired records are deleted apart (DeleteExpiredIdempotencyRecords):
// deleting them here made every create read the same range of the table,
// and so conflict with every concurrent create on PostgreSQL.
func (tx *Tx) PutIdempotencyRecord(ctx context.Context, r IdempotencyRecord) error {
	return tx.tx.execLater(ctx, "storing idempotency record", `INSERT INTO idempotency_records
		(actor_key_id, idempotency_key, request_hash, status, etag, sealed_body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (actor_key_id, idempotency_key) DO UPDATE SET
		request_hash = excluded.request_hash, status = excluded.status, etag = excluded.etag,
		sealed_body = excluded.sealed_body, created_at = excluded.created_at`,
		r.ActorKeyID, r.Key, r.RequestHash, r.Status, r.ETag, r.SealedBody, toNanos(r.CreatedAt))
}

// DeleteExpiredIdempotencyRecords deletes every record created before
// notBefore, which GetIdempotencyRecord no longer returns.
func (s *Store) DeleteExpiredIdempotencyRecords(ctx context.Context, notBefore time.Time) error {
	if _, err := s.exec(ctx, `DELETE FROM idempotency_records WHERE created_at < ?`, toNanos(notBefore)); err != nil {
		return fmt.Errorf("deleting expired idempotency records: %w", err)
	}
	return nil
}

// IdempotentCreate records that the POST of ActorKeyID with Idempotency-Key
// Key, whose hash (method, path and body) is RequestHash, created the object
// ObjectID of ObjectType. The record lives as long as the object: it is
// forgotten when the object is deleted or revoked.
type IdempotentCreate struct {
	ActorKeyID  string
	Key         string
	ObjectType  string
	ObjectID    string
	RequestHash []byte
	CreatedAt   time.Time
}

// PutIdempotentCreate stores c, replacing an earlier record of the same key.
func (tx *Tx) PutIdempotentCreate(ctx context.Context, c IdempotentCreate) error {
	return tx.tx.execLater(ctx, "storing idempotent create", `INSERT INTO idempotent_creates
		(actor_key_id, idempotency_key, object_type, object_id, request_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (actor_key_id, idempotency_key) DO UPDATE SET object_type = excluded.object_type,
		object_id = excluded.object_id, request_hash = excluded.request_hash, created_at = excluded.created_at`,
		c.ActorKeyID, c.Key, c.ObjectType, c.ObjectID, c.RequestHash, toNanos(c.CreatedAt))
}

// GetIdempotentCreate returns the record of the object of objectType that
// actorKeyID's POST with Idempotency-Key key created, or ErrNotFound when
// there is none (never created, or deleted or revoked since).
func (s *Store) GetIdempotentCreate(ctx context.Context, actorKeyID, objectType, key string) (IdempotentCreate, error) {
	c := IdempotentCreate{ActorKeyID: actorKeyID, Key: key, ObjectType: objectType}
	var createdAt int64
	err := s.db.QueryRowContext(ctx, `SELECT object_id, request_hash, created_at FROM idempotent_creates
		WHERE actor_key_id = ? AND idempotency_key = ? AND object_type = ?`,
		actorKeyID, key, objectType).Scan(&c.ObjectID, &c.RequestHash, &createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return IdempotentCreate{}, ErrNotFound
	}
	if err != nil {
		return IdempotentCreate{}, fmt.Errorf("reading idempotent create: %w", err)
	}
	c.CreatedAt = fromNanos(createdAt)
	return c, nil
}

// CreatedByRequest returns the id of a live object of objectType that
// actorKeyID created, with any Idempotency-Key, by a request whose hash is
// requestHash, or ErrNotFound.
func (tx *Tx) CreatedByRequest(ctx context.Context, actorKeyID, objectType string, requestHash []byte) (string, error) {
	var id string
	err := tx.tx.QueryRowContext(ctx, `SELECT object_id FROM idempotent_creates
		WHERE actor_key_id = ? AND request_hash = ? AND object_type = ? LIMIT 1`,
		actorKeyID, requestHash, objectType).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("reading idempotent create: %w", err)
	}
	return id, nil
}
