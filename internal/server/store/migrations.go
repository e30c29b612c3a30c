package store

import (
	"context"
	"fmt"
)

// migration is one schema change. Migrations are applied in order and each is
// recorded in schema_migrations, so a database is migrated exactly once per
// step. Append new migrations; never edit or reorder applied ones.
type migration struct {
	version int
	name    string
	sql     string
}

var migrations = []migration{
	{
		version: 1,
		name:    "create api_keys",
		sql: `
CREATE TABLE api_keys (
	seq                        INTEGER PRIMARY KEY AUTOINCREMENT,
	id                         TEXT    NOT NULL UNIQUE,
	name                       TEXT    NOT NULL,
	description                TEXT    NOT NULL,
	scopes                     TEXT    NOT NULL,
	rotation_days              INTEGER NOT NULL,
	rotation_grace_ns          INTEGER NOT NULL,
	expires_at                 INTEGER,
	secret_hash                BLOB    NOT NULL UNIQUE,
	secret_source              TEXT    NOT NULL,
	previous_secret_hash       BLOB,
	previous_secret_expires_at INTEGER,
	created_at                 INTEGER NOT NULL,
	updated_at                 INTEGER NOT NULL,
	rotated_at                 INTEGER NOT NULL,
	last_used_at               INTEGER,
	revoked_at                 INTEGER,
	version                    INTEGER NOT NULL
);
CREATE UNIQUE INDEX api_keys_unrevoked_name ON api_keys (name) WHERE revoked_at IS NULL;
CREATE INDEX api_keys_previous_secret_hash ON api_keys (previous_secret_hash);`,
	},
	{
		version: 2,
		name:    "create audit_events",
		sql: `
CREATE TABLE audit_events (
	seq            INTEGER PRIMARY KEY AUTOINCREMENT,
	id             TEXT    NOT NULL UNIQUE,
	time           INTEGER NOT NULL,
	actor_key_id   TEXT    NOT NULL,
	action         TEXT    NOT NULL,
	object_type    TEXT    NOT NULL,
	object_id      TEXT    NOT NULL,
	request_id     TEXT    NOT NULL,
	changed_fields TEXT    NOT NULL
);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id);
CREATE INDEX audit_events_time ON audit_events (time);`,
	},
	{
		version: 3,
		name:    "create idempotency_records",
		sql: `
CREATE TABLE idempotency_records (
	actor_key_id    TEXT    NOT NULL,
	idempotency_key TEXT    NOT NULL,
	request_hash    BLOB    NOT NULL,
	status          INTEGER NOT NULL,
	etag            TEXT    NOT NULL,
	sealed_body     BLOB    NOT NULL,
	created_at      INTEGER NOT NULL,
	PRIMARY KEY (actor_key_id, idempotency_key)
);
CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at);`,
	},
}

// migrate applies every migration not yet recorded in schema_migrations, each
// in its own transaction together with its record.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name    TEXT NOT NULL
)`); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	for _, m := range migrations {
		if err := s.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// apply runs one migration unless it was applied before.
func (s *Store) apply(ctx context.Context, m migration) error {
	return s.InTx(ctx, func(tx *Tx) error {
		var n int
		err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n)
		if err != nil {
			return fmt.Errorf("checking migration %d: %w", m.version, err)
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("applying migration %d (%s): %w", m.version, m.name, err)
		}
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name); err != nil {
			return fmt.Errorf("recording migration %d: %w", m.version, err)
		}
		return nil
	})
}
