// Package store keeps the Keymate server's state in SQLite.
//
// Every kind of object follows the same pattern: one migration in
// migrations.go creates its table, and one file holds the small set of
// functions that read it (on Store) and change it (on Tx). A request's
// mutation, its audit event and its idempotency record are written in one Tx,
// so they are committed together or not at all.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// querier is what both *sql.DB and *sql.Tx offer, so that read helpers work
// inside and outside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store is the server's database.
type Store struct {
	db *sql.DB
}

// Tx is a write transaction. Transactions begin IMMEDIATE, so writers are
// serialised and a read followed by a write inside one Tx cannot race.
type Tx struct {
	tx *sql.Tx
}

// Open opens (creating if needed) the SQLite database at path, in WAL mode
// with foreign keys and a busy timeout, and applies pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	s := &Store{db: db}
	if err := s.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("migrating database %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("closing database: %w", err)
	}
	return nil
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise. fn's error is returned unchanged.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := fn(&Tx{tx: sqlTx}); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("committing transaction: %w", err)
	}
	return nil
}

// toNanos stores a time as Unix nanoseconds, which sort and compare in SQL.
func toNanos(t time.Time) int64 { return t.UnixNano() }

// fromNanos is the inverse of toNanos, in UTC.
func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// nullableNanos stores an optional time.
func nullableNanos(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: toNanos(*t), Valid: true}
}

// timeFromNullable reads an optional time.
func timeFromNullable(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromNanos(n.Int64)
	return &t
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("pinging database: %w", err)
	}
	return nil
}
