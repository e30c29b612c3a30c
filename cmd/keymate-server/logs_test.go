package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/server/smtptest"
)

// TestSecretsNeverReachTheLog runs the binary configured through the
// environment alone (JSON log at debug level, the bootstrap admin key from
// the file KEYMATE_BOOTSTRAP_API_KEY_FILE names, which wins over
// KEYMATE_BOOTSTRAP_API_KEY, an SMTP relay with STARTTLS and AUTH whose
// certificate is trusted through KEYMATE_SMTP_CA_FILE) and drives requests
// that carry every kind of secret: both bootstrap secrets,
// a generated key's secret, a wrong bearer token, a channel's signing secret
// and header, the backup encryption key, the SMTP password. It proves that
// the log is JSON lines at debug level and holds none of those secrets.
func TestSecretsNeverReachTheLog(t *testing.T) {
	bin := buildServer(t)
	backupKey := hex.EncodeToString([]byte("backup-key-for-the-log-test-0123"))
	const (
		signingSecret = "whsec-log-test-0123456789"
		headerSecret  = "Bearer header-secret-log-test-0123456789"
		wrongBearer   = "km_wrong-bearer-log-test-0123456789"
		smtpPassword  = "smtp-password-log-test-0123456789"
		adminSecret   = "bootstrap-from-a-file-log-test-0123456789"
	)
	relay := smtptest.Start(t, smtptest.Options{StartTLS: true, Username: "keymate", Password: smtpPassword})
	dir := t.TempDir()
	caFile, adminFile := filepath.Join(dir, "relay-ca.pem"), filepath.Join(dir, "bootstrap-api-key")
	if err := os.WriteFile(caFile, relay.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(adminFile, []byte(adminSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startServerEnv(t, bin, t.TempDir(), []string{
		"KEYMATE_LOG_FORMAT=json", "KEYMATE_LOG_LEVEL=debug", "KEYMATE_DESTINATION_ALLOW=127.0.0.0/8",
		backupKeyEnv + "=" + backupKey, "KEYMATE_SMTP_ADDR=" + relay.Addr, "KEYMATE_SMTP_CA_FILE=" + caFile,
		"KEYMATE_SMTP_USERNAME=keymate", smtpPasswordEnv + "=" + smtpPassword, "KEYMATE_BOOTSTRAP_API_KEY_FILE=" + adminFile,
	})
	admin := api{t, p.url, adminSecret}
	api{t, p.url, bootstrapSecret}.do(http.MethodGet, "/v1/api-keys", "", http.StatusUnauthorized)
	hook, deliveries := webhookReceiver(t)

	var created struct{ Secret string }
	decodeInto(t, admin.do(http.MethodPost, "/v1/api-keys", `{"name":"ci","scopes":["keys:read"]}`, http.StatusCreated), &created)
	api{t, p.url, created.Secret}.do(http.MethodGet, "/v1/api-keys", "", http.StatusOK)
	api{t, p.url, wrongBearer}.do(http.MethodGet, "/v1/api-keys", "", http.StatusUnauthorized)
	channel := admin.create("/v1/notification-channels", fmt.Sprintf(
		`{"name":"ops","type":"webhook","webhook":{"url":%q,"signing_secret":%q,"headers":{"Authorization":%q}}}`, hook, signingSecret, headerSecret))
	admin.testDeliveryIsSigned(channel, deliveries, signingSecret, time.Now())
	email := admin.create("/v1/notification-channels", `{"name":"mail","type":"email","email":{"addresses":["ops@example.com"]}}`)
	var result struct{ Status, Error string }
	decodeInto(t, admin.do(http.MethodPost, email+"/test", "", http.StatusOK), &result)
	if result.Status != "succeeded" {
		t.Fatalf("email test through the relay: %+v", result)
	}
	if m := <-relay.Mails; !m.TLS || m.User != "keymate" {
		t.Fatalf("the relay got %+v, want it inside TLS as keymate", m)
	}
	schedule := admin.create("/v1/backup-schedules", `{"name":"now","cron":"0 4 * * *","encrypt":true}`)
	var run struct{ Status string }
	decodeInto(t, admin.do(http.MethodPost, schedule+"/run", "", http.StatusCreated), &run)
	if run.Status != "succeeded" {
		t.Fatalf("the encrypted backup run %+v", run)
	}
	p.kill(t)

	// A log collector reads stdout and stderr as one stream: every line of
	// both is JSON.
	log := p.stdout.String() + p.stderr.String()
	for _, secret := range []string{adminSecret, bootstrapSecret, created.Secret, wrongBearer, signingSecret, "header-secret-log-test", backupKey, smtpPassword} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds the secret %q:\n%s", secret, log)
		}
	}
	msgs := map[string]int{}
	for line := range strings.Lines(log) {
		var entry struct{ Level, Msg, Address, URL string }
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		if entry.Msg == "listening" && (entry.URL != p.url || !strings.HasSuffix(p.url, "://"+entry.Address)) {
			t.Errorf("the listening record %q does not give the address %s", line, p.url)
		}
		msgs[entry.Level+" "+entry.Msg]++
	}
	for _, want := range []string{"INFO keymate-server starting", "INFO listening", "INFO request", "DEBUG notification channel tested"} {
		if msgs[want] == 0 {
			t.Errorf("the log lacks %q; it has %v", want, msgs)
		}
	}
}

// TestGeneratedAdminKeyGoesToAFile runs the binary with the text log and no
// bootstrap key configured: the server generates one and writes its secret
// to a file in the data directory that only its user can read, names the
// file in the log and writes nothing to stdout; the listening announcement
// is a log record too, and the log never holds the secret.
func TestGeneratedAdminKeyGoesToAFile(t *testing.T) {
	bin := buildServer(t)
	dataDir := t.TempDir()
	p := startServerEnv(t, bin, dataDir, []string{bootstrapKeyEnv + "="}) // empty: unset
	file := filepath.Join(dataDir, generatedAdminKeyFile)
	info, err := os.Stat(file)
	if err != nil {
		t.Fatalf("no generated key file: %v; log:\n%s", err, p.stderr)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", file, info.Mode().Perm())
	}
	secret, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	api{t, p.url, strings.TrimSpace(string(secret))}.do(http.MethodGet, "/v1/api-keys", "", http.StatusOK)
	p.kill(t)

	log := p.stderr.String()
	if p.stdout.String() != "" {
		t.Errorf("stdout holds %q, want nothing", p.stdout.String())
	}
	if strings.Contains(log, strings.TrimSpace(string(secret))) {
		t.Errorf("the log holds the generated secret:\n%s", log)
	}
	for _, want := range []string{"msg=listening address=" + strings.TrimPrefix(p.url, "http://") + " url=" + p.url,
		"generated the bootstrap admin API key", "file=" + file} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
}

// TestLoggerHonoursFormatAndLevel proves that --log-level drops the levels
// below it and that --log-format json writes one JSON object per line with
// the level, message and attributes, and text writes key=value lines.
func TestLoggerHonoursFormatAndLevel(t *testing.T) {
	for i, level := range logLevels {
		for _, format := range logFormats {
			var b bytes.Buffer
			logger := newLogger(&b, format, level)
			logger.Debug("at debug", "n", 1)
			logger.Info("at info", "n", 2)
			logger.Warn("at warn", "n", 3)
			logger.Error("at error", "n", 4)
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if len(lines) != len(logLevels)-i {
				t.Fatalf("--log-level %s --log-format %s logged %d lines, want %d:\n%s", level, format, len(lines), len(logLevels)-i, b.String())
			}
			for j, line := range lines {
				want := logLevels[i+j]
				if format == logFormatText {
					if !strings.Contains(line, "level="+strings.ToUpper(want)) || !strings.Contains(line, `msg="at `+want+`"`) {
						t.Errorf("text line %q, want level %s", line, want)
					}
					continue
				}
				var entry struct {
					Level, Msg string
					N          int
				}
				if err := json.Unmarshal([]byte(line), &entry); err != nil || entry.Level != strings.ToUpper(want) ||
					entry.Msg != "at "+want || entry.N != i+j+1 {
					t.Errorf("json line %q: %+v, %v", line, entry, err)
				}
			}
		}
	}
}
