// Package servertest starts a real Keymate server on 127.0.0.1 for tests,
// backed by a temporary SQLite database and a manual clock, or several
// servers sharing a throwaway PostgreSQL database (StartReplicas).
package servertest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/destination"
)

// StartTime is where an Instance's manual clock starts.
var StartTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Default rate limit of test servers: high, so that tests are not throttled
// by a manual clock that never refills the bucket.
const (
	DefaultRateLimit = 1000
	DefaultRateBurst = 1000
)

// Instance is a running test server.
type Instance struct {
	// URL is the server's base URL, http://127.0.0.1:port. Restart changes it.
	URL string
	// AdminKey is the secret of the bootstrap admin key.
	AdminKey string
	// Clock is the server's clock when no WithClock option was given;
	// otherwise nil.
	Clock *clock.Manual
	// Server is the running server.
	Server *server.Server

	cfg    server.Config
	http   *httptest.Server
	closed bool

	// replicas are the servers behind the balancer when Start runs
	// replicas (EnvReplicas); Server is then the first of them.
	replicas []*Instance
}

// EnvReplicas, set to a number of 2 or more, makes Start run that many
// replicas on one throwaway PostgreSQL database behind a round-robin load
// balancer, whose URL the Instance has, so that every test written against
// one server runs against replicas too (make testacc-postgres).
const EnvReplicas = "KEYMATE_TEST_REPLICAS"

// Option configures Start.
type Option func(*server.Config)

// WithRateLimit sets the per-key rate limit.
func WithRateLimit(rps float64, burst int) Option {
	return func(c *server.Config) { c.RateLimit, c.RateBurst = rps, burst }
}

// WithClock replaces the manual clock, for example with clock.Real{} for
// tests of rate limit retries.
func WithClock(c clock.Clock) Option {
	return func(cfg *server.Config) { cfg.Clock = c }
}

// LoopbackDestinations is a destination policy that allows receivers on
// 127.0.0.0/8 and ::1, which the default policy denies, as
// --destination-allow 127.0.0.0/8,::1/128 does.
var LoopbackDestinations = destination.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}

// WithLoopbackDestinations gives the server LoopbackDestinations. Every test
// with a loopback receiver passes it.
func WithLoopbackDestinations() Option {
	return func(cfg *server.Config) { cfg.Destinations = LoopbackDestinations }
}

// WithBackupEncryptionKey gives the server a backup encryption key (32
// bytes), so that backup schedules may set encrypt.
func WithBackupEncryptionKey(key []byte) Option {
	return func(cfg *server.Config) { cfg.BackupEncryptionKey = key }
}

// WithBackupRoot sets the directory that backup destinations lie in.
func WithBackupRoot(dir string) Option {
	return func(cfg *server.Config) { cfg.BackupRoot = dir }
}

// Start starts a server with a fresh data directory and a bootstrap admin
// key, and stops it when the test ends.
//
// Under EnvReplicas it starts replicas behind a balancer instead.
func Start(t testing.TB, opts ...Option) *Instance {
	t.Helper()
	if n := replicaCount(); n >= 2 {
		return startBehindBalancer(t, n, opts...)
	}
	return startOne(t, opts...)
}

// replicaCount is EnvReplicas' number, 0 when unset.
func replicaCount() int {
	n, _ := strconv.Atoi(os.Getenv(EnvReplicas))
	return n
}

// Replicated reports whether Start runs replicas (EnvReplicas), for the
// assertions about one process's own figures (its /metrics HTTP counters,
// its request outcomes in memory), which each replica keeps for itself.
func Replicated() bool { return replicaCount() >= 2 }

