package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/backup"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// testBackupKey is a backup encryption key for tests only.
var testBackupKey = bytes.Repeat([]byte{7}, backup.KeySize)

func createSchedule(t *testing.T, inst *servertest.Instance, body string) apiv1.BackupSchedule {
	t.Helper()
	resp, b := call(t, inst.URL, http.MethodPost, "/v1/backup-schedules", inst.AdminKey, body)
	mustStatus(t, resp, b, http.StatusCreated)
	return decode[apiv1.BackupSchedule](t, b)
}

func listRuns(t *testing.T, inst *servertest.Instance, scheduleID string) []apiv1.BackupRun {
	t.Helper()
	resp, b := call(t, inst.URL, http.MethodGet, "/v1/backup-schedules/"+scheduleID+"/runs", inst.AdminKey, "")
	mustStatus(t, resp, b, http.StatusOK)
	return decode[apiv1.BackupRunList](t, b).Data
}

func runNow(t *testing.T, inst *servertest.Instance, scheduleID string) apiv1.BackupRun {
	t.Helper()
	resp, b := call(t, inst.URL, http.MethodPost, "/v1/backup-schedules/"+scheduleID+"/run", inst.AdminKey, "")
	mustStatus(t, resp, b, http.StatusCreated)
	return decode[apiv1.BackupRun](t, b)
}

// TestBackupScheduleLifecycle proves the happy path of every backup
// schedule endpoint: create with defaults (next_run_at from the cron in its
// time zone), read, list, update (next_run_at re-planned, null while
// disabled), and delete.
func TestBackupScheduleLifecycle(t *testing.T) {
	inst := servertest.Start(t)
	s := createSchedule(t, inst, `{"name":"nightly","cron":"0 3 * * *"}`)
	if !strings.HasPrefix(s.ID, "bs_") || s.Timezone != "UTC" || s.RetentionDays != 30 || !slices.Equal(s.Include, []string{"all"}) ||
		s.Destination != "." || s.Encrypt || !s.VerifyRestore || !s.Enabled || s.LastRun != nil || s.Version != 1 ||
		s.NextRunAt == nil || !s.NextRunAt.Equal(servertest.StartTime.Add(3*time.Hour)) {
		t.Fatalf("created = %+v", s)
	}
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/backup-schedules/"+s.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if resp.Header.Get("ETag") != `"1"` {
		t.Fatalf("etag = %s", resp.Header.Get("ETag"))
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/backup-schedules", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if list := decode[apiv1.BackupScheduleList](t, body); len(list.Data) != 1 || list.Data[0].ID != s.ID {
		t.Fatalf("list = %+v", list)
	}

	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/backup-schedules/"+s.ID, inst.AdminKey,
		`{"cron":"30 2 * * *","timezone":"Europe/Berlin","include":["backup_schedules","api_keys"],"retention_days":7}`, "If-Match", `"1"`)
	mustStatus(t, resp, body, http.StatusOK)
	u := decode[apiv1.BackupSchedule](t, body)
	if !u.NextRunAt.Equal(time.Date(2026, 1, 1, 1, 30, 0, 0, time.UTC)) || !slices.Equal(u.Include, []string{"api_keys", "backup_schedules"}) ||
		u.RetentionDays != 7 || u.Version != 2 {
		t.Fatalf("updated = %+v", u)
	}
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/backup-schedules/"+s.ID, inst.AdminKey, `{"enabled":false}`)
	mustStatus(t, resp, body, http.StatusOK)
	if d := decode[apiv1.BackupSchedule](t, body); d.Enabled || d.NextRunAt != nil {
		t.Fatalf("disabled = %+v, want next_run_at null", d)
	}
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/backup-schedules/"+s.ID, inst.AdminKey, `{"name":"x"}`, "If-Match", `"1"`)
	mustStatus(t, resp, body, http.StatusPreconditionFailed)

	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/backup-schedules/"+s.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)
	for _, rt := range []struct{ method, path, body string }{
		{http.MethodGet, "/v1/backup-schedules/" + s.ID, ""},
		{http.MethodDelete, "/v1/backup-schedules/" + s.ID, ""},
		{http.MethodPatch, "/v1/backup-schedules/" + s.ID, `{"name":"x"}`},
		{http.MethodGet, "/v1/backup-schedules/" + s.ID + "/runs", ""},
		{http.MethodPost, "/v1/backup-schedules/" + s.ID + "/run", ""},
	} {
		resp, body := call(t, inst.URL, rt.method, rt.path, inst.AdminKey, rt.body)
		mustStatus(t, resp, body, http.StatusNotFound)
	}

	req := `{"name":"weekly","cron":"0 4 * * 0"}`
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/backup-schedules", inst.AdminKey, req, "Idempotency-Key", "bs-1")
	mustStatus(t, resp, body, http.StatusCreated)
	resp2, body2 := call(t, inst.URL, http.MethodPost, "/v1/backup-schedules", inst.AdminKey, req, "Idempotency-Key", "bs-1")
	mustStatus(t, resp2, body2, http.StatusCreated)
	if decode[apiv1.BackupSchedule](t, body).ID != decode[apiv1.BackupSchedule](t, body2).ID {
		t.Fatal("a retried create with the same Idempotency-Key made a second schedule")
	}
}

