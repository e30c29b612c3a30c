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
	"strings"
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

// scanner is what both *sql.Row and *sql.Rows offer.
type scanner interface {
	Scan(dest ...any) error
}

// queryOne runs a query for one row and reads it with scan. No row is
// ErrNotFound; every error is prefixed with what.
func queryOne[T any](ctx context.Context, q querier, what string, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	v, err := scan(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

// queryAll runs a query and reads every row with scan; every error is
// prefixed with what.
func queryAll[T any](ctx context.Context, q querier, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var all []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		all = append(all, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return all, nil
}

// checkOneRow turns a statement's error, or a row count other than one, into
// an error describing what was attempted.
func checkOneRow(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("%s: %d rows affected: %w", what, n, errors.Join(err, ErrNotFound))
	}
	return nil
}

// listQuery builds the query of a list: the rows meeting every condition
// added, newest first.
type listQuery struct {
	selectFrom string // "SELECT <columns> FROM <table>"
	seq        string // the sequence column, by which rows are ordered
	where      []string
	args       []any
}

// newListQuery starts a list query whose rows have a sequence below
// beforeSeq (the cursor), any when 0.
func newListQuery(selectFrom, seq string, beforeSeq int64) *listQuery {
	l := &listQuery{selectFrom: selectFrom, seq: seq}
	if beforeSeq > 0 {
		l.add(seq+" < ?", beforeSeq)
	}
	return l
}

// add adds a condition and the arguments of its placeholders.
func (l *listQuery) add(cond string, args ...any) {
	l.where = append(l.where, cond)
	l.args = append(l.args, args...)
}

// build returns the query and its arguments, returning at most limit rows
// (all when 0).
func (l *listQuery) build(limit int) (string, []any) {
	query := l.selectFrom
	if len(l.where) > 0 {
		query += " WHERE " + strings.Join(l.where, " AND ")
	}
	query += " ORDER BY " + l.seq + " DESC"
	args := l.args
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	return query, args
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
