package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func openTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "keymate.db"))
	return closedAtEnd(t, s, err)
}

// closedAtEnd fails t when opening a store failed (err), and otherwise
// returns s, closed when t ends.
func closedAtEnd(t *testing.T, s *Store, err error) *Store {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// insertName is a transaction function that records name as a migration
// row, a table every database has.
func insertName(version int, name string) func(tx *Tx) error {
	return func(tx *Tx) error {
		_, err := tx.tx.ExecContext(context.Background(), `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, 1000+version, name)
		return err
	}
}

func storedNames(t *testing.T, s *Store) []string {
	t.Helper()
	names, err := queryAll(context.Background(), s.db, "reading", scanString, `SELECT name FROM schema_migrations WHERE version >= 1000 ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestGroupCommitIsolatesEachCall runs one group of five calls, as the
// writer forms it under load, and proves that each call is all or nothing
// on its own: a call that fails after writing, or panics, leaves nothing,
// and is told so; a call whose context ended before its turn does not run;
// the others are committed together and told so.
func TestGroupCommitIsolatesEachCall(t *testing.T) {
	s := openTestStore(t)
	failure := errors.New("refused")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	ranCancelled := false
	group := []*write{
		{ctx: context.Background(), fn: insertName(1, "first")},
		{ctx: context.Background(), fn: func(tx *Tx) error {
			if err := insertName(2, "fails after writing")(tx); err != nil {
				return err
			}
			return failure
		}},
		{ctx: context.Background(), fn: func(tx *Tx) error {
			_ = insertName(3, "panics after writing")(tx)
			panic("boom")
		}},
		{ctx: cancelled, fn: func(tx *Tx) error { ranCancelled = true; return insertName(4, "cancelled")(tx) }},
		{ctx: context.Background(), fn: insertName(5, "last")},
	}
	for _, w := range group {
		w.done = make(chan error, 1)
	}
	var c *conn
	if err := s.InTx(context.Background(), func(tx *Tx) error { c = tx.tx.(*conn); return nil }); err != nil {
		t.Fatal(err)
	}
	commitGroup(c, group) // as the writer would, which is idle meanwhile

	outcomes := make([]error, len(group))
	for i, w := range group {
		outcomes[i] = <-w.done
	}
	if outcomes[0] != nil || outcomes[4] != nil {
		t.Errorf("the succeeding calls were told %v and %v, want nil", outcomes[0], outcomes[4])
	}
	if !errors.Is(outcomes[1], failure) {
		t.Errorf("the failing call was told %v, want its own error", outcomes[1])
	}
	var p *panicError
	if !errors.As(outcomes[2], &p) || p.value != "boom" {
		t.Errorf("the panicking call was told %v, want its panic", outcomes[2])
	}
	if !errors.Is(outcomes[3], context.Canceled) || ranCancelled {
		t.Errorf("the cancelled call was told %v (ran: %v), want context.Canceled without running", outcomes[3], ranCancelled)
	}
	if got, want := storedNames(t, s), []string{"first", "last"}; !slices.Equal(got, want) {
		t.Errorf("committed %v, want %v", got, want)
	}
}

// TestInTxFromManyGoroutines proves that concurrent calls, which the writer
// groups, are each committed exactly once, that a failing call's error and a
// panic reach their own caller, and that InTx fails after Close.
func TestInTxFromManyGoroutines(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "keymate.db"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.InTx(context.Background(), func(tx *Tx) error {
				if err := insertName(i, fmt.Sprint("call", i))(tx); err != nil {
					return err
				}
				if i%10 == 3 {
					return errors.New("refused")
				}
				return nil
			})
		})
	}
	wg.Go(func() {
		defer func() {
			if v := recover(); v == nil || !strings.Contains(v.(error).Error(), "boom") {
				t.Errorf("a panicking transaction function raised %v in its caller, want its panic", v)
			}
		}()
		_ = s.InTx(context.Background(), func(*Tx) error { panic("boom") })
	})
	wg.Wait()
	var want []string
	for i, err := range errs {
		switch {
		case i%10 == 3 && err == nil:
			t.Errorf("call %d: nil error, want its own", i)
		case i%10 != 3 && err != nil:
			t.Errorf("call %d: %v", i, err)
		case i%10 != 3:
			want = append(want, fmt.Sprint("call", i))
		}
	}
	if got := storedNames(t, s); !slices.Equal(got, want) {
		t.Errorf("committed %v, want %v", got, want)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(context.Background(), insertName(99, "late")); !errors.Is(err, errClosed) {
		t.Errorf("InTx after Close: %v, want errClosed", err)
	}
}