// startBehindBalancer starts n replicas (StartReplicas) and a balancer in
// front of them, which the replicas trust to name the client
// (BalancerAddress).
func startBehindBalancer(t testing.TB, n int, opts ...Option) *Instance {
	t.Helper()
	trust := func(c *server.Config) { c.TrustedProxies = []netip.Prefix{BalancerAddress} }
	replicas := StartReplicas(t, n, append([]Option{trust}, opts...)...)
	front := &Instance{cfg: replicas[0].cfg, Clock: replicas[0].Clock, AdminKey: replicas[0].AdminKey,
		Server: replicas[0].Server, replicas: replicas}
	front.http = httptest.NewServer(newBalancer(func() []string {
		urls := make([]string, len(replicas))
		for i, r := range replicas {
			urls[i] = r.URL
		}
		return urls
	}))
	front.URL = front.http.URL
	front.RunJobs(t) // the first replica leads from the start, as a lone server does
	t.Cleanup(front.http.Close)
	return front
}

// BalancerAddress is the address a balancer (NewBalancer) connects to its
// backends from, which they list in Config.TrustedProxies. Tests that stand
// for other clients dial from other loopback addresses.
var BalancerAddress = netip.MustParsePrefix("127.0.0.1/32")

// startOne starts one server on SQLite.
func startOne(t testing.TB, opts ...Option) *Instance {
	t.Helper()
	manual := clock.NewManual(StartTime)
	cfg := server.Config{
		DataDir:   t.TempDir(),
		Clock:     manual,
		RateLimit: DefaultRateLimit,
		RateBurst: DefaultRateBurst,
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	i := &Instance{cfg: cfg}
	if cfg.Clock == clock.Clock(manual) {
		i.Clock = manual
	}
	i.start(t)
	i.AdminKey = i.Server.GeneratedAdminSecret()
	if i.AdminKey == "" {
		t.Fatal("servertest: the server did not generate an admin key")
	}
	t.Cleanup(func() { i.stop(t) })
	return i
}

// StartReplicas starts n servers on one new PostgreSQL database (see
// pgtest: the test is skipped without PostgreSQL, and the package's TestMain
// must call pgtest.Main), as replicas behind a load balancer run: they share
// the data directory's sealing key, the clock (when no WithClock option is
// given) and the bootstrap admin key, which the first one creates. Each
// stops when the test ends.
func StartReplicas(t testing.TB, n int, opts ...Option) []*Instance {
	t.Helper()
	url := pgtest.URL(t)
	first := startOne(t, append([]Option{func(c *server.Config) { c.DatabaseURL = url }}, opts...)...)
	replicas := []*Instance{first}
	for range n - 1 {
		i := &Instance{cfg: first.cfg, Clock: first.Clock, AdminKey: first.AdminKey}
		i.start(t)
		if i.Server.GeneratedAdminSecret() != "" {
			t.Fatal("servertest: a replica created a second bootstrap admin key")
		}
		t.Cleanup(func() { i.stop(t) })
		replicas = append(replicas, i)
	}
	return replicas
}

// Stop stops the server before the test ends, as a replica that is taken
// down; the test's end does not stop it again.
func (i *Instance) Stop(t testing.TB) {
	t.Helper()
	for _, r := range i.replicas {
		r.stop(t)
	}
	i.stop(t)
}

// Restart stops the server and starts a new one on the same data directory
// and clock, listening on a new port; i.URL and i.Server are updated.
//
// Replicas behind a balancer are restarted one after the other, and the
// balancer's URL stays.
func (i *Instance) Restart(t testing.TB) {
	t.Helper()
	if i.replicas != nil {
		for _, r := range i.replicas {
			r.Restart(t)
		}
		i.Server = i.replicas[0].Server
		i.RunJobs(t)
		return
	}
	i.stop(t)
	i.start(t)
}

func (i *Instance) start(t testing.TB) {
	t.Helper()
	srv, err := server.New(i.cfg)
	if err != nil {
		t.Fatalf("servertest: starting server: %v", err)
	}
	i.Server = srv
	i.http = httptest.NewServer(srv.Handler())
	i.URL = i.http.URL
	i.closed = false
}

func (i *Instance) stop(t testing.TB) {
	t.Helper()
	if i.closed {
		return
	}
	i.closed = true
	i.http.Close()
	if i.replicas != nil {
		return // the balancer: its replicas stop on their own
	}
	if err := i.Server.Close(); err != nil {
		t.Errorf("servertest: closing server: %v", err)
	}
}

// DatabaseURL is the PostgreSQL database of a replica (StartReplicas), ""
// on SQLite.
func (i *Instance) DatabaseURL() string { return i.cfg.DatabaseURL }

// DataDir returns the server's data directory.
func (i *Instance) DataDir() string { return i.cfg.DataDir }

// BackupRoot returns the directory the server writes backups under.
func (i *Instance) BackupRoot() string {
	if i.cfg.BackupRoot != "" {
		return i.cfg.BackupRoot
	}
	return filepath.Join(i.cfg.DataDir, "backups")
}

// BackupFile returns the path on disk of a backup run's file, which the API
// names relative to the backup root.
func (i *Instance) BackupFile(run apiv1.BackupRun) string {
	return filepath.Join(i.BackupRoot(), filepath.FromSlash(run.File))
}

// NewKey creates an API key holding scopes through the API, as the admin, and
// returns its id and generated secret.
func (i *Instance) NewKey(t testing.TB, scopes ...string) (id, secret string) {
	t.Helper()
	// No secret is sent: the server generates it.
	body, err := json.Marshal(apiv1.CreateAPIKeyRequest{Name: "servertest-" + randomSuffix(t), Scopes: scopes}) //nolint:gosec // G117: see above.
	if err != nil {
		t.Fatalf("servertest: encoding request: %v", err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, i.URL+"/v1/api-keys", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("servertest: building request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+i.AdminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("servertest: creating key: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		var env apiv1.ErrorEnvelope
		_ = json.NewDecoder(resp.Body).Decode(&env)
		t.Fatalf("servertest: creating key: status %d: %s", resp.StatusCode, env.Error.Message)
	}
	var key apiv1.APIKey
	if err := json.NewDecoder(resp.Body).Decode(&key); err != nil {
		t.Fatalf("servertest: decoding created key: %v", err)
	}
	return key.ID, key.Secret
}

func randomSuffix(t testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("servertest: reading random bytes: %v", err)
	}
	return hex.EncodeToString(b)
}

// RunJobs runs the server's periodic jobs (alert evaluation, due backups)
// once at the clock's current time; tests call it after moving the clock.
//
// Replicas behind a balancer first elect their leader (the first replica,
// unless another leads already), then each runs its jobs, the leader last,
// so that it sees what the others wrote.
func (i *Instance) RunJobs(t testing.TB) {
	t.Helper()
	servers := i.servers()
	if len(servers) > 1 {
		for _, srv := range servers {
			if err := srv.Elect(t.Context()); err != nil {
				t.Fatalf("electing the leader: %v", err)
			}
		}
	}
	for _, leaders := range []bool{false, true} {
		for _, srv := range servers {
			if srv.Leading() != leaders {
				continue
			}
			if err := srv.RunJobs(t.Context()); err != nil {
				t.Fatalf("running periodic jobs: %v", err)
			}
		}
	}
}

// FlushUsage writes what requests did on every server (server.FlushUsage),
// which servers do about once a minute.
func (i *Instance) FlushUsage(t testing.TB) {
	t.Helper()
	for _, srv := range i.servers() {
		if err := srv.FlushUsage(t.Context()); err != nil {
			t.Fatalf("flushing usage: %v", err)
		}
	}
}

// servers are the running servers: the replicas behind the balancer, or the
// one server.
func (i *Instance) servers() []*server.Server {
	if i.replicas == nil {
		return []*server.Server{i.Server}
	}
	var all []*server.Server
	for _, r := range i.replicas {
		if !r.closed {
			all = append(all, r.Server)
		}
	}
	return all
}