// TestBackupScheduleValidation proves 422 naming the field for a bad cron,
// a bad time zone, an unknown kind, "all" mixed with kinds, a retention out
// of range, a destination escaping the backup root, and encrypt on a
// server without a backup encryption key.
func TestBackupScheduleValidation(t *testing.T) {
	inst := servertest.Start(t)
	cases := []struct{ body, path, message string }{
		{`{"name":"n","cron":"0 3 * *"}`, "cron", "must have 5 fields"},
		{`{"name":"n","cron":"0 25 * * *"}`, "cron", "invalid cron expression"},
		{`{"name":"n","cron":"0 3 * * *","timezone":"Mars/Base"}`, "timezone", "unknown time zone"},
		{`{"name":"n","cron":"0 3 * * *","include":["secrets"]}`, "include[0]", "unknown kind"},
		{`{"name":"n","cron":"0 3 * * *","include":["api_keys","all"]}`, "include[1]", "cannot be combined"},
		{`{"name":"n","cron":"0 3 * * *","include":[]}`, "include", "at least one"},
		{`{"name":"n","cron":"0 3 * * *","retention_days":0}`, "retention_days", "between 1 and 3650"},
		{`{"name":"n","cron":"0 3 * * *","destination":"../elsewhere"}`, "destination", "inside the server's backup root"},
		{`{"name":"n","cron":"0 3 * * *","encrypt":true}`, "encrypt", "no backup encryption key"},
		{`{"cron":"0 3 * * *"}`, "name", "is required"},
	}
	for _, tc := range cases {
		resp, body := call(t, inst.URL, http.MethodPost, "/v1/backup-schedules", inst.AdminKey, tc.body)
		mustStatus(t, resp, body, http.StatusUnprocessableEntity)
		if e := errorOf(t, body); len(e.Fields) != 1 || e.Fields[0].Path != tc.path || !strings.Contains(e.Fields[0].Message, tc.message) {
			t.Errorf("%s: fields = %+v, want %s: %s", tc.body, e.Fields, tc.path, tc.message)
		}
	}
	s := createSchedule(t, inst, `{"name":"n","cron":"0 3 * * *"}`)
	resp, body := call(t, inst.URL, http.MethodPatch, "/v1/backup-schedules/"+s.ID, inst.AdminKey, `{"cron":"every day","timezone":null}`)
	mustStatus(t, resp, body, http.StatusUnprocessableEntity)
	if e := errorOf(t, body); len(e.Fields) != 2 || e.Fields[0].Path != "cron" || e.Fields[1].Path != "timezone" {
		t.Fatalf("fields = %+v, want cron and timezone", e.Fields)
	}
}

