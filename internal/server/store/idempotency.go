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
// key, and deletes every record created before notBefore.
func (tx *Tx) PutIdempotencyRecord(ctx context.Context, r IdempotencyRecord, notBefore time.Time) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM idempotency_records WHERE created_at < ?`, toNanos(notBefore)); err != nil {
		return fmt.Errorf("deleting expired idempotency records: %w", err)
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT OR REPLACE INTO idempotency_records
		(actor_key_id, idempotency_key, request_hash, status, etag, sealed_body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.ActorKeyID, r.Key, r.RequestHash, r.Status, r.ETag, r.SealedBody, toNanos(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("storing idempotency record: %w", err)
	}
	return nil
}
