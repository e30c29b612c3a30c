// Package server implements the Keymate API v1 over HTTP, storing its state in
// SQLite or in PostgreSQL, which several servers share (DESIGN.md, "PostgreSQL
// and replicas"). api/openapi.yaml is the contract it serves; the conformance test
// checks every request and response against it.
package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server/backup"
	"github.com/keymate/terraform-provider-keymate/internal/server/delivery"
	"github.com/keymate/terraform-provider-keymate/internal/server/destination"
	"github.com/keymate/terraform-provider-keymate/internal/server/metrics"
	"github.com/keymate/terraform-provider-keymate/internal/server/secret"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultRateLimit = 20
	DefaultRateBurst = 40
	// DefaultAuthFailureBurst is how many failed authentications a client
	// address may make at once.
	DefaultAuthFailureBurst = 10
	// DefaultAuthFailureInterval is how often a client address earns one
	// more failed authentication.
	DefaultAuthFailureInterval = 10 * time.Second
	// DefaultBackupCheckInterval is how often due backup schedules are run.
	DefaultBackupCheckInterval = time.Minute
)

// outcomeCapacity bounds the Recorder behind Outcomes.
const outcomeCapacity = 10000

// Config configures a Server.
type Config struct {
	// DataDir holds keymate.db and sealing.key, the key that seals the
	// secrets the server must keep (channel secrets, replayed responses).
	// It is created if missing.
	DataDir string
	// DatabaseURL, when set, names the PostgreSQL database (postgres:// or
	// postgresql://) that holds the server's state instead of SQLite in
	// DataDir; any number of servers may share it (--database-url). The
	// sealing key in DataDir must then be the same file on every server.
	DatabaseURL string
	// Clock tells the time for expiry, rotation, rate limiting and audit
	// events. Defaults to clock.Real.
	Clock clock.Clock
	// RateLimit is the sustained requests per second allowed per API key.
	RateLimit float64
	// RateBurst is the number of requests an API key may make at once.
	RateBurst int
	// AuthFailureBurst is the number of failed authentications (a secret
	// presented and refused) a client address may make at once; after them
	// its requests are refused with 429 before their secret is looked at.
	AuthFailureBurst int
	// AuthFailureInterval is how often a client address earns one more.
	AuthFailureInterval time.Duration
	// TrustedProxies are the addresses of the load balancers and reverse
	// proxies in front of the server (--trusted-proxies). A request whose
	// connection comes from one is counted against the client address that
	// X-Forwarded-For names (clientAddress) rather than the proxy's; from any
	// other address, X-Forwarded-For is ignored, since a client can send it.
	TrustedProxies []netip.Prefix
	// BootstrapAPIKey, when set and no active admin key exists, becomes the
	// secret of a new admin key named "bootstrap-admin".
	BootstrapAPIKey string
	// Logger receives request and error logs. Defaults to a discarding logger.
	Logger *slog.Logger
	// Destinations decides which addresses notification deliveries (HTTP
	// and SMTP) may connect to. The zero Policy denies loopback, private,
	// link-local, unique-local, multicast and unspecified addresses;
	// AllowPrivate and Allow (--allow-private-destinations,
	// --destination-allow) open them.
	Destinations destination.Policy
	// MetricsPublic serves /metrics without authentication; otherwise it
	// needs a key with the metrics:read scope (--metrics-public).
	MetricsPublic bool
	// SMTP is the relay that email notification channels send through
	// (STARTTLS required unless turned off; credentials only inside TLS);
	// a zero Addr makes email deliveries fail.
	SMTP delivery.SMTP
	// AlertEvalInterval is how often StartJobs evaluates alert rules.
	// Defaults to DefaultAlertEvalInterval.
	AlertEvalInterval time.Duration
	// DeliveryInterval is how often StartJobs sends the due alert
	// notifications of the outbox. Defaults to DefaultDeliveryInterval.
	DeliveryInterval time.Duration
	// BackupRoot is the directory that every backup schedule's destination
	// lies in. Defaults to the data directory's backups/. It is created if
	// missing.
	BackupRoot string
	// BackupEncryptionKey (backup.KeySize bytes) encrypts the backups of
	// schedules with encrypt set; without it such schedules are refused.
	BackupEncryptionKey []byte
	// BackupCheckInterval is how often StartJobs runs due backup schedules.
	// Defaults to DefaultBackupCheckInterval.
	BackupCheckInterval time.Duration
	// LeaderInterval is how often a server that does not lead tries to take
	// the lead of the servers of a PostgreSQL database, and the leader checks
	// that it still holds it. Defaults to DefaultLeaderInterval.
	LeaderInterval time.Duration
	// UsageFlushInterval is how often StartJobs writes what requests did
	// (FlushUsage). Defaults to DefaultUsageFlushInterval.
	UsageFlushInterval time.Duration
}

