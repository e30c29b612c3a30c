package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// reopen opens the database at path, or returns Open's error.
func reopen(t *testing.T, path string) (*Store, error) {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err == nil {
		t.Cleanup(func() { _ = s.Close() })
	}
	return s, err
}

// withMigration opens a fresh database at path and records version as
// applied, as a server that knew that migration would have.
func withMigration(t *testing.T, path string, version int) {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.exec(context.Background(), `INSERT INTO schema_migrations (version, name) VALUES (?, 'from elsewhere')`, version); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestMigrationsIncrease proves that the migrations the server ships are in
// order, and that a list that is not is refused before the database is
// touched.
func TestMigrationsIncrease(t *testing.T) {
	if err := checkOrder(migrations); err != nil {
		t.Fatalf("the shipped migrations: %v", err)
	}
	for name, versions := range map[string][]int{"descending": {1, 3, 2}, "repeated": {1, 2, 2}} {
		var ms []migration
		for _, v := range versions {
			ms = append(ms, migration{version: v, name: "m", sql: "SELECT 1"})
		}
		s := openTestStore(t)
		err := s.migrate(context.Background(), ms)
		if err == nil || !strings.Contains(err.Error(), "versions must increase") {
			t.Errorf("%s versions %v: migrate = %v, want a refusal", name, versions, err)
		}
	}
}

// TestOpenRefusesADatabaseNewerThanTheServer proves that a server does not
// run on a database that a newer server migrated (its schema may have
// changed in ways this one does not know): Open fails and says so.
func TestOpenRefusesADatabaseNewerThanTheServer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keymate.db")
	newer := migrations[len(migrations)-1].version + 1
	withMigration(t, path, newer)
	_, err := reopen(t, path)
	if err == nil || !strings.Contains(err.Error(), "newer than this keymate-server knows") {
		t.Fatalf("Open = %v, want a refusal naming the newer schema", err)
	}
}

// beyond returns the shipped migrations followed by one that creates table
// t<v> for each of versions, which lie beyond the shipped ones.
func beyond(versions ...int) []migration {
	ms := append([]migration{}, migrations...)
	for _, v := range versions {
		ms = append(ms, migration{version: v, name: fmt.Sprintf("t%d", v), sql: fmt.Sprintf("CREATE TABLE t%d (x INTEGER)", v)})
	}
	return ms
}

// TestARunRefusesAMigrationItDoesNotKnow proves that a database holding a
// migration the server lacks, though older than the newest it knows
// (another build's migration), is refused too.
func TestARunRefusesAMigrationItDoesNotKnow(t *testing.T) {
	eachEngine(t, testARunRefusesAMigrationItDoesNotKnow)
}

func testARunRefusesAMigrationItDoesNotKnow(t *testing.T, s *Store) {
	base := migrations[len(migrations)-1].version
	if err := s.migrate(context.Background(), beyond(base+100, base+102)); err != nil {
		t.Fatal(err)
	}
	err := s.migrate(context.Background(), beyond(base+102))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("has migration %d, which this keymate-server does not know", base+100)) {
		t.Fatalf("migrate = %v, want a refusal naming migration %d", err, base+100)
	}
}

// TestAMigrationInsertedInsteadOfAppendedIsRefused proves that a migration
// added below the database's newest migration is refused rather than run
// out of order on a database that already has the later ones.
func TestAMigrationInsertedInsteadOfAppendedIsRefused(t *testing.T) {
	eachEngine(t, testAMigrationInsertedInsteadOfAppendedIsRefused)
}

func testAMigrationInsertedInsteadOfAppendedIsRefused(t *testing.T, s *Store) {
	base := migrations[len(migrations)-1].version
	if err := s.migrate(context.Background(), beyond(base+100, base+102)); err != nil {
		t.Fatal(err)
	}
	err := s.migrate(context.Background(), beyond(base+100, base+101, base+102))
	if err == nil || !strings.Contains(err.Error(), "inserted into the list instead of appended") {
		t.Fatalf("migrate = %v, want a refusal of the inserted migration", err)
	}
	var n int
	if err := s.db.QueryRowContext(context.Background(), fmt.Sprintf(`SELECT COUNT(*) FROM t%d`, base+101)).Scan(&n); err == nil {
		t.Fatal("the refused migration ran: its table exists")
	}
}

// TestAnAppendedMigrationIsApplied proves the ordinary case: a database
// opened by a server with one more migration gets exactly that one.
func TestAnAppendedMigrationIsApplied(t *testing.T) { eachEngine(t, testAnAppendedMigrationIsApplied) }

func testAnAppendedMigrationIsApplied(t *testing.T, s *Store) {
	next := migration{version: migrations[len(migrations)-1].version + 1, name: "appended", sql: "CREATE TABLE appended (x INTEGER)"}
	if err := s.migrate(context.Background(), append(append([]migration{}, migrations...), next)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, next.version).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the appended migration was recorded %d times (%v), want once", n, err)
	}
}
