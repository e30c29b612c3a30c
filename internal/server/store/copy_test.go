package store

import (
	"context"
	"slices"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
)

// TestTablesListsEveryTable proves that the tables that CopyInto copies are
// every table the migrations create, on both engines, so that a new table
// is not left out of backups of PostgreSQL and of migrations between
// engines.
func TestTablesListsEveryTable(t *testing.T) { eachEngine(t, testTablesListsEveryTable) }

func testTablesListsEveryTable(t *testing.T, s *Store) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('schema_migrations', 'sqlite_sequence') ORDER BY name`
	if s.pg != nil {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY table_name`
	}
	got, err := queryAll(context.Background(), s.db, "listing tables", scanString, query)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Sorted(slices.Values(tables))
	if !slices.Equal(got, want) {
		t.Fatalf("the database has tables %v, CopyInto copies %v", got, want)
	}
}

// TestCopyIntoRefusesATargetThatIsNotEmpty proves that a copy never merges
// into a database that holds rows, and leaves it as it was.
func TestCopyIntoRefusesATargetThatIsNotEmpty(t *testing.T) {
	source := openTestStore(t)
	inTx(t, source, func(tx *Tx) error { return tx.AddSetting(context.Background(), "a", []byte("from the source")) })
	target := openPostgresStore(t, pgtest.URL(t))
	inTx(t, target, func(tx *Tx) error { return tx.AddSetting(context.Background(), "b", []byte("already here")) })
	if _, err := source.CopyInto(context.Background(), target); err == nil {
		t.Fatal("CopyInto into a database with rows succeeded")
	}
	var n int
	if err := target.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM server_settings`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the target has %d settings (%v), want its own 1", n, err)
	}
}
