package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// backupOf runs an encrypted backup on a test server holding key and
// returns the backup file's path.
func backupOf(t *testing.T, key []byte) string {
	t.Helper()
	inst := servertest.Start(t, servertest.WithBackupEncryptionKey(key))
	return runBackup(t, inst, `{"name":"n","cron":"0 3 * * *","encrypt":true}`)
}

// runBackup creates a backup schedule from body on inst, runs it and returns
// the backup file's path.
func runBackup(t *testing.T, inst *servertest.Instance, body string) string {
	t.Helper()
	a := api{t, inst.URL, inst.AdminKey}
	schedule := a.create("/v1/backup-schedules", body)
	var run apiv1.BackupRun
	decodeInto(t, a.do(http.MethodPost, schedule+"/run", "", http.StatusCreated), &run)
	if run.Status != apiv1.BackupRunSucceeded {
		t.Fatalf("backup run %+v", run)
	}
	return inst.BackupFile(run)
}

// writeKeyFile writes key hex-encoded into a new file and returns its path.
func writeKeyFile(t *testing.T, key []byte) string {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "backup.key")
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return keyFile
}

// TestRestoreCommandRestoresWithTheKeyFile proves that `keymate-server
// restore` restores an encrypted backup with --backup-encryption-key-file
// into a new directory and reports what it restored.
func TestRestoreCommandRestoresWithTheKeyFile(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 32)
	file := backupOf(t, key)
	keyFile := writeKeyFile(t, key)
	dataDir := filepath.Join(t.TempDir(), "restored")
	var stdout, stderr bytes.Buffer
	if err := runRestore([]string{"--from", file, "--data-dir", dataDir, "--backup-encryption-key-file", keyFile}, &stdout, &stderr); err != nil {
		t.Fatalf("restore: %v (stderr %s)", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "api_keys: 1") || !strings.Contains(stdout.String(), "backup_schedules: 1") {
		t.Fatalf("stdout does not report the restored objects:\n%s", stdout.String())
	}
	if _, err := os.Stat(filepath.Join(dataDir, "keymate.db")); err != nil {
		t.Fatalf("no database restored: %v", err)
	}
}

