package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/schedule"
	"github.com/keymate/terraform-provider-keymate/internal/server/backup"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// runDueBackups is the backup scheduler's periodic job: it runs every enabled
// schedule whose next run time has come (once, however many cron times were
// missed), plans its next run, and prunes the files of runs older than the
// schedule's retention. A failed backup is recorded as a failed run, not
// returned as an error.
func (s *Server) runDueBackups(ctx context.Context) error {
	schedules, err := s.store.ListBackupSchedules(ctx, store.BackupScheduleFilter{})
	if err != nil {
		return err
	}
	var errs []error
	for _, b := range schedules {
		now := s.clock.Now()
		if b.Enabled && b.NextRunAt != nil && !b.NextRunAt.After(now) {
			errs = append(errs, s.runScheduled(ctx, b, now))
		}
		errs = append(errs, s.pruneBackups(ctx, b, now))
	}
	return errors.Join(errs...)
}

// runScheduled runs schedule b and records the run together with the
// schedule's next run time, in one transaction, so that a leader that dies
// between the two does not leave the tick to run again on the next leader.
func (s *Server) runScheduled(ctx context.Context, b store.BackupSchedule, now time.Time) error {
	sched, err := schedule.Parse(b.Cron, b.Timezone)
	if err != nil {
		return fmt.Errorf("backup schedule %s: %w", b.ID, err)
	}
	run := s.runBackup(ctx, b)
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertBackupRun(ctx, run); err != nil {
			return err
		}
		return tx.SetBackupNextRun(ctx, b.ID, b.Version, sched.Next(now))
	})
}

// runBackup takes one backup of schedule b and returns its run record, which
// says whether it failed and why, in words that show no path of the host.
func (s *Server) runBackup(ctx context.Context, b store.BackupSchedule) store.BackupRun {
	run := store.BackupRun{ID: newID("br"), ScheduleID: b.ID, StartedAt: s.clock.Now(), Status: apiv1.BackupRunSucceeded}
	res, err := s.writeBackup(ctx, b, run.ID, run.StartedAt)
	run.FinishedAt = s.clock.Now()
	run.SizeBytes, run.SHA256 = res.Manifest.SizeBytes, res.Manifest.SHA256
	run.Encrypted, run.RestoreVerified = res.Manifest.Encrypted, res.RestoreVerified
	if res.File != "" {
		run.File = path.Join(b.Destination, filepath.Base(res.File))
	}
	if err != nil {
		s.logger.Warn("backup failed", "schedule_id", b.ID, "run_id", run.ID, "error", err)
		run.Status, run.Error = apiv1.BackupRunFailed, s.hidePaths.Replace(err.Error())
	}
	return run
}

func (s *Server) writeBackup(ctx context.Context, b store.BackupSchedule, runID string, now time.Time) (backup.Result, error) {
	var key []byte
	if b.Encrypt {
		if s.backupKey == nil {
			return backup.Result{}, errors.New("encrypt is set but the server has no backup encryption key; start it with --backup-encryption-key-file or KEYMATE_BACKUP_ENCRYPTION_KEY")
		}
		key = s.backupKey
	}
	include := b.Include
	if len(include) == 1 && include[0] == apiv1.IncludeAll {
		include = apiv1.BackupKinds
	}
	dir, err := s.backupDir(b.Destination)
	if err != nil {
		return backup.Result{}, fmt.Errorf("destination %q %w", b.Destination, err)
	}
	return backup.Create(ctx, backup.Request{
		Store: s.store, DataDir: s.dataDir, Dir: dir,
		ScheduleID: b.ID, RunID: runID, Include: include, Key: key, Verify: b.VerifyRestore, Now: now,
	})
}

// backupDir creates the directory of destination inside the backup root and
// returns its path with links resolved, so that the backup is written where
// it was checked to be. A destination is checked again at every run, since
// links may have changed since it was accepted.
func (s *Server) backupDir(destination string) (string, error) {
	root, err := os.OpenRoot(s.backupRoot)
	if err != nil {
		return "", fmt.Errorf("cannot open the backup root: %w", err)
	}
	defer root.Close()
	if err := checkDestinationIn(root, destination); err != nil {
		return "", err
	}
	name := filepath.FromSlash(destination)
	if err := root.MkdirAll(name, 0o700); err != nil {
		return "", errors.New("cannot be created inside the backup root")
	}
	realRoot, err := filepath.EvalSymlinks(s.backupRoot)
	if err != nil {
		return "", fmt.Errorf("cannot resolve the backup root: %w", err)
	}
	dir, err := filepath.EvalSymlinks(filepath.Join(s.backupRoot, name))
	if err != nil {
		return "", fmt.Errorf("cannot resolve the destination: %w", err)
	}
	if rel, err := filepath.Rel(realRoot, dir); err != nil || !filepath.IsLocal(rel) && rel != "." {
		return "", errLeavesBackupRoot
	}
	return dir, nil
}

// errLeavesBackupRoot says that a destination leads out of the backup root.
var errLeavesBackupRoot = errors.New("must stay inside the server's backup root: a symbolic link on the way leads out of it " +
	"(links inside the root must be relative and point inside it)")

// checkDestinationIn returns an error, showing no path of the host, when
// destination cannot be a directory inside root: it breaks
// apiv1.CheckBackupDestination, or a symbolic link on the way leads out of
// root, or a file is in the way.
func checkDestinationIn(root *os.Root, destination string) error {
	if err := apiv1.CheckBackupDestination(destination); err != nil {
		return err
	}
	name := filepath.FromSlash(destination)
	if !filepath.IsLocal(name) {
		return errors.New("must stay inside the server's backup root")
	}
	info, err := root.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil // created at the first run, inside the root
	case errors.Is(err, syscall.ENOTDIR) || err == nil && !info.IsDir():
		return errors.New("names a file inside the backup root, not a directory")
	case errors.Is(err, fs.ErrPermission):
		return errors.New("cannot be read by the server")
	case err != nil:
		return errLeavesBackupRoot
	}
	return nil
}

// checkBackupDestination is checkDestinationIn for a request: a 422 error
// naming destination.
func (s *Server) checkBackupDestination(destination string) error {
	root, err := os.OpenRoot(s.backupRoot)
	if err != nil {
		s.logger.Error("opening the backup root", "error", err)
		return errInternal
	}
	defer root.Close()
	if err := checkDestinationIn(root, destination); err != nil {
		return errValidation([]apiv1.FieldError{{Path: "destination", Message: err.Error()}})
	}
	return nil
}

// pruneBackups deletes the files (and manifests) of b's runs that started
// more than b.RetentionDays before now and marks those runs pruned. Files
// are named relative to the backup root and removed through it, so a stored
// name can never reach outside.
func (s *Server) pruneBackups(ctx context.Context, b store.BackupSchedule, now time.Time) error {
	cutoff := now.Add(-time.Duration(b.RetentionDays) * 24 * time.Hour)
	runs, err := s.store.ExpiredBackupRuns(ctx, b.ID, cutoff)
	if err != nil || len(runs) == 0 {
		return err
	}
	root, err := os.OpenRoot(s.backupRoot)
	if err != nil {
		return fmt.Errorf("opening the backup root: %w", err)
	}
	defer root.Close()
	for _, run := range runs {
		if run.File != "" {
			for _, name := range []string{run.File, run.File + backup.ManifestSuffix} {
				if err := root.Remove(filepath.FromSlash(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
					return fmt.Errorf("pruning backup run %s: %w", run.ID, err)
				}
			}
		}
		if err := s.store.MarkBackupRunPruned(ctx, run.ID); err != nil {
			return err
		}
	}
	return nil
}
