// Package store keeps the Keymate server's state in SQLite, the embedded
// default, or in PostgreSQL (postgres.go), which several servers can share.
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
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// querier is what both the read pool and a transaction's connection offer,
// so that read helpers work inside and outside a transaction.
type querier interface {
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

// addIDs restricts the rows to those whose column holds one of ids; no ids,
// no restriction.
func (l *listQuery) addIDs(column string, ids []string) {
	if len(ids) > 0 {
		l.add(column+" IN "+inIDs, idList(ids))
	}
}

// inIDs is the right side of "column IN" for a list of ids bound as one
// JSON array (idList), so that a query's text, and its prepared statement,
// do not depend on how many ids it names.
const inIDs = "(SELECT value FROM json_each(?))"

// idList binds ids for inIDs.
func idList(ids []string) string {
	b, _ := json.Marshal(ids) // a []string always encodes
	return string(b)
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

// Store is the server's database: a pool of read-only connections for
// reads, and one connection, owned by the writer goroutine, for every write.
//
// SQLite lets one writer at a time hold the database. Were writers to take
// turns inside SQLite, a writer that finds the database busy would poll it,
// sleeping between tries (busy_timeout), and under concurrent writes some
// would wait hundreds of milliseconds while the database sat idle. With one
// write connection, writers queue in Go instead, and the writer commits them
// in groups (writer.go); in WAL mode readers never wait for the writer.
//
// Both sides keep their statements prepared (statements.go): parsing SQL
// would otherwise be a third of the server's work.
type Store struct {
	db    *pool   // reads; on SQLite query_only, so that a write through it fails loudly
	w     *sql.DB // SQLite: holds the write connection
	dsn   string  // SQLite: the data source name of writes, for connections of their own (SnapshotInto)
	pg    *sql.DB // PostgreSQL: the pool that reads and transactions share; nil on SQLite
	pgURL string  // PostgreSQL: the database's URL, for connections of their own (Leadership)
	lax   *pool   // PostgreSQL: connections whose commits do not wait for a disk sync (TakeToken)

	writes     chan *write   // InTx calls waiting for the writer (see writer.go)
	quit       chan struct{} // closed by Close: the writer stops
	writerDone chan struct{} // closed when the writer has stopped
}

// Tx is a write transaction, one InTx call's part of a group commit (see
// writer.go): a read followed by a write inside one Tx cannot race.
type Tx struct {
	tx txConn
}

// txConn is what a transaction runs its statements on: SQLite's write
// connection (conn), or a PostgreSQL transaction (pgConn).
type txConn interface {
	querier
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	script(ctx context.Context, sqlText string) error // SQL text of several statements
	// execLater runs a write whose outcome the transaction does not read,
	// now or, on PostgreSQL, with the transaction's next statement; its
	// error, prefixed with what, may come from a later statement or the
	// commit instead.
	execLater(ctx context.Context, what, query string, args ...any) error
}

// readConns is the size of the read pool: enough for the cores to share
// reads, few enough that each connection's prepared statements are reused.
const readConns = 8

// Open opens (creating if needed) the SQLite database at path, in WAL mode
// with foreign keys and a busy timeout, and applies pending migrations.
// Every commit is synced to disk (synchronous FULL), so that a committed
// change survives a crash of the process or of the machine.
func Open(ctx context.Context, path string) (*Store, error) {
	dsn := func(extra ...string) string {
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "foreign_keys(ON)")
		q.Add("_pragma", "synchronous(FULL)")
		for _, pragma := range extra {
			q.Add("_pragma", pragma)
		}
		return "file:" + path + "?" + q.Encode()
	}
	s := &Store{dsn: dsn(), writes: make(chan *write), quit: make(chan struct{}), writerDone: make(chan struct{})}
	w, err := sql.Open("sqlite", s.dsn)
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	wc, err := w.Conn(ctx)
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn("query_only(1)"))
	if err != nil {
		_ = errors.Join(wc.Close(), w.Close())
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	db.SetMaxOpenConns(readConns)
	db.SetMaxIdleConns(readConns)
	s.db, s.w = newPool(db, nil), w
	go s.writer(newConn(wc))
	if err := s.migrate(ctx, migrations); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("migrating database %s: %w", path, err)
	}
	return s, nil
}

// Close stops the writer and closes the database. A later InTx fails.
func (s *Store) Close() error {
	close(s.quit)
	if s.pg != nil {
		if err := errors.Join(s.db.close(), s.lax.close()); err != nil {
			return fmt.Errorf("closing database: %w", err)
		}
		return nil
	}
	<-s.writerDone
	if err := errors.Join(s.db.close(), s.w.Close()); err != nil {
		return fmt.Errorf("closing database: %w", err)
	}
	return nil
}

// exec runs one write statement in a transaction of its own.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		res, err = tx.tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
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
	if err := s.db.db.PingContext(ctx); err != nil {
		return fmt.Errorf("pinging database: %w", err)
	}
	return nil
}

// insert runs an INSERT of a row into a table with a seq column and returns
// the row's seq.
func (tx *Tx) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var seq int64
	err := tx.tx.QueryRowContext(ctx, query+` RETURNING seq`, args...).Scan(&seq)
	return seq, err
}