// TestRestoreCommandRefusesBadInvocations proves clear errors for missing
// flags, a non-empty data directory and a wrong key given by environment.
func TestRestoreCommandRefusesBadInvocations(t *testing.T) {
	key := bytes.Repeat([]byte{4}, 32)
	file := backupOf(t, key)
	nonEmpty := t.TempDir()
	if err := os.WriteFile(filepath.Join(nonEmpty, "keep"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(backupKeyEnv, hex.EncodeToString(bytes.Repeat([]byte{5}, 32)))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--data-dir", t.TempDir()}, "--from is required"},
		{[]string{"--from", file}, "--data-dir is required"},
		{[]string{"--from", file, "--data-dir", nonEmpty}, "not empty"},
		{[]string{"--from", file, "--data-dir", filepath.Join(t.TempDir(), "new")}, "wrong backup encryption key"},
	}
	for _, tc := range cases {
		err := runRestore(tc.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("restore %v = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
	t.Setenv(backupKeyEnv, "too-short")
	if err := runRestore([]string{"--from", file, "--data-dir", t.TempDir()}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), backupKeyEnv) || strings.Contains(err.Error(), "too-short") {
		t.Errorf("a malformed key in the environment: %v, want an error naming the variable, not echoing the value", err)
	}
}

// TestRestoreServesEveryObject proves that `keymate-server restore` (the
// function the command runs) restores an encrypted backup holding every kind
// of object, and that a server started on the restored directory serves each
// one as it was (versions included) to the same admin key, and can still
// unseal a channel's secret: its test delivery is signed with the signing
// secret the channel was created with.
func TestRestoreServesEveryObject(t *testing.T) {
	key := bytes.Repeat([]byte{6}, 32)
	inst := servertest.Start(t, servertest.WithBackupEncryptionKey(key), servertest.WithLoopbackDestinations())
	src := api{t, inst.URL, inst.AdminKey}
	hook, deliveries := webhookReceiver(t)
	const signingSecret = "whsec-restore-test-0123456789"

	apiKey := src.create("/v1/api-keys", `{"name":"ci","scopes":["keys:read"]}`)
	src.do(http.MethodPatch, apiKey, `{"description":"updated once, so version 2"}`, http.StatusOK, "If-Match", `"1"`)
	channel := src.create("/v1/notification-channels",
		fmt.Sprintf(`{"name":"ops","type":"webhook","webhook":{"url":%q,"signing_secret":%q}}`, hook, signingSecret))
	rule := src.create("/v1/alert-rules", fmt.Sprintf(`{"name":"errors","severity":"critical","metric":"api.error_rate",
		"condition":{"operator":"gte","threshold":0.05,"window":"5m"},"notification_channel_ids":[%q]}`, strings.TrimPrefix(channel, "/v1/notification-channels/")))
	grant := src.create("/v1/access-grants", `{"principal":{"type":"user","id":"a"},"role":"viewer","resource":"*","justification":"j"}`)
	schedule := src.create("/v1/backup-schedules", `{"name":"weekly","cron":"0 3 * * 0","encrypt":true}`)
	objects := []string{apiKey, channel, rule, grant, schedule}
	before := map[string][]byte{}
	for _, path := range objects {
		before[path] = src.do(http.MethodGet, path, "", http.StatusOK)
	}
	file := runBackup(t, inst, `{"name":"now","cron":"0 4 * * *","encrypt":true}`)

	dataDir := filepath.Join(t.TempDir(), "restored")
	var stdout, stderr bytes.Buffer
	if err := runRestore([]string{"--from", file, "--data-dir", dataDir, "--backup-encryption-key-file", writeKeyFile(t, key)}, &stdout, &stderr); err != nil {
		t.Fatalf("restore: %v (stderr %s)", err, stderr.String())
	}
	for _, want := range []string{"access_grants: 1", "alert_rules: 1", "api_keys: 2", "backup_schedules: 2", "notification_channels: 1"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("restore output lacks %q:\n%s", want, stdout.String())
		}
	}

	srv, restored := serveConfig(t, server.Config{DataDir: dataDir, Clock: inst.Clock, BackupEncryptionKey: key,
		RateLimit: servertest.DefaultRateLimit, RateBurst: servertest.DefaultRateBurst, Destinations: servertest.LoopbackDestinations}, inst.AdminKey)
	if srv.GeneratedAdminSecret() != "" {
		t.Fatal("the restored server generated a new admin key; the restored one should be active")
	}
	for _, path := range objects {
		if got := restored.do(http.MethodGet, path, "", http.StatusOK); !bytes.Equal(got, before[path]) {
			t.Errorf("GET %s on the restored server:\n%s\nwant, as before the backup:\n%s", path, got, before[path])
		}
	}

	restored.testDeliveryIsSigned(channel, deliveries, signingSecret, inst.Clock.Now())
}

// TestRestoreIntoPostgreSQL proves that `keymate-server restore
// --database-url` restores a backup into a new, empty PostgreSQL database: a
// server on it with the restored data directory (which keeps the sealing
// key and no SQLite database) serves the backed-up keys to the same admin
// key; and that a database with rows is refused.
func TestRestoreIntoPostgreSQL(t *testing.T) {
	key := bytes.Repeat([]byte{6}, 32)
	inst := servertest.Start(t, servertest.WithBackupEncryptionKey(key))
	api{t, inst.URL, inst.AdminKey}.create("/v1/api-keys", `{"name":"restored-into-postgres","scopes":["keys:read"]}`)
	file := runBackup(t, inst, `{"name":"n","cron":"0 3 * * *","encrypt":true}`)
	url := pgtest.URL(t)
	dataDir := filepath.Join(t.TempDir(), "restored")
	var stdout bytes.Buffer
	if err := runRestore([]string{"--from", file, "--data-dir", dataDir, "--backup-encryption-key-file", writeKeyFile(t, key),
		"--database-url", url}, &stdout, io.Discard); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "keymate.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the data directory still holds a SQLite database (%v)", err)
	}
	_, pg := serveConfig(t, server.Config{DataDir: dataDir, DatabaseURL: url, Clock: inst.Clock}, inst.AdminKey)
	if body := pg.do(http.MethodGet, "/v1/api-keys?name=restored-into-postgres", "", http.StatusOK); !strings.Contains(string(body), `"name":"restored-into-postgres"`) {
		t.Fatalf("the server on PostgreSQL lists %s", body)
	}
	err := runRestore([]string{"--from", file, "--data-dir", filepath.Join(t.TempDir(), "again"), "--backup-encryption-key-file", writeKeyFile(t, key),
		"--database-url", url}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a restore into a database with rows: %v, want a refusal", err)
	}
}
