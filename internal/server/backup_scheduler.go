package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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

func (s *Server) runScheduled(ctx context.Context, b store.BackupSchedule, now time.Time) error {
	run := s.runBackup(ctx, b)
	if run.Status == apiv1.BackupRunFailed {
		s.logger.Warn("scheduled backup failed", "schedule_id", b.ID, "run_id", run.ID, "error", run.Error)
	}
	if err := s.store.InsertBackupRun(ctx, run); err != nil {
		return err
	}
	sched, err := schedule.Parse(b.Cron, b.Timezone)
	if err != nil {
		return fmt.Errorf("backup schedule %s: %w", b.ID, err)
	}
	return s.store.SetBackupNextRun(ctx, b.ID, b.Version, sched.Next(now))
}

// runBackup takes one backup of schedule b and returns its run record, which
// says whether it failed and why.
func (s *Server) runBackup(ctx context.Context, b store.BackupSchedule) store.BackupRun {
	run := store.BackupRun{ID: newID("br"), ScheduleID: b.ID, StartedAt: s.clock.Now(), Status: apiv1.BackupRunSucceeded}
	res, err := s.writeBackup(ctx, b, run.ID, run.StartedAt)
	run.FinishedAt = s.clock.Now()
	run.File, run.SizeBytes, run.SHA256 = res.File, res.Manifest.SizeBytes, res.Manifest.SHA256
	run.Encrypted, run.RestoreVerified = res.Manifest.Encrypted, res.RestoreVerified
	if err != nil {
		run.Status, run.Error = apiv1.BackupRunFailed, err.Error()
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
	return backup.Create(ctx, backup.Request{
		Store: s.store, DataDir: s.dataDir, Dir: s.backupDir(b.Destination),
		ScheduleID: b.ID, RunID: runID, Include: include, Key: key, Verify: b.VerifyRestore, Now: now,
	})
}

// backupDir resolves a destination: relative paths are under the data
// directory.
func (s *Server) backupDir(destination string) string {
	if filepath.IsAbs(destination) {
		return destination
	}
	return filepath.Join(s.dataDir, destination)
}

// pruneBackups deletes the files (and manifests) of b's runs that started
// more than b.RetentionDays before now and marks those runs pruned.
func (s *Server) pruneBackups(ctx context.Context, b store.BackupSchedule, now time.Time) error {
	cutoff := now.Add(-time.Duration(b.RetentionDays) * 24 * time.Hour)
	runs, err := s.store.ExpiredBackupRuns(ctx, b.ID, cutoff)
	if err != nil {
		return err
	}
	for _, run := range runs {
		for _, path := range []string{run.File, run.File + backup.ManifestSuffix} {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("pruning backup run %s: %w", run.ID, err)
			}
		}
		if err := s.store.MarkBackupRunPruned(ctx, run.ID); err != nil {
			return err
		}
	}
	return nil
}
