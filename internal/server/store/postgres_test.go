package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
)

// The store on PostgreSQL as several servers share it: each Store below
// stands for a server of its own, with its own connections.

// TestServersStartingAtOnceMigrateOnce proves that servers opening one empty
// PostgreSQL database at the same moment all start, and that the database
// is migrated exactly once (the migration lock).
func TestServersStartingAtOnceMigrateOnce(t *testing.T) {
	url := pgtest.URL(t)
	const servers = 4
	stores := make([]*Store, servers)
	errs := make([]error, servers)
	var wg sync.WaitGroup
	for i := range servers {
		wg.Go(func() { stores[i], errs[i] = OpenPostgres(context.Background(), url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	var n, distinct int
	if err := stores[0].db.QueryRowContext(context.Background(), `SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != len(migrations) || distinct != len(migrations) {
		t.Fatalf("schema_migrations has %d rows (%d versions), want %d", n, distinct, len(migrations))
	}
}

// twoServers opens two stores on one new PostgreSQL database.
func twoServers(t *testing.T) [2]*Store {
	url := pgtest.URL(t)
	return [2]*Store{openPostgresStore(t, url), openPostgresStore(t, url)}
}

var errStale = errors.New("stale version")

// rendezvous makes its first n callers wait for each other, so that their
// transactions are open at once; later callers pass. n stays below a
// store's connections.
type rendezvous struct {
	mu    sync.Mutex
	n     int
	ready chan struct{}
}

func newRendezvous(n int) *rendezvous { return &rendezvous{n: n, ready: make(chan struct{})} }

func (r *rendezvous) wait() {
	r.mu.Lock()
	r.n--
	if r.n == 0 {
		close(r.ready)
	}
	waits := r.n >= 0
	r.mu.Unlock()
	if waits {
		<-r.ready
	}
}

// TestConditionalUpdatesOnTwoServersOneWins proves that 50 concurrent
// updates of one key, each taking the object's lock and then conditional on
// the version it read (as the server's If-Match is), split over two
// servers, leave exactly one winner: the others wait for the lock, then see
// the new version and refuse, as a 412.
func TestConditionalUpdatesOnTwoServersOneWins(t *testing.T) {
	stores := twoServers(t)
	k := &APIKey{ID: "key_race", Name: "race", Scopes: []string{"keys:read"}, RotationDays: 90,
		SecretHash: []byte("hash-race"), SecretSource: "generated", CreatedAt: t0, UpdatedAt: t0, RotatedAt: t0, Version: 1}
	inTx(t, stores[0], func(tx *Tx) error { return tx.InsertAPIKey(context.Background(), k) })

	const writers = 50
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			errs[i] = stores[i%2].InTx(context.Background(), func(tx *Tx) error {
				if err := tx.LockObject(context.Background(), k.ID); err != nil { // as the server's changes do
					return err
				}
				cur, err := tx.GetAPIKey(context.Background(), k.ID)
				if err != nil {
					return err
				}
				if cur.Version != 1 {
					return errStale
				}
				cur.Description = fmt.Sprint("writer ", i)
				cur.Version = 2
				cur.UpdatedAt = t0.Add(time.Minute)
				return tx.UpdateAPIKey(context.Background(), cur)
			})
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, errStale):
			t.Errorf("writer %d: %v, want success or a stale version", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d writers won, want exactly 1", won)
	}
	got, err := stores[1].GetAPIKey(context.Background(), k.ID)
	if err != nil || got.Version != 2 {
		t.Fatalf("the key reads version %d (%v) on the other server, want 2", got.Version, err)
	}
}

// TestANameTakenOnOneServerIsTakenOnTheOther proves that 20 concurrent
// creates of keys with one name, each checking that the name is free as
// the server does, split over two servers, the first ten of them open at
// once, create exactly one key.
func TestANameTakenOnOneServerIsTakenOnTheOther(t *testing.T) {
	stores := twoServers(t)
	errTaken := errors.New("name taken")
	const writers = 20
	errs := make([]error, writers)
	overlap := newRendezvous(10)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			errs[i] = stores[i%2].InTx(context.Background(), func(tx *Tx) error {
				taken, err := tx.NameInUse(context.Background(), "shared", "")
				if err != nil {
					return err
				}
				overlap.wait()
				if taken {
					return errTaken
				}
				id := fmt.Sprint("key_", i)
				return tx.InsertAPIKey(context.Background(), &APIKey{ID: id, Name: "shared", Scopes: []string{"keys:read"},
					RotationDays: 90, SecretHash: []byte("hash-" + id), SecretSource: "generated",
					CreatedAt: t0, UpdatedAt: t0, RotatedAt: t0, Version: 1})
			})
		})
	}
	wg.Wait()
	created := 0
	for i, err := range errs {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, errTaken):
			t.Errorf("writer %d: %v, want success or the name taken", i, err)
		}
	}
	keys, err := stores[1].ListAPIKeys(context.Background(), APIKeyFilter{Name: "shared"})
	if created != 1 || err != nil || len(keys) != 1 {
		t.Fatalf("%d creates succeeded and %d keys are named shared (%v), want 1 and 1", created, len(keys), err)
	}
}

// TestPgSQLTranslatesTheStoresDialect pins the translation of the SQLite
// functions the store uses and of placeholders, which a string literal
// keeps.
func TestPgSQLTranslatesTheStoresDialect(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT id FROM t WHERE id IN (SELECT value FROM json_each(?)) AND status = '?'`: `SELECT id FROM t WHERE id IN (SELECT value FROM json_array_elements_text(($1)::json) AS json_each(value)) AND status = '?'`,
		`SELECT 1 FROM json_each(k.scopes) WHERE json_each.value = ?`:                    `SELECT 1 FROM json_array_elements_text((k.scopes)::json) AS json_each(value) WHERE json_each.value = $1`,
		`SELECT json_group_array(channel_id) FROM c`:                                     `SELECT COALESCE(json_agg(channel_id), '[]')::text FROM c`,
		`SELECT 1 WHERE instr(name, ?) = 1 AND x > ? LIMIT ?`:                            `SELECT 1 WHERE strpos(name, $1) = 1 AND x > $2 LIMIT $3`,
	} {
		if got := pgSQL(in); got != want {
			t.Errorf("pgSQL(%q)\n = %q\nwant %q", in, got, want)
		}
	}
}
