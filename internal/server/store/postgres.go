package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
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
// PostgreSQL is written by many connections of many servers at once. Each
// transaction runs at READ COMMITTED, each statement seeing what others
// committed before it, and what must not race is guarded by PostgreSQL
// itself: a change of an existing object first takes that object's lock
// (Tx.LockObject), so that changes of one object, on any server, follow one
// another and each reads the version the previous one wrote (If-Match);
// unique names, secrets and idempotency keys are unique indexes, and a
// transaction that loses to a concurrent insert (a unique or foreign key
// violation, a deadlock) runs its function again from the start, when its
// own checks see the other's commit and answer as on SQLite (409, 412,
// 422). Transaction functions therefore only touch the database; they may
// run more than once. (SERIALIZABLE would need no locks, but its predicate
// locks on index pages made most of 32 concurrent creates conflict with
// each other, some 30 times in a row.)

// pgConns bounds each server's connections to PostgreSQL.
const pgConns = 16

// pgAttempts bounds how many times InTx runs a function whose transaction
// conflicted with another.
const pgAttempts = 30

// migrationLock is the advisory lock key under which a server migrates a
// PostgreSQL database, so that servers starting at once migrate it once.
const migrationLock = 0x6b65796d61746501 // "keymat" 0x01

// OpenPostgres connects to the PostgreSQL database at url (postgres:// or
// postgresql://) and applies pending migrations.
func OpenPostgres(ctx context.Context, databaseURL string) (*Store, error) {
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	db.SetMaxOpenConns(pgConns)
	db.SetMaxIdleConns(pgConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	lax, err := sql.Open("pgx", withoutSyncedCommits(databaseURL))
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("opening database: %w", err)
	}
	lax.SetMaxOpenConns(pgConns)
	lax.SetMaxIdleConns(pgConns)
	lax.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{pg: db, pgURL: databaseURL, db: newPool(db, pgSQL), lax: newPool(lax, pgSQL), quit: make(chan struct{})}
	if err := s.Ping(ctx); err != nil {
		_ = errors.Join(db.Close(), lax.Close())
		return nil, err
	}
	if err := s.migrate(ctx, migrations); err != nil {
		_ = errors.Join(db.Close(), lax.Close())
		return nil, fmt.Errorf("migrating database: %w", err)
	}
	return s, nil
}

// withoutSyncedCommits returns url with the setting that commits return
// before PostgreSQL has synced them (synchronous_commit off), for the
// statements whose loss in a crash of the database harms nothing: the token
// buckets of rate limits, which every request writes and which would
// otherwise wait for a disk sync each.
func withoutSyncedCommits(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return databaseURL // sql.Open of the synced pool has reported it
	}
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// Shared reports whether the store is a database that several servers may
// share (PostgreSQL), rather than one server's own (SQLite).
func (s *Store) Shared() bool { return s.pg != nil }

// IsPostgresURL reports whether url names a PostgreSQL database.
func IsPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// pgInTx runs fn in a READ COMMITTED transaction, again when the transaction
// conflicted with a concurrent one, at most pgAttempts times, after a
// random pause that grows with each attempt (retryPause).
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
		err := s.pgTx(ctx, sql.LevelReadCommitted, fn)
		if attempt == pgAttempts || !conflicted(err) {
			return err
		}
		time.Sleep(retryPause(attempt))
	}
}

// retryPause is how long InTx waits before running a function again after
// its attempt-th conflict: a random time up to 2^attempt ms, at most
// maxRetryPause (full jitter), so that transactions that conflicted spread
// out instead of conflicting again.
func retryPause(attempt int) time.Duration {
	ceiling := min(time.Millisecond<<min(attempt, 10), maxRetryPause)
	return time.Duration(rand.Int64N(int64(ceiling))) //nolint:gosec // G404: a pause's jitter, no secret.
}

