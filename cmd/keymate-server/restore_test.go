package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// backupOf runs an encrypted backup on a test server holding key and
// returns the backup file's path.
func backupOf(t *testing.T, key []byte) string {
	t.Helper()
	inst := servertest.Start(t, servertest.WithBackupEncryptionKey(key))
	post := func(path, body string) []byte {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, inst.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+inst.AdminKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
		}
		return b
	}
	var id struct{ ID string }
	decodeInto(t, post("/v1/backup-schedules", `{"name":"n","cron":"0 3 * * *","encrypt":true}`), &id)
	var run apiv1.BackupRun
	decodeInto(t, post("/v1/backup-schedules/"+id.ID+"/run", ""), &run)
	return run.File
}

// TestRestoreCommandRestoresWithTheKeyFile proves that `keymate-server
// restore` restores an encrypted backup with --backup-encryption-key-file
// into a new directory and reports what it restored.
func TestRestoreCommandRestoresWithTheKeyFile(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 32)
	file := backupOf(t, key)
	keyFile := filepath.Join(t.TempDir(), "backup.key")
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
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

func decodeInto(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
}
