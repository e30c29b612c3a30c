package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// PostgreSQL. The store's SQL is written once, in SQLite's dialect, and
// translated for PostgreSQL when it is first run (pgSQL): placeholders are
// numbered, and the three SQLite functions the store uses are replaced by
// PostgreSQL's. Migrations are the exception: where the two engines' DDL
// differs, each migration carries PostgreSQL's own text.
//
// Where SQLite's writer serializes every write transaction in one process,
// PostgreSQL is written by many connections of many servers at once, so
// each transaction runs at isolation level SERIALIZABLE: a transaction that
// read what a concurrent one changed (an If-Match version, a name checked
// for uniqueness) fails with a serialization failure, and InTx runs its
// function again from the start, when it sees the other's commit and
// answers as it would have on SQLite (412, 409). Transaction functions
// therefore only touch the database; they may run more than once.

// pgConns bounds each server's connections to PostgreSQL.
const pgConns = 16

// pgAttempts bounds how many times InTx runs a function whose transaction
// conflicted with another.
const pgAttempts = 20

// migrationLock is the advisory lock key under which a server migrates a
// PostgreSQL database, so that servers starting at once migrate it once.
const migrationLock = 0x6b65796d61746501 // "keymat" 0x01

// OpenPostgres connects to the PostgreSQL database at url (postgres:// or
// postgresql://) and applies pending migrations.
func OpenPostgres(ctx context.Context, url string) (*Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	db.SetMaxOpenConns(pgConns)
	db.SetMaxIdleConns(pgConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{pg: db, pgURL: url, db: newPool(db, pgSQL), quit: make(chan struct{})}
	if err := s.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := s.migrate(ctx, migrations); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("migrating database: %w", err)
	}
	return s, nil
}

// Shared reports whether the store is a database that several servers may
// share (PostgreSQL), rather than one server's own (SQLite).
func (s *Store) Shared() bool { return s.pg != nil }

// IsPostgresURL reports whether url names a PostgreSQL database.
func IsPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// pgInTx runs fn in a SERIALIZABLE transaction, again when the transaction
// conflicted with a concurrent one, at most pgAttempts times, after a short
// random pause that grows with each attempt.
func (s *Store) pgInTx(ctx context.Context, fn func(tx *Tx) error) error {
	for attempt := 1; ; attempt++ {
		select {
		case <-s.quit:
			return errClosed
		default:
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		err := s.pgTx(ctx, sql.LevelSerializable, fn)
		if attempt == pgAttempts || !conflicted(err) {
			return err
		}
		time.Sleep(time.Duration(rand.Int64N(int64(attempt) * int64(time.Millisecond)))) //nolint:gosec // G404: a pause's jitter, no secret.
	}
}

// schemaTx runs fn, the migrations, in one transaction that holds the
// database's migration lock: on PostgreSQL an advisory lock, at READ
// COMMITTED so that a server that waited for it sees what the first one
// migrated; on SQLite the writer, which holds the database anyway.
func (s *Store) schemaTx(ctx context.Context, fn func(tx *Tx) error) error {
	if s.pg == nil {
		return s.InTx(ctx, fn)
	}
	return s.pgTx(ctx, sql.LevelReadCommitted, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("taking the migration lock: %w", err)
		}
		return fn(tx)
	})
}

// pgTx runs fn once in a transaction at the given isolation level. As on
// SQLite, ctx no longer interrupts fn once it has started, so that the
// caller always learns whether the changes were committed.
func (s *Store) pgTx(ctx context.Context, level sql.IsolationLevel, fn func(tx *Tx) error) error {
	ctx = context.WithoutCancel(ctx)
	sqlTx, err := s.pg.BeginTx(ctx, &sql.TxOptions{Isolation: level})
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := protect(&Tx{tx: pgConn{sqlTx}}, fn); err != nil {
		return errors.Join(err, ignoreDone(sqlTx.Rollback()))
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("committing transaction: %w", err)
	}
	return nil
}

// ignoreDone drops the error of rolling back a transaction that PostgreSQL
// already ended.
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// conflicted reports whether err says that the transaction lost to a
// concurrent one (a serialization failure or a deadlock), so that running it
// again may succeed. A unique key that a concurrent transaction inserted
// after this one checked for it is such a serialization failure: under
// SERIALIZABLE, PostgreSQL reports it as one, not as a unique violation.
func conflicted(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "40001", "40P01":
		return true
	}
	return false
}

// pgConn is a PostgreSQL transaction as a Tx sees it.
type pgConn struct{ tx *sql.Tx }

func (c pgConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.tx.ExecContext(ctx, pgSQL(query), args...)
}

func (c pgConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.tx.QueryContext(ctx, pgSQL(query), args...)
}

func (c pgConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.tx.QueryRowContext(ctx, pgSQL(query), args...)
}

// script runs SQL text of several statements (without arguments, pgx sends
// it as one simple query).
func (c pgConn) script(ctx context.Context, sqlText string) error {
	_, err := c.tx.ExecContext(ctx, sqlText)
	return err
}

// pgFunctions replace, in this order, the SQLite functions the store's SQL
// uses by PostgreSQL's: json_each over a JSON array (ids bound as one array,
// a key's scopes), json_group_array (a rule's channels, [] when none) and
// instr (a name prefix).
var pgFunctions = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`json_each\(([^()]*)\)`), `json_array_elements_text(($1)::json) AS json_each(value)`},
	{regexp.MustCompile(`json_group_array\(([^()]*)\)`), `COALESCE(json_agg($1), '[]')::text`},
	{regexp.MustCompile(`\binstr\(`), `strpos(`},
}

// pgTexts caches pgSQL's translations. Query texts never embed values, so
// their number is bounded by the code.
var pgTexts = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// pgSQL translates a query of the store from SQLite's dialect to
// PostgreSQL's.
func pgSQL(query string) string {
	pgTexts.Lock()
	defer pgTexts.Unlock()
	if t, ok := pgTexts.m[query]; ok {
		return t
	}
	t := query
	for _, f := range pgFunctions {
		t = f.re.ReplaceAllString(t, f.with)
	}
	t = numberPlaceholders(t)
	pgTexts.m[query] = t
	return t
}

// numberPlaceholders turns each ? outside a string literal into $1, $2 and
// so on.
func numberPlaceholders(query string) string {
	var b strings.Builder
	n, quoted := 0, false
	for _, r := range query {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
