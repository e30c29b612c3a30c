package store

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
)

// Group commit. Every write transaction runs on one goroutine, the writer,
// on the one write connection. InTx hands its function to the writer, which
// runs all the calls waiting at that moment (at most maxGroup) in one SQLite
// transaction, each inside a savepoint of its own, and commits them
// together: one sync to disk for the group instead of one per call. A call
// whose function fails is rolled back to its savepoint alone and gets its
// error at once; the others get the outcome of the commit. Nothing is
// reported committed before the sync that makes it durable.
//
// The writer never waits to fill a group: calls that arrive while a group
// commits form the next one, so a lone call is committed at once and under
// load each sync covers many calls.

// maxGroup bounds how many calls one commit covers.
const maxGroup = 64

// errClosed is InTx's error once Close has been called.
var errClosed = errors.New("the database is closed")

// write is one InTx call waiting for the writer.
type write struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error // receives the call's outcome, exactly once
}

// InTx runs fn in a transaction: its changes are committed when fn returns
// nil, and rolled back when it returns an error, which InTx returns
// unchanged. A panic in fn is raised again in the caller. A call whose ctx
// is done before fn starts returns ctx's error without running fn; once fn
// has started, ctx no longer interrupts it (an interrupted statement would
// roll back the whole group), so InTx always reports whether the changes
// were committed.
//
// On PostgreSQL, fn may run more than once (see postgres.go).
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	if s.pg != nil {
		err = s.pgInTx(ctx, fn)
	} else {
		err = s.writeInGroup(ctx, fn)
	}
	var p *panicError
	if errors.As(err, &p) {
		panic(p)
	}
	return err
}

// writeInGroup hands fn to the writer and waits for its outcome.
func (s *Store) writeInGroup(ctx context.Context, fn func(tx *Tx) error) error {
	w := &write{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.writes <- w:
	case <-s.quit:
		return errClosed
	}
	return <-w.done
}

// panicError carries a panic of a transaction function to its caller.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string {
	return fmt.Sprintf("panic in a transaction: %v\n%s", p.value, p.stack)
}

// writer runs the waiting InTx calls in groups on c until Close, then
// closes c.
func (s *Store) writer(c *conn) {
	defer close(s.writerDone)
	defer func() { _ = c.close() }()
	for {
		var group []*write
		select {
		case w := <-s.writes:
			group = append(group, w)
		case <-s.quit:
			return
		}
	collect:
		for len(group) < maxGroup {
			select {
			case w := <-s.writes:
				group = append(group, w)
			default:
				break collect
			}
		}
		commitGroup(c, group)
	}
}

// commitGroup runs each call of group in its own savepoint of one
// transaction on c and commits the transaction, answering every call.
func commitGroup(c *conn, group []*write) {
	ctx := context.Background()
	if _, err := c.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		answer(group, fmt.Errorf("beginning transaction: %w", err))
		return
	}
	tx := &Tx{tx: c}
	var applied []*write
	for i, w := range group {
		if err := w.ctx.Err(); err != nil {
			w.done <- err
			continue
		}
		err, broken := runInSavepoint(ctx, c, tx, w.fn)
		if broken != nil { // the transaction is unusable: nothing of the group is committed
			_, _ = c.ExecContext(ctx, `ROLLBACK`)
			answer(applied, broken)
			answer(group[i:], broken)
			return
		}
		if err != nil {
			w.done <- err
			continue
		}
		applied = append(applied, w)
	}
	if _, err := c.ExecContext(ctx, `COMMIT`); err != nil {
		_, _ = c.ExecContext(ctx, `ROLLBACK`)
		answer(applied, fmt.Errorf("committing transaction: %w", err))
		return
	}
	answer(applied, nil)
}

// runInSavepoint runs fn inside a savepoint, releasing it when fn succeeds
// and rolling back to it when fn fails or panics; err is fn's error. broken
// is set when the savepoint itself failed, which leaves the transaction in
// an unknown state.
func runInSavepoint(ctx context.Context, c *conn, tx *Tx, fn func(*Tx) error) (err, broken error) {
	if _, err := c.ExecContext(ctx, `SAVEPOINT call`); err != nil {
		return nil, fmt.Errorf("beginning transaction: %w", err)
	}
	err = protect(tx, fn)
	if err != nil {
		if _, rbErr := c.ExecContext(ctx, `ROLLBACK TO call`); rbErr != nil {
			return err, fmt.Errorf("rolling back: %w (after: %w)", rbErr, err)
		}
	}
	if _, relErr := c.ExecContext(ctx, `RELEASE call`); relErr != nil {
		return err, fmt.Errorf("ending the savepoint: %w", relErr)
	}
	return err, nil
}

// protect calls fn, turning a panic into a *panicError.
func protect(tx *Tx, fn func(*Tx) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v, stack: debug.Stack()}
		}
	}()
	return fn(tx)
}

// answer sends err to every call of ws.
func answer(ws []*write, err error) {
	for _, w := range ws {
		w.done <- err
	}
}