// Server serves the Keymate API.
type Server struct {
	clock                clock.Clock
	logger               *slog.Logger
	store                *store.Store
	sealer               *secret.Sealer
	limiter              limiter // per API key
	authFailures         limiter // refused secrets per client address
	trustedProxies       []netip.Prefix
	httpMetrics          *metrics.HTTP
	processMetrics       *prometheus.Registry // Go runtime, process and HTTP metrics
	outcomes             *metrics.Recorder
	tally                *outcomeTally // nil unless the database is shared (PostgreSQL)
	usage                *usageRecorder
	leadership           *store.Leadership
	generatedAdminSecret string
	sender               *delivery.Sender
	destinations         destination.Policy
	metricsPublic        bool
	handler              http.Handler
	jobs                 []job
	dataDir              string
	backupRoot           string
	hidePaths            *strings.Replacer
	backupKey            []byte
}

// New opens (creating and migrating if needed) the database in cfg.DataDir
// and makes sure an active admin key exists.
func New(cfg Config) (*Server, error) {
	cfg = withDefaults(cfg)
	if cfg.RateLimit <= 0 {
		return nil, fmt.Errorf("rate limit must be positive, got %v", cfg.RateLimit)
	}
	if cfg.RateBurst < 1 {
		return nil, fmt.Errorf("rate burst must be at least 1, got %d", cfg.RateBurst)
	}
	if cfg.AuthFailureBurst < 1 || cfg.AuthFailureInterval <= 0 {
		return nil, fmt.Errorf("the failed authentication limit needs a burst of at least 1 and a positive interval, got %d and %s",
			cfg.AuthFailureBurst, cfg.AuthFailureInterval)
	}
	if cfg.DataDir == "" {
		return nil, errors.New("data directory is required")
	}
	if err := cfg.SMTP.Check(); err != nil {
		return nil, err
	}
	if cfg.BackupEncryptionKey != nil && len(cfg.BackupEncryptionKey) != backup.KeySize {
		return nil, fmt.Errorf("the backup encryption key must be %d bytes, got %d", backup.KeySize, len(cfg.BackupEncryptionKey))
	}
	dataDir, backupRoot, err := prepareDirs(cfg.DataDir, cfg.BackupRoot)
	if err != nil {
		return nil, err
	}
	cfg.DataDir = dataDir
	sealer, err := secret.LoadOrCreateSealer(filepath.Join(cfg.DataDir, backup.SealerKeyFile))
	if err != nil {
		return nil, err
	}
	st, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		clock:          cfg.Clock,
		logger:         cfg.Logger,
		store:          st,
		sealer:         sealer,
		limiter:        newLimiter(st, cfg.Clock, cfg.Logger, "api_key_requests", cfg.RateLimit, cfg.RateBurst),
		authFailures:   newLimiter(st, cfg.Clock, cfg.Logger, "refused_secrets", 1/cfg.AuthFailureInterval.Seconds(), cfg.AuthFailureBurst),
		trustedProxies: cfg.TrustedProxies,
		httpMetrics:    metrics.NewHTTP(),
		processMetrics: prometheus.NewRegistry(),
		usage:          newUsageRecorder(),
		leadership:     st.Leadership(),
		dataDir:        dataDir,
		backupRoot:     backupRoot,
		hidePaths:      pathHider(dataDir, backupRoot),
		backupKey:      cfg.BackupEncryptionKey,
		destinations:   cfg.Destinations,
		metricsPublic:  cfg.MetricsPublic,
		sender: delivery.NewSender(delivery.Config{Clock: cfg.Clock, Destinations: cfg.Destinations,
			SMTP: cfg.SMTP}),
	}
	if st.Shared() { // outcomes go to the database, which every server reads
		s.tally = newOutcomeTally()
	} else {
		s.outcomes = metrics.NewRecorder(cfg.Clock, outcomeCapacity)
	}
	if err := errors.Join(s.checkSealingKey(context.Background()), s.bootstrap(context.Background(), cfg.BootstrapAPIKey)); err != nil {
		_ = st.Close()
		return nil, err
	}
	s.processMetrics.MustRegister(collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), s.httpMetrics, s.leaderGauge())
	s.handler = s.routes()
	s.addJob("leader election", cfg.LeaderInterval, s.Elect)
	if st.Shared() {
		// The evaluator flushes the leader's own outcomes itself; this job
		// writes those of every other server.
		s.addJob("outcome flush", DefaultOutcomeFlushInterval, s.flushOutcomes)
	}
	s.addLeaderJob("alert evaluation", cfg.AlertEvalInterval, s.evaluateAlerts)
	// After the evaluator, so that one RunJobs sends what it decided.
	s.addLeaderJob("notification delivery", cfg.DeliveryInterval, s.deliverNotifications)
	s.addLeaderJob("backup scheduler", cfg.BackupCheckInterval, s.runDueBackups)
	s.addLeaderJob("idempotency cleanup", idempotencyCleanupInterval, s.deleteExpiredIdempotencyRecords)
	if st.Shared() { // what only the database holds; memory limiters prune themselves
		s.addLeaderJob("rate limit pruning", bucketPruneInterval, s.forgetFullBuckets)
		s.addLeaderJob("outcome pruning", outcomePruneInterval, s.pruneOutcomes)
	}
	s.addJob("usage flush", cfg.UsageFlushInterval, s.FlushUsage)
	return s, nil
}

