// Command keymate-server serves the Keymate API from a SQLite database, or
// from a PostgreSQL database that several servers share (--database-url).
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/net/netutil"

	"github.com/keymate/terraform-provider-keymate/internal/buildinfo"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/delivery"
	"github.com/keymate/terraform-provider-keymate/internal/server/destination"
)

// version is set at build time with -ldflags "-X main.version=..." to the
// VERSION file's version (see the GNUmakefile), like the provider's; without
// it the build info's module version is reported (buildinfo.Version).
var version string

// shutdownTimeout bounds how long in-flight requests may take to finish.
const shutdownTimeout = 15 * time.Second

// Defaults of the connection limits, and the fixed ones.
const (
	defaultReadTimeout    = 30 * time.Second
	defaultWriteTimeout   = 60 * time.Second // above the ~16 s a channel test may take
	defaultIdleTimeout    = 60 * time.Second
	defaultMaxConnections = 512
	// maxReadHeaderTimeout bounds the time to send a request's headers,
	// below the read timeout when that is shorter.
	maxReadHeaderTimeout = 10 * time.Second
	// maxHeaderBytes bounds a request's headers; the API's are small.
	maxHeaderBytes = 64 << 10
)

// connLimits bound what one client can hold on to: the time to send a
// request (headers and body), to take a response, to keep an idle
// keep-alive connection, and the number of connections served at once
// (more wait to be accepted), so that slow or idle clients cannot exhaust
// the server's file descriptors.
type connLimits struct {
	readTimeout    time.Duration
	writeTimeout   time.Duration
	idleTimeout    time.Duration
	maxConnections int
}

// check names the first flag holding a value that is not positive.
func (l connLimits) check() error {
	for _, d := range []struct {
		flag  string
		value time.Duration
	}{{"--read-timeout", l.readTimeout}, {"--write-timeout", l.writeTimeout}, {"--idle-timeout", l.idleTimeout}} {
		if d.value <= 0 {
			return fmt.Errorf("%s must be positive, got %s", d.flag, d.value)
		}
	}
	if l.maxConnections < 1 {
		return fmt.Errorf("--max-connections must be at least 1, got %d", l.maxConnections)
	}
	return nil
}

func main() {
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

// runMain runs the command args name (the server, or restore) and returns
// the process's exit code: 0 on success and after -h or --help, 2 for bad
// flags, 1 for any other failure.
func runMain(args []string, stdout, stderr io.Writer) int {
	command := run
	if len(args) > 0 {
		switch args[0] {
		case "restore":
			command, args = runRestore, args[1:]
		case "migrate":
			command, args = runMigrate, args[1:]
		}
	}
	err := command(args, stdout, stderr)
	var usageErr *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usageErr):
		return 2 // parseFlags has printed the error and the usage
	default:
		fmt.Fprintln(stderr, "keymate-server:", err)
		return 1
	}
}

// mainUsage introduces the server's flags in its usage text.
const mainUsage = `Usage:
  keymate-server [flags]            serve the Keymate API
  keymate-server restore [flags]    restore a backup into a new data directory
                                    (keymate-server restore -h for its flags)
  keymate-server migrate [flags]    copy a SQLite install into PostgreSQL
                                    (keymate-server migrate -h for its flags)
  keymate-server --version          print the version

Every flag can also be set by the environment variable named after it
(--smtp-addr is KEYMATE_SMTP_ADDR); a flag on the command line wins.
Secrets come only from the environment, or from files that flags name
(--bootstrap-api-key-file, --backup-encryption-key-file, --smtp-password-file):
  ` + bootstrapKeyEnv + `      the admin key to create when no active admin key
                                 exists; else one is generated and printed once
  ` + backupKeyEnv + `  the key that encrypts backups
  ` + smtpPasswordEnv + `          the password of --smtp-username

Flags:
`