// TestScheduledBackupRunsAtItsCronTime proves that the scheduler runs a
// schedule only once the clock reaches its cron time, that the run wrote a
// file whose SHA-256 it reports and passed its restore drill, and that the
// next run is planned for the following cron time.
func TestScheduledBackupRunsAtItsCronTime(t *testing.T) {
	inst := servertest.Start(t)
	s := createSchedule(t, inst, `{"name":"nightly","cron":"0 3 * * *"}`)

	inst.Clock.Advance(2*time.Hour + 59*time.Minute)
	inst.RunJobs(t)
	if runs := listRuns(t, inst, s.ID); len(runs) != 0 {
		t.Fatalf("ran before its time: %+v", runs)
	}

	inst.Clock.Advance(time.Minute)
	inst.RunJobs(t)
	runs := listRuns(t, inst, s.ID)
	if len(runs) != 1 {
		t.Fatalf("runs at 03:00 = %+v, want 1", runs)
	}
	run := runs[0]
	if run.Status != apiv1.BackupRunSucceeded || !run.RestoreVerified || run.Encrypted || run.Error != "" ||
		!run.StartedAt.Equal(servertest.StartTime.Add(3*time.Hour)) || !strings.HasPrefix(run.ID, "br_") {
		t.Fatalf("run = %+v", run)
	}
	data, err := os.ReadFile(inst.BackupFile(run))
	if err != nil {
		t.Fatalf("reading the backup file: %v", err)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != run.SHA256 || int64(len(data)) != run.SizeBytes {
		t.Fatalf("the run reports sha256 %s and %d bytes; the file has %x and %d", run.SHA256, run.SizeBytes, sum, len(data))
	}

	resp, body := call(t, inst.URL, http.MethodGet, "/v1/backup-schedules/"+s.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	got := decode[apiv1.BackupSchedule](t, body)
	if !got.NextRunAt.Equal(servertest.StartTime.Add(27*time.Hour)) || got.LastRun == nil || got.LastRun.ID != run.ID || got.Version != 1 {
		t.Fatalf("after the run = %+v", got)
	}
	inst.RunJobs(t)
	if runs := listRuns(t, inst, s.ID); len(runs) != 1 {
		t.Fatalf("ran twice for one cron time: %d runs", len(runs))
	}
}

// TestEncryptedBackupRunsAndRestores proves that with encrypt the file is
// AES-GCM ciphertext (no SQLite header anywhere), the drill still verifies
// it, and only the right key restores it.
func TestEncryptedBackupRunsAndRestores(t *testing.T) {
	inst := servertest.Start(t, servertest.WithBackupEncryptionKey(testBackupKey))
	s := createSchedule(t, inst, `{"name":"enc","cron":"0 3 * * *","encrypt":true}`)
	run := runNow(t, inst, s.ID)
	if run.Status != apiv1.BackupRunSucceeded || !run.Encrypted || !run.RestoreVerified {
		t.Fatalf("run = %+v", run)
	}
	data, err := os.ReadFile(inst.BackupFile(run))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("SQLite format 3")) || bytes.Contains(data, []byte(backup.DatabaseFile)) {
		t.Fatal("the encrypted backup file holds plaintext")
	}
	wrong := bytes.Repeat([]byte{8}, backup.KeySize)
	if _, err := backup.Restore(t.Context(), inst.BackupFile(run), t.TempDir(), wrong); err == nil || !strings.Contains(err.Error(), "wrong backup encryption key") {
		t.Fatalf("restore with a wrong key: %v", err)
	}
	if _, err := backup.Restore(t.Context(), inst.BackupFile(run), t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Fatalf("restore without a key: %v", err)
	}
	if _, err := backup.Restore(t.Context(), inst.BackupFile(run), t.TempDir(), testBackupKey); err != nil {
		t.Fatalf("restore with the right key: %v", err)
	}
}

// TestBackupRetentionPrunesOldFiles proves that once a run is older than
// retention_days, the scheduler deletes its file and manifest and marks the
// run pruned, while a newer run keeps its file.
func TestBackupRetentionPrunesOldFiles(t *testing.T) {
	inst := servertest.Start(t)
	s := createSchedule(t, inst, `{"name":"short","cron":"0 0 1 1 *","retention_days":1}`)
	old := runNow(t, inst, s.ID)
	inst.Clock.Advance(36 * time.Hour)
	recent := runNow(t, inst, s.ID)
	inst.Clock.Advance(time.Hour)
	inst.RunJobs(t)

	runs := listRuns(t, inst, s.ID)
	if len(runs) != 2 || runs[0].ID != recent.ID || runs[0].Status != apiv1.BackupRunSucceeded ||
		runs[1].ID != old.ID || runs[1].Status != apiv1.BackupRunPruned {
		t.Fatalf("runs = %+v, want the recent one kept and the old one pruned", runs)
	}
	for _, path := range []string{inst.BackupFile(old), inst.BackupFile(old) + backup.ManifestSuffix} {
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still exists after pruning (%v)", path, err)
		}
	}
	if _, err := os.Stat(inst.BackupFile(recent)); err != nil {
		t.Errorf("the recent backup file is gone: %v", err)
	}
}

// TestRestoreRefusesACorruptedFile proves that a backup file with one byte
// flipped is refused with a checksum mismatch before anything is restored.
func TestRestoreRefusesACorruptedFile(t *testing.T) {
	inst := servertest.Start(t)
	s := createSchedule(t, inst, `{"name":"nightly","cron":"0 3 * * *"}`)
	run := runNow(t, inst, s.ID)
	data, err := os.ReadFile(inst.BackupFile(run))
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(inst.BackupFile(run), data, 0o600); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(t.TempDir(), "restored")
	_, err = backup.Restore(t.Context(), inst.BackupFile(run), dataDir, nil)
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("restore of a corrupted file: %v", err)
	}
	if entries, _ := os.ReadDir(dataDir); len(entries) != 0 {
		t.Fatalf("a refused restore left %d entries in the data directory", len(entries))
	}
}