// openStore opens the PostgreSQL database of cfg.DatabaseURL, or else the
// SQLite database in cfg.DataDir.
func openStore(cfg Config) (*store.Store, error) {
	if cfg.DatabaseURL == "" {
		return store.Open(context.Background(), filepath.Join(cfg.DataDir, backup.DatabaseFile))
	}
	if !store.IsPostgresURL(cfg.DatabaseURL) {
		return nil, errors.New("the database URL must start with postgres:// or postgresql:// (PostgreSQL); leave it empty for SQLite in the data directory")
	}
	return store.OpenPostgres(context.Background(), cfg.DatabaseURL)
}

// prepareDirs creates the data directory and the backup root (by default
// the data directory's backups/) and returns both as absolute paths.
func prepareDirs(dataDir, backupRoot string) (string, string, error) {
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return "", "", fmt.Errorf("data directory: %w", err)
	}
	if backupRoot == "" {
		backupRoot = filepath.Join(dataDir, "backups")
	}
	if backupRoot, err = filepath.Abs(backupRoot); err != nil {
		return "", "", fmt.Errorf("backup root: %w", err)
	}
	for _, dir := range []string{dataDir, backupRoot} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", "", fmt.Errorf("creating %s: %w", dir, err)
		}
	}
	return dataDir, backupRoot, nil
}

// pathHider replaces the server's own directories in a message that the API
// answers with (a backup run's error), so that no answer shows a path of the
// host: a path under the backup root becomes relative to it, as destinations
// and backup files are named, and the directories themselves are named by
// their role. Links are resolved too, since errors may name either form.
func pathHider(dataDir, backupRoot string) *strings.Replacer {
	sep := string(filepath.Separator)
	var pairs []string
	for _, dir := range []struct{ path, role string }{{backupRoot, "the backup root"}, {dataDir, "the data directory"}} {
		forms := []string{dir.path}
		if real, err := filepath.EvalSymlinks(dir.path); err == nil && real != dir.path {
			forms = append(forms, real)
		}
		for _, p := range forms {
			pairs = append(pairs, p+sep, "", p, dir.role)
		}
	}
	return strings.NewReplacer(pairs...)
}

func withDefaults(cfg Config) Config {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg.RateLimit = cmp.Or(cfg.RateLimit, DefaultRateLimit)
	cfg.RateBurst = cmp.Or(cfg.RateBurst, DefaultRateBurst)
	cfg.AuthFailureBurst = cmp.Or(cfg.AuthFailureBurst, DefaultAuthFailureBurst)
	cfg.AuthFailureInterval = cmp.Or(cfg.AuthFailureInterval, DefaultAuthFailureInterval)
	cfg.AlertEvalInterval = cmp.Or(cfg.AlertEvalInterval, DefaultAlertEvalInterval)
	cfg.DeliveryInterval = cmp.Or(cfg.DeliveryInterval, DefaultDeliveryInterval)
	cfg.BackupCheckInterval = cmp.Or(cfg.BackupCheckInterval, DefaultBackupCheckInterval)
	cfg.UsageFlushInterval = cmp.Or(cfg.UsageFlushInterval, DefaultUsageFlushInterval)
	cfg.LeaderInterval = cmp.Or(cfg.LeaderInterval, DefaultLeaderInterval)
	return cfg
}

// Handler returns the HTTP handler serving the API.
func (s *Server) Handler() http.Handler { return s.handler }

// Close writes what requests did since the last flush (FlushUsage, and on
// PostgreSQL their outcomes, flushOutcomes) and closes the database. Stop serving requests and periodic jobs first;
// notifications not yet delivered stay in the outbox for the next start.
func (s *Server) Close() error {
	s.leadership.Resign()
	ctx := context.Background()
	return errors.Join(s.FlushUsage(ctx), s.flushOutcomes(ctx), s.store.Close())
}

// GeneratedAdminSecret returns the secret of the admin key that New generated
// on this start, or "" when New did not generate one. It is shown once to
// the operator and never stored.
func (s *Server) GeneratedAdminSecret() string { return s.generatedAdminSecret }

// Outcomes returns the recorder of this server's recent request outcomes,
// from which request rate, error rate, p99 latency, throttling and
// authentication failures over a window can be read. Alert rules read it on
// SQLite; on PostgreSQL, where it is nil, they read the outcomes of every
// server sharing the database instead (see summarize).
func (s *Server) Outcomes() *metrics.Recorder { return s.outcomes }