// usageError is a flag the command could not parse; parseFlags has already
// reported it with the usage.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// parseFlags parses args into flags, then sets the flags args left out
// from their environment variables. On -h or --help it prints intro and the
// flags' defaults and variables to stdout and returns flag.ErrHelp; on a bad
// flag it prints the error and the same usage to stderr and returns a
// *usageError; a bad environment variable is an error naming it.
func parseFlags(flags *flag.FlagSet, intro string, args []string, stdout, stderr io.Writer) error {
	flags.SetOutput(stderr) // where the flag package reports a bad flag
	flags.Usage = func() {} // printed below, to stdout when asked for
	describeEnv(flags)
	err := flags.Parse(args)
	if err == nil {
		return applyEnv(flags, os.LookupEnv)
	}
	out := stderr
	if errors.Is(err, flag.ErrHelp) {
		out = stdout
	}
	fmt.Fprint(out, intro)
	flags.SetOutput(out)
	flags.PrintDefaults()
	flags.SetOutput(stderr)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return &usageError{err}
}

func run(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("keymate-server", flag.ContinueOnError)
	showVersion := flags.Bool(versionFlag, false, "print the version and exit")
	listen := flags.String("listen", "127.0.0.1:8080", "address to listen on; port 0 picks a free port")
	dataDir := flags.String("data-dir", "./.keymate", "directory holding the SQLite database and the sealing key (sealing.key, which every server of one PostgreSQL database needs a copy of)")
	databaseURL := flags.String("database-url", "", "PostgreSQL database (postgres://user@host:port/db) that any number of servers share; empty keeps the state in SQLite in --data-dir. Give a password through the environment variable or a ~/.pgpass file, not on the command line")
	bootstrapKeyFile := flags.String("bootstrap-api-key-file", "", "file holding the secret of the admin key to create when no active admin key exists; overrides "+bootstrapKeyEnv)
	logFormat := choiceFlag(flags, "log-format", logFormatText, "`format` of the log on stderr", logFormats...)
	logLevel := choiceFlag(flags, "log-level", "info", "least severe `level` logged", logLevels...)
	rateLimit := flags.Float64("rate-limit", server.DefaultRateLimit, "requests per second allowed per API key")
	rateBurst := flags.Int("rate-burst", server.DefaultRateBurst, "requests an API key may make at once")
	authFailureBurst := flags.Int("auth-failure-burst", server.DefaultAuthFailureBurst, "refused API keys a client address may present at once; then it gets 429 until it earns another attempt")
	authFailureInterval := flags.Duration("auth-failure-interval", server.DefaultAuthFailureInterval, "how often a client address earns one more attempt after refused API keys")
	trustedProxies := flags.String("trusted-proxies", "", "comma-separated CIDR blocks of the load balancers and reverse proxies in front of the server, whose X-Forwarded-For names the client address that refused API keys count against; from any other address the header is ignored")
	smtpAddr := flags.String("smtp-addr", "", "host:port of the SMTP relay for email notification channels; empty disables email")
	smtpFrom := flags.String("smtp-from", delivery.DefaultSMTPFrom, "sender address of notification emails")
	smtpStartTLS := choiceFlag(flags, "smtp-starttls", delivery.StartTLSRequire, "`mode` of the SMTP relay's connection: require upgrades it with STARTTLS and verifies the relay's certificate before sending anything, off sends mail (never credentials) in clear", delivery.StartTLSModes...)
	smtpCAFile := flags.String("smtp-ca-file", "", "PEM file of the certificates that verify the SMTP relay, instead of the system's roots")
	smtpUsername := flags.String("smtp-username", "", "username for AUTH PLAIN at the SMTP relay, sent only inside TLS; the password comes from "+smtpPasswordEnv+" or --smtp-password-file")
	smtpPasswordFile := flags.String("smtp-password-file", "", "file holding the password of --smtp-username; overrides "+smtpPasswordEnv)
	allowPrivate := flags.Bool("allow-private-destinations", false, "let notification deliveries (webhooks, Slack, PagerDuty, the SMTP relay) connect to loopback, private, link-local, unique-local, multicast and other non-public addresses, which are denied by default")
	destinationAllow := flags.String("destination-allow", "", "comma-separated CIDR blocks that notification deliveries may connect to although they are not public, such as 127.0.0.1/32 for a local SMTP relay")
	tlsCert := flags.String("tls-cert", "", "PEM file holding the server's TLS certificate (chain); with --tls-key the server speaks HTTPS")
	tlsKey := flags.String("tls-key", "", "PEM file holding the private key of --tls-cert")
	metricsPublic := flags.Bool("metrics-public", false, "serve /metrics without authentication; by default it needs an API key with the metrics:read scope")
	alertEvalInterval := flags.Duration("alert-eval-interval", server.DefaultAlertEvalInterval, "how often alert rules are evaluated")
	backupKeyFile := flags.String("backup-encryption-key-file", "", "file holding the key that encrypts backups (32 bytes as base64 or 64 hex digits); overrides "+backupKeyEnv)
	backupRoot := flags.String("backup-root", "", "directory that every backup schedule's destination lies in (destinations are relative to it and cannot leave it); defaults to the data directory's backups/")
	backupCheckInterval := flags.Duration("backup-check-interval", server.DefaultBackupCheckInterval, "how often due backup schedules are run")
	var limits connLimits
	flags.DurationVar(&limits.readTimeout, "read-timeout", defaultReadTimeout, "time a client has to send a whole request, headers and body")
	flags.DurationVar(&limits.writeTimeout, "write-timeout", defaultWriteTimeout, "time to handle a request and write its response; keep it above 20s, as a channel test may take 16s")
	flags.DurationVar(&limits.idleTimeout, "idle-timeout", defaultIdleTimeout, "time an idle keep-alive connection is kept open")
	flags.IntVar(&limits.maxConnections, "max-connections", defaultMaxConnections, "connections served at once; more wait to be accepted (keep it below the file descriptor limit)")
	if err := parseFlags(flags, mainUsage, args, stdout, stderr); err != nil {
		return err
	}
	if *showVersion {
		fmt.Fprintln(stdout, buildinfo.Line("keymate-server", buildinfo.Version(version)))
		return nil
	}
	if err := limits.check(); err != nil {
		return err
	}
	backupKey, err := loadBackupKey(*backupKeyFile)
	if err != nil {
		return err
	}
	allowList, err := destination.ParseAllowList(*destinationAllow)
	if err != nil {
		return fmt.Errorf("--destination-allow: %w", err)
	}
	proxies, err := destination.ParseAllowList(*trustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	bootstrapKey, err := loadSecret("bootstrap-api-key-file", *bootstrapKeyFile, bootstrapKeyEnv)
	if err != nil {
		return err
	}
	smtpPassword, err := loadSecret("smtp-password-file", *smtpPasswordFile, smtpPasswordEnv)
	if err != nil {
		return err
	}
	smtpRoots, err := loadCertPool(*smtpCAFile)
	if err != nil {
		return fmt.Errorf("--smtp-ca-file: %w", err)
	}
	tlsConfig, err := loadTLS(*tlsCert, *tlsKey)
	if err != nil {
		return err
	}

	logger := newLogger(stderr, *logFormat, *logLevel)
	srv, err := server.New(server.Config{
		DataDir:             *dataDir,
		DatabaseURL:         *databaseURL,
		RateLimit:           *rateLimit,
		RateBurst:           *rateBurst,
		AuthFailureBurst:    *authFailureBurst,
		AuthFailureInterval: *authFailureInterval,
		TrustedProxies:      proxies,
		BootstrapAPIKey:     bootstrapKey,
		Logger:              logger,
		Destinations:        destination.Policy{AllowPrivate: *allowPrivate, Allow: allowList},
		MetricsPublic:       *metricsPublic,
		SMTP: delivery.SMTP{Addr: *smtpAddr, From: *smtpFrom, StartTLS: *smtpStartTLS, RootCAs: smtpRoots,
			Username: *smtpUsername, Password: smtpPassword},
		AlertEvalInterval:   *alertEvalInterval,
		BackupRoot:          *backupRoot,
		BackupEncryptionKey: backupKey,
		BackupCheckInterval: *backupCheckInterval,
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := srv.Close(); err != nil {
			logger.Error("closing the database", "error", err)
		}
	}()
	logger.Info("keymate-server starting", "version", buildinfo.Version(version), "data_dir", *dataDir,
		"database", describeDatabase(*databaseURL), "log_level", *logLevel,
		"smtp_addr", *smtpAddr, "smtp_starttls", *smtpStartTLS, "smtp_username", *smtpUsername, "backup_encryption", backupKey != nil)
	if secret := srv.GeneratedAdminSecret(); secret != "" {
		file, err := writeGeneratedAdminKey(*dataDir, secret)
		if err != nil {
			return err
		}
		logger.Warn("generated the bootstrap admin API key; its secret is in the file, readable only by this user: "+
			"store it elsewhere and delete the file", "file", file)
	}

	listener, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", *listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *listen, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	waitJobs := srv.StartJobs(ctx)
	defer func() { stop(); waitJobs() }() // jobs end before the database closes
	return serve(ctx, listener, srv.Handler(), limits, tlsConfig, logger)
}

// describeDatabase names the database for the log: "sqlite", or the
// PostgreSQL server and database without the user and password.
func describeDatabase(databaseURL string) string {
	if databaseURL == "" {
		return "sqlite"
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "postgresql"
	}
	return "postgresql " + u.Host + u.Path
}

// generatedAdminKeyFile is the file in the data directory that receives the
// secret of a generated bootstrap admin key: the secret never goes to the
// log or to stdout, which log collectors read.
const generatedAdminKeyFile = "bootstrap-admin-key"

// writeGeneratedAdminKey writes secret to generatedAdminKeyFile in dataDir,
// readable only by this user, replacing an older one, and returns its path.
func writeGeneratedAdminKey(dataDir, secret string) (string, error) {
	file := filepath.Join(dataDir, generatedAdminKeyFile)
	if err := os.Remove(file); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("replacing %s: %w", file, err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // G304: the operator's data directory.
	if err != nil {
		return "", fmt.Errorf("writing the generated bootstrap admin key: %w", err)
	}
	_, err = f.WriteString(secret + "\n")
	if err := errors.Join(err, f.Close()); err != nil {
		return "", fmt.Errorf("writing the generated bootstrap admin key to %s: %w", file, err)
	}
	return file, nil
}

// loadTLS returns the TLS configuration serving the certificate and key of
// --tls-cert and --tls-key, or nil when neither is given.
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" {
		return nil, nil // plain HTTP
	}
	if certFile == "" || keyFile == "" {
		return nil, errors.New("--tls-cert and --tls-key go together: give both or neither")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// exposedWithoutTLS reports whether the server, listening on addr, can be
// reached from other hosts without TLS: anything but a loopback address
// (0.0.0.0 and :: listen on every interface) when tlsOn is false.
func exposedWithoutTLS(addr net.Addr, tlsOn bool) bool {
	if tlsOn {
		return false
	}
	tcp, ok := addr.(*net.TCPAddr)
	return !ok || !tcp.IP.IsLoopback()
}

// serve serves handler on listener within limits until ctx is done, then
// shuts down gracefully.
func serve(ctx context.Context, listener net.Listener, handler http.Handler, limits connLimits, tlsConfig *tls.Config,
	logger *slog.Logger,
) error {
	httpServer := &http.Server{
		Handler:           handler,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: min(maxReadHeaderTimeout, limits.readTimeout),
		ReadTimeout:       limits.readTimeout,
		WriteTimeout:      limits.writeTimeout,
		IdleTimeout:       limits.idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	if exposedWithoutTLS(listener.Addr(), tlsConfig != nil) {
		logger.Warn("listening on a non-loopback address without TLS: API keys and channel secrets cross the network "+
			"in clear text; set --tls-cert and --tls-key, or listen on loopback behind a TLS-terminating proxy",
			"address", listener.Addr().String())
	}
	// The announcement is a log record like any other, so that with
	// --log-format json everything the server writes is JSON lines; url is
	// what scripts and tests wait for.
	logger.Info("listening", "address", listener.Addr().String(), "url", scheme+"://"+listener.Addr().String(),
		"version", buildinfo.Version(version))
	listener = netutil.LimitListener(listener, limits.maxConnections)
	serveErr := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			serveErr <- httpServer.ServeTLS(listener, "", "") // the certificate is in TLSConfig
			return
		}
		serveErr <- httpServer.Serve(listener)
	}()

	select {
	case err := <-serveErr:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	return nil
}
