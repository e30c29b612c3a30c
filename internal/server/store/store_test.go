package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
)

// TestMigrationsApplyOnceAndRecordEachStep proves that reopening a database
// applies no migration twice and records every step.
func TestMigrationsApplyOnceAndRecordEachStep(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keymate.db")
	for range 2 {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(migrations) {
			t.Fatalf("schema_migrations has %d rows, want %d", n, len(migrations))
		}
		var mode string
		if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal_mode = %q (%v), want wal", mode, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMain(m *testing.M) { pgtest.Main(m) }

// eachEngine runs test against a new, empty store of each engine: SQLite
// in a temporary directory, and PostgreSQL (skipped when there is none, see
// pgtest).
func eachEngine(t *testing.T, test func(t *testing.T, s *Store)) {
	t.Run("sqlite", func(t *testing.T) { test(t, openTestStore(t)) })
	t.Run("postgres", func(t *testing.T) { test(t, openPostgresStore(t, pgtest.URL(t))) })
}

// openPostgresStore opens the PostgreSQL database at url, closed when t ends.
func openPostgresStore(t *testing.T, url string) *Store {
	t.Helper()
	s, err := OpenPostgres(context.Background(), url)
	return closedAtEnd(t, s, err)
}
