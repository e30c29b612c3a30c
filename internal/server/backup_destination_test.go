package server_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// TestBackupDestinationsStayInsideTheBackupRoot proves that a backup
// schedule's destination is a directory inside the backup root (the data
// directory's backups/ by default): an absolute path, a ".." step and a
// symbolic link leading out of the root (or an absolute one, which os.Root
// cannot follow safely) are each a 422 naming destination,
// on create and on update; a link planted after the schedule was accepted
// fails the run instead of writing outside the root; and no answer of the
// API, error or run, shows a path of the server's file system.
func TestBackupDestinationsStayInsideTheBackupRoot(t *testing.T) {
	inst := servertest.Start(t)
	root := filepath.Join(inst.DataDir(), "backups")
	outside := t.TempDir()
	if err := os.MkdirAll(root, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "inside"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("inside", filepath.Join(root, "alias")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "inside"), filepath.Join(root, "absolute")); err != nil {
		t.Fatal(err)
	}
	// noHostPaths fails when an answer shows a path of the host.
	noHostPaths := func(what string, body []byte) {
		t.Helper()
		for _, p := range []string{inst.DataDir(), outside, os.TempDir()} {
			if strings.Contains(string(body), p) {
				t.Errorf("%s shows the host path %s: %s", what, p, body)
			}
		}
	}

	s := createSchedule(t, inst, `{"name":"nightly","cron":"0 3 * * *","destination":"nightly/db"}`)
	for _, dest := range []string{"/", "/tmp/keymate", outside, "..", "../elsewhere", "nightly/../../x", "escape", "escape/deeper", "absolute", `nightly\db`} {
		body := `{"name":"n","cron":"0 3 * * *","destination":` + toJSON(t, dest) + `}`
		resp, b := call(t, inst.URL, http.MethodPost, "/v1/backup-schedules", inst.AdminKey, body)
		mustStatus(t, resp, b, http.StatusUnprocessableEntity)
		if e := errorOf(t, b); len(e.Fields) != 1 || e.Fields[0].Path != "destination" {
			t.Errorf("create with destination %q: fields %+v, want destination", dest, e.Fields)
		}
		noHostPaths("the 422 for "+dest, b)
		resp, b = call(t, inst.URL, http.MethodPatch, "/v1/backup-schedules/"+s.ID, inst.AdminKey, `{"destination":`+toJSON(t, dest)+`}`)
		mustStatus(t, resp, b, http.StatusUnprocessableEntity)
		noHostPaths("the 422 for "+dest, b)
	}
	// A link that stays inside the root is a directory like any other.
	createSchedule(t, inst, `{"name":"aliased","cron":"0 3 * * *","destination":"alias/db"}`)

	run := runNow(t, inst, s.ID)
	if run.Status != apiv1.BackupRunSucceeded || run.File != "nightly/db/"+filepath.Base(run.File) {
		t.Fatalf("run = %+v, want a file named relative to the backup root", run)
	}
	if _, err := os.Stat(filepath.Join(root, "nightly", "db", filepath.Base(run.File))); err != nil {
		t.Fatalf("the backup file is not under the backup root: %v", err)
	}
	resp, b := call(t, inst.URL, http.MethodGet, "/v1/backup-schedules/"+s.ID+"/runs", inst.AdminKey, "")
	mustStatus(t, resp, b, http.StatusOK)
	noHostPaths("the list of runs", b)

	// Replace the destination by a link out of the root after it was accepted.
	if err := os.RemoveAll(filepath.Join(root, "nightly")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "nightly")); err != nil {
		t.Fatal(err)
	}
	resp, b = call(t, inst.URL, http.MethodPost, "/v1/backup-schedules/"+s.ID+"/run", inst.AdminKey, "")
	mustStatus(t, resp, b, http.StatusCreated)
	noHostPaths("a failed run", b)
	if failed := decode[apiv1.BackupRun](t, b); failed.Status != apiv1.BackupRunFailed || !strings.Contains(failed.Error, "backup root") {
		t.Fatalf("a run through a link out of the root = %+v, want failed", failed)
	}
	if entries, err := os.ReadDir(outside); err != nil || len(entries) != 0 {
		t.Fatalf("the run wrote outside the backup root: %v %v", entries, err)
	}
}

// TestBackupRootConfigMovesEveryDestination proves that with a backup root
// of its own (--backup-root) the server writes backups there and nowhere in
// the data directory.
func TestBackupRootConfigMovesEveryDestination(t *testing.T) {
	root := t.TempDir()
	inst := servertest.Start(t, servertest.WithBackupRoot(root))
	s := createSchedule(t, inst, `{"name":"nightly","cron":"0 3 * * *","destination":"nightly"}`)
	run := runNow(t, inst, s.ID)
	if run.Status != apiv1.BackupRunSucceeded {
		t.Fatalf("run = %+v", run)
	}
	if _, err := os.Stat(filepath.Join(root, "nightly", filepath.Base(run.File))); err != nil {
		t.Fatalf("the backup is not under the configured root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(inst.DataDir(), "backups")); !os.IsNotExist(err) {
		t.Fatalf("the data directory's backups/ exists although the root is elsewhere: %v", err)
	}
}
