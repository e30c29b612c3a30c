package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Prepared statements. SQLite compiles each statement's text before running
// it, and compiling costs more than running the store's short statements,
// so each distinct text is prepared once and kept. Query texts never embed
// values (ids lists are bound as one JSON array, see inIDs), so their number
// is bounded by the code; maxStatements is a guard all the same: past it, a
// new text runs unprepared.
const maxStatements = 512

// statements keeps the prepared statements of a pool or a connection.
type statements struct {
	prepare func(ctx context.Context, query string) (*sql.Stmt, error)
	mu      sync.Mutex
	m       map[string]*sql.Stmt
}

func newStatements(prepare func(ctx context.Context, query string) (*sql.Stmt, error)) *statements {
	return &statements{prepare: prepare, m: map[string]*sql.Stmt{}}
}

// get returns the prepared statement of query, or nil when it is not kept
// (the query then runs unprepared, which also reports a bad query).
func (s *statements) get(ctx context.Context, query string) *sql.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.m[query]; ok {
		return st
	}
	if len(s.m) >= maxStatements {
		return nil
	}
	st, err := s.prepare(ctx, query)
	if err != nil {
		return nil
	}
	s.m[query] = st
	return st
}

func (s *statements) close() error {
	var errs []error
	for _, st := range s.m {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}

// pool is the read pool with its prepared statements. database/sql prepares
// a statement again on each connection that runs it, at most readConns
// times.
type pool struct {
	db    *sql.DB
	stmts *statements
	text  func(query string) string // the query in the engine's dialect (pgSQL), nil on SQLite
}

func newPool(db *sql.DB, text func(string) string) *pool {
	p := &pool{db: db, text: text}
	p.stmts = newStatements(func(ctx context.Context, query string) (*sql.Stmt, error) {
		return db.PrepareContext(ctx, p.dialect(query))
	})
	return p
}

func (p *pool) dialect(query string) string {
	if p.text == nil {
		return query
	}
	return p.text(query)
}

func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmts.get(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, p.dialect(query), args...)
}

func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmts.get(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.db.QueryRowContext(ctx, p.dialect(query), args...)
}

func (p *pool) close() error { return errors.Join(p.stmts.close(), p.db.Close()) }

// conn is the write connection with its prepared statements; only the
// writer goroutine uses it. Its statements run without their context's
// cancellation: cancelling a statement interrupts SQLite, which rolls back
// the whole transaction, that is every call of a group.
type conn struct {
	c     *sql.Conn
	stmts *statements
}

func newConn(c *sql.Conn) *conn { return &conn{c: c, stmts: newStatements(c.PrepareContext)} }

func (c *conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = context.WithoutCancel(ctx)
	if st := c.stmts.get(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.c.ExecContext(ctx, query, args...)
}

func (c *conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = context.WithoutCancel(ctx)
	if st := c.stmts.get(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.c.QueryContext(ctx, query, args...)
}

func (c *conn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = context.WithoutCancel(ctx)
	if st := c.stmts.get(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.c.QueryRowContext(ctx, query, args...)
}

// script runs SQL text of several statements, which cannot be prepared as
// one (the migrations).
func (c *conn) script(ctx context.Context, sqlText string) error {
	_, err := c.c.ExecContext(context.WithoutCancel(ctx), sqlText)
	return err
}

// execLater runs a write whose outcome the transaction does not read; on
// SQLite, in the process, at once.
func (c *conn) execLater(ctx context.Context, what, query string, args ...any) error {
	if _, err := c.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func (c *conn) close() error { return errors.Join(c.stmts.close(), c.c.Close()) }
