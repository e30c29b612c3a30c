// Package pgtest starts throwaway PostgreSQL clusters for tests: from the
// machine's server binaries (/usr/lib/postgresql/*/bin, or initdb on PATH),
// on a loopback port, in a directory of their own, as the postgres user when
// the tests run as root (the server refuses root), and stops them afterwards.
// KEYMATE_TEST_DATABASE_URL names an existing server instead; with neither,
// tests that need PostgreSQL are skipped.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// EnvURL names a PostgreSQL server for tests, instead of a throwaway cluster.
const EnvURL = "KEYMATE_TEST_DATABASE_URL"

// Cluster is a running throwaway cluster.
type Cluster struct {
	dir  string // holds the data directory, its socket and its log
	bin  string
	as   []string // the command prefix that runs a binary as the postgres user
	port int
	URL  string // the postgres database of the cluster, as its superuser
}

// BinDir returns the directory of the machine's newest PostgreSQL server
// binaries, or an error saying none was found.
func BinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no PostgreSQL server binaries (initdb) in /usr/lib/postgresql/*/bin or on PATH: install the postgresql package")
}

// version is the major version in /usr/lib/postgresql/N/bin.
func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Start initializes and starts a cluster on a free loopback port, tuned for
// tests: without fsync, which they do not need.
func Start(ctx context.Context) (*Cluster, error) { return start(ctx, false) }

// StartDurable starts a cluster that syncs each commit to disk, as a
// production server does, for benchmarks to compare with SQLite's
// synchronous=FULL.
func StartDurable(ctx context.Context) (*Cluster, error) { return start(ctx, true) }

func start(ctx context.Context, durable bool) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "keymate-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("running PostgreSQL as root is refused, and there is no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		c.as = []string{"runuser", "-u", "postgres", "--"}
	}
	if c.port, err = freePort(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := c.run(ctx, "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c max_connections=200", c.port, dir)
	if !durable {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	if err := c.run(ctx, "pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
	return c, nil
}

// Port is the cluster's loopback port.
func (c *Cluster) Port() int { return c.port }

// Stop stops the cluster and removes its files.
func (c *Cluster) Stop() error {
	err := c.run(context.Background(), "pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	return errors.Join(err, os.RemoveAll(c.dir))
}

// run runs one of the cluster's binaries as the postgres user.
func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	argv := append(append(append([]string{}, c.as...), filepath.Join(c.bin, name)), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...) //nolint:gosec // G204: the cluster's own binaries (BinDir), with this package's arguments.
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("%s: %w\n%s%s", name, err, out, log)
	}
	return nil
}

func freePort() (int, error) {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("a TCP listener has address %v", l.Addr())
	}
	return addr.Port, nil
}

// NewDatabase creates an empty database on the server of serverURL and
// returns its URL.
func NewDatabase(ctx context.Context, serverURL string) (string, error) {
	db, err := sql.Open("pgx", serverURL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "keymate_test_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("creating database %s: %w", name, err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// shared is the cluster of a test binary, started by the first URL call and
// stopped by Main.
var shared struct {
	once    sync.Once
	cluster *Cluster
	err     error
}

// URL returns the URL of a new, empty database for t: on the server of
// KEYMATE_TEST_DATABASE_URL, or else on the test binary's throwaway
// cluster (which the package's TestMain must stop with Main). It skips t
// when there is neither.
func URL(t testing.TB) string {
	t.Helper()
	server := os.Getenv(EnvURL)
	if server == "" {
		shared.once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			shared.cluster, shared.err = Start(ctx)
		})
		if shared.err != nil {
			t.Skipf("no PostgreSQL for this test (set %s, or install the postgresql package): %v", EnvURL, shared.err)
		}
		server = shared.cluster.URL
	}
	u, err := NewDatabase(context.Background(), server)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Main runs the tests of m and stops the cluster that URL started, if any.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// Cleanup stops the cluster that URL started, if any; a TestMain that does
// more than Main calls it after m.Run.
func Cleanup() {
	if shared.cluster != nil {
		if err := shared.cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the test PostgreSQL cluster:", err)
		}
		shared.cluster = nil
	}
}