// maxRetryPause caps retryPause.
const maxRetryPause = 50 * time.Millisecond

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
	c := &pgConn{tx: sqlTx}
	err = protect(&Tx{tx: c}, fn)
	if err == nil {
		err = c.flush(ctx)
	}
	if c.err != nil { // a write held back failed: what fn saw next was its consequence
		err = c.err
	}
	if err != nil {
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
// concurrent one, so that running it again may succeed: a unique key or a
// referenced row that a concurrent transaction inserted or deleted after
// this one checked (23505, 23503), a deadlock (40P01) or a serialization
// failure (40001).
func conflicted(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "23505", "23503", "40P01", "40001":
		return true
	}
	return false
}

// LockObject takes, until the transaction ends, the lock of the object
// with the given id, which every change of that object takes first (see
// above). On SQLite, whose writer runs one transaction at a time, it does
// nothing.
func (tx *Tx) LockObject(ctx context.Context, id string) error {
	if _, ok := tx.tx.(*pgConn); !ok {
		return nil
	}
	if _, err := tx.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, id); err != nil {
		return fmt.Errorf("locking %s: %w", id, err)
	}
	return nil
}

// pgConn is a PostgreSQL transaction as a Tx sees it. The writes whose
// outcome the transaction does not read (execLater) are held back and sent
// together, as one statement, before the next statement or the commit:
// each statement is a round trip, which costs the server and PostgreSQL
// about as much as the store's short statements themselves.
type pgConn struct {
	tx    *sql.Tx
	later []heldWrite
	err   error // the error of the held-back writes, once sent
}

// heldWrite is a write of execLater, in SQLite's dialect.
type heldWrite struct {
	what, query string
	args        []any
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	return c.tx.ExecContext(ctx, pgSQL(query), args...)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	return c.tx.QueryContext(ctx, pgSQL(query), args...)
}

// QueryRowContext runs the query after the held-back writes; when those
// failed, the transaction is aborted and so the query fails too, and pgTx
// reports the writes' error.
func (c *pgConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	_ = c.flush(ctx)
	return c.tx.QueryRowContext(ctx, pgSQL(query), args...)
}

// execLater holds an INSERT back until the next statement. An INSERT into
// a table that one held back inserts into too is sent after it, not with
// it, so that the rows of a table keep the order of their inserts (their
// sequence numbers).
func (c *pgConn) execLater(ctx context.Context, what, query string, args ...any) error {
	table := insertedTable(query)
	for _, w := range c.later {
		if insertedTable(w.query) == table {
			if err := c.flush(ctx); err != nil {
				return err
			}
			break
		}
	}
	c.later = append(c.later, heldWrite{what: what, query: query, args: args})
	return nil
}

// insertedTable returns the table of an "INSERT INTO table ..." statement.
func insertedTable(query string) string {
	if f := strings.Fields(query); len(f) > 2 && strings.EqualFold(f[0], "INSERT") && strings.EqualFold(f[1], "INTO") {
		return f[2]
	}
	panic("store: execLater takes an INSERT, not " + query)
}

// flush sends the held-back writes as one statement: each but the last as
// a data-modifying WITH query of the last. Each inserts into a table of its
// own, so that running them in one statement, which sees the database as
// it was before the statement and runs its parts in no given order, changes
// nothing of what they do.
func (c *pgConn) flush(ctx context.Context) error {
	if len(c.later) == 0 || c.err != nil {
		return c.err
	}
	later := c.later
	c.later = nil
	var query strings.Builder
	var args []any
	whats := make([]string, len(later))
	for i, w := range later {
		whats[i] = w.what
		args = append(args, w.args...)
		switch {
		case i == len(later)-1:
			query.WriteString(" " + w.query)
		case i == 0:
			fmt.Fprintf(&query, "WITH w%d AS (%s)", i, w.query)
		default:
			fmt.Fprintf(&query, ", w%d AS (%s)", i, w.query)
		}
	}
	if _, err := c.tx.ExecContext(ctx, pgSQL(query.String()), args...); err != nil {
		c.err = fmt.Errorf("%s: %w", strings.Join(whats, ", "), err)
	}
	return c.err
}

// script runs SQL text of several statements (without arguments, pgx sends
// it as one simple query).
func (c *pgConn) script(ctx context.Context, sqlText string) error {
	if err := c.flush(ctx); err != nil {
		return err
	}
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
