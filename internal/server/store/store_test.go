package store

import (
	"context"
	"path/filepath"
	"testing"
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
