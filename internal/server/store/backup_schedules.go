package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// BackupSchedule is a backup schedule as stored. NextRunAt is nil while the
// schedule is disabled.
type BackupSchedule struct {
	Seq           int64
	ID            string
	Name          string
	Cron          string
	Timezone      string
	RetentionDays int64
	Include       []string
	Destination   string
	Encrypt       bool
	VerifyRestore bool
	Enabled       bool
	NextRunAt     *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int64
}

const backupScheduleColumns = `seq, id, name, cron, timezone, retention_days, include, destination, encrypt,
	verify_restore, enabled, next_run_at, created_at, updated_at, version`

// GetBackupSchedule returns the schedule with the given id, or ErrNotFound.
func (s *Store) GetBackupSchedule(ctx context.Context, id string) (BackupSchedule, error) {
	return getBackupSchedule(ctx, s.db, id)
}

// GetBackupSchedule returns the schedule with the given id, or ErrNotFound.
func (tx *Tx) GetBackupSchedule(ctx context.Context, id string) (BackupSchedule, error) {
	return getBackupSchedule(ctx, tx.tx, id)
}

func getBackupSchedule(ctx context.Context, q querier, id string) (BackupSchedule, error) {
	return queryOne(ctx, q, "reading backup schedule "+id, scanBackupSchedule,
		`SELECT `+backupScheduleColumns+` FROM backup_schedules WHERE id = ?`, id)
}

// BackupScheduleFilter selects schedules for ListBackupSchedules. Zero
// fields do not filter.
type BackupScheduleFilter struct {
	Enabled   *bool
	IDs       []string
	BeforeSeq int64 // return schedules with Seq < BeforeSeq (the cursor)
	Limit     int   // 0 = no limit
}

// ListBackupSchedules returns the schedules matching f, newest first.
func (s *Store) ListBackupSchedules(ctx context.Context, f BackupScheduleFilter) ([]BackupSchedule, error) {
	l := newListQuery(`SELECT `+backupScheduleColumns+` FROM backup_schedules`, "seq", f.BeforeSeq)
	if f.Enabled != nil {
		l.add("enabled = ?", *f.Enabled)
	}
	l.addIDs("id", f.IDs)
	query, args := l.build(f.Limit)
	return queryAll(ctx, s.db, "listing backup schedules", scanBackupSchedule, query, args...)
}

// InsertBackupSchedule stores a new schedule and sets b.Seq.
func (tx *Tx) InsertBackupSchedule(ctx context.Context, b *BackupSchedule) error {
	include, err := json.Marshal(b.Include)
	if err != nil {
		return fmt.Errorf("encoding include: %w", err)
	}
	seq, err := tx.insert(ctx, `INSERT INTO backup_schedules (
		id, name, cron, timezone, retention_days, include, destination, encrypt, verify_restore, enabled,
		next_run_at, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.ID, b.Name, b.Cron, b.Timezone, b.RetentionDays, string(include), b.Destination, b.Encrypt, b.VerifyRestore,
		b.Enabled, nullableNanos(b.NextRunAt), toNanos(b.CreatedAt), toNanos(b.UpdatedAt), b.Version)
	if err != nil {
		return fmt.Errorf("inserting backup schedule %s: %w", b.ID, err)
	}
	b.Seq = seq
	return nil
}

// UpdateBackupSchedule writes every mutable field of b, identified by b.ID.
func (tx *Tx) UpdateBackupSchedule(ctx context.Context, b BackupSchedule) error {
	include, err := json.Marshal(b.Include)
	if err != nil {
		return fmt.Errorf("encoding include: %w", err)
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE backup_schedules SET
		name = ?, cron = ?, timezone = ?, retention_days = ?, include = ?, destination = ?, encrypt = ?,
		verify_restore = ?, enabled = ?, next_run_at = ?, updated_at = ?, version = ?
		WHERE id = ?`,
		b.Name, b.Cron, b.Timezone, b.RetentionDays, string(include), b.Destination, b.Encrypt,
		b.VerifyRestore, b.Enabled, nullableNanos(b.NextRunAt), toNanos(b.UpdatedAt), b.Version, b.ID)
	return checkOneRow(res, err, "updating backup schedule "+b.ID)
}

// SetBackupNextRun records when a schedule runs next, unless the schedule
// changed since version (its update planned the next run then). It is
// bookkeeping of the scheduler, not a change of the schedule, so neither
// version nor updated_at move.
func (tx *Tx) SetBackupNextRun(ctx context.Context, id string, version int64, next time.Time) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE backup_schedules SET next_run_at = ? WHERE id = ? AND version = ?`,
		toNanos(next), id, version); err != nil {
		return fmt.Errorf("recording next run of backup schedule %s: %w", id, err)
	}
	return nil
}

// DeleteBackupSchedule deletes a schedule and its run records (not its
// backup files); ErrNotFound when there is no such schedule.
func (tx *Tx) DeleteBackupSchedule(ctx context.Context, id string) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM backup_runs WHERE schedule_id = ?`, id); err != nil {
		return fmt.Errorf("deleting runs of backup schedule %s: %w", id, err)
	}
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM backup_schedules WHERE id = ?`, id)
	return checkOneRow(res, err, "deleting backup schedule "+id)
}

func scanBackupSchedule(row scanner) (BackupSchedule, error) {
	var (
		b                    BackupSchedule
		include              string
		createdAt, updatedAt int64
		nextRunAt            sql.NullInt64
	)
	err := row.Scan(&b.Seq, &b.ID, &b.Name, &b.Cron, &b.Timezone, &b.RetentionDays, &include, &b.Destination,
		&b.Encrypt, &b.VerifyRestore, &b.Enabled, &nextRunAt, &createdAt, &updatedAt, &b.Version)
	if err != nil {
		return BackupSchedule{}, err
	}
	if err := json.Unmarshal([]byte(include), &b.Include); err != nil {
		return BackupSchedule{}, fmt.Errorf("decoding stored include: %w", err)
	}
	b.NextRunAt = timeFromNullable(nextRunAt)
	b.CreatedAt = fromNanos(createdAt)
	b.UpdatedAt = fromNanos(updatedAt)
	return b, nil
}

// BackupRun is one run of a backup schedule.
type BackupRun struct {
	Seq             int64
	ID              string
	ScheduleID      string
	StartedAt       time.Time
	FinishedAt      time.Time
	Status          string
	SizeBytes       int64
	SHA256          string
	Encrypted       bool
	RestoreVerified bool
	Error           string
	File            string
}

const backupRunColumns = `seq, id, schedule_id, started_at, finished_at, status, size_bytes, sha256, encrypted,
	restore_verified, error, file`

// InsertBackupRun stores a run record.
// InsertBackupRun stores a run record.
func (tx *Tx) InsertBackupRun(ctx context.Context, r BackupRun) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO backup_runs (
		id, schedule_id, started_at, finished_at, status, size_bytes, sha256, encrypted, restore_verified, error, file)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.ScheduleID, toNanos(r.StartedAt), toNanos(r.FinishedAt), r.Status, r.SizeBytes, r.SHA256,
		r.Encrypted, r.RestoreVerified, r.Error, r.File)
	if err != nil {
		return fmt.Errorf("inserting backup run %s: %w", r.ID, err)
	}
	return nil
}

// ListBackupRuns returns up to limit runs of a schedule with Seq < beforeSeq
// (any when 0), newest first.
func (s *Store) ListBackupRuns(ctx context.Context, scheduleID string, beforeSeq int64, limit int) ([]BackupRun, error) {
	return listBackupRuns(ctx, s.db, scheduleID, beforeSeq, limit)
}

// ListBackupRuns returns up to limit runs of a schedule with Seq < beforeSeq
// (any when 0), newest first.
func (tx *Tx) ListBackupRuns(ctx context.Context, scheduleID string, beforeSeq int64, limit int) ([]BackupRun, error) {
	return listBackupRuns(ctx, tx.tx, scheduleID, beforeSeq, limit)
}

func listBackupRuns(ctx context.Context, q querier, scheduleID string, beforeSeq int64, limit int) ([]BackupRun, error) {
	l := newListQuery(`SELECT `+backupRunColumns+` FROM backup_runs`, "seq", beforeSeq)
	l.add("schedule_id = ?", scheduleID)
	query, args := l.build(limit)
	return queryAll(ctx, q, "listing backup runs", scanBackupRun, query, args...)
}

// ExpiredBackupRuns returns the runs of a schedule that started before cutoff
// and still have a backup file, oldest first.
func (s *Store) ExpiredBackupRuns(ctx context.Context, scheduleID string, cutoff time.Time) ([]BackupRun, error) {
	return queryAll(ctx, s.db, "listing backup runs", scanBackupRun, `SELECT `+backupRunColumns+` FROM backup_runs
		WHERE schedule_id = ? AND started_at < ? AND file <> '' AND status <> 'pruned' ORDER BY seq`,
		scheduleID, toNanos(cutoff))
}

// MarkBackupRunPruned records that a run's backup file was deleted.
func (s *Store) MarkBackupRunPruned(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, `UPDATE backup_runs SET status = 'pruned' WHERE id = ?`, id); err != nil {
		return fmt.Errorf("marking backup run %s pruned: %w", id, err)
	}
	return nil
}

func scanBackupRun(row scanner) (BackupRun, error) {
	var r BackupRun
	var started, finished int64
	if err := row.Scan(&r.Seq, &r.ID, &r.ScheduleID, &started, &finished, &r.Status, &r.SizeBytes, &r.SHA256,
		&r.Encrypted, &r.RestoreVerified, &r.Error, &r.File); err != nil {
		return BackupRun{}, err
	}
	r.StartedAt, r.FinishedAt = fromNanos(started), fromNanos(finished)
	return r, nil
}

// BackupRunTimes is when a schedule's newest runs of two kinds finished.
type BackupRunTimes struct {
	ScheduleID string
	// LastSuccessAt is the newest run with status succeeded: the newest
	// backup that can be restored now. Nil when there is none.
	LastSuccessAt *time.Time
	// LastVerifiedRestoreAt is the newest run whose restore drill passed,
	// even if retention has since pruned its file. Nil when none passed.
	LastVerifiedRestoreAt *time.Time
}

// LatestBackupRunTimes returns the BackupRunTimes of every schedule that has
// runs.
func (s *Store) LatestBackupRunTimes(ctx context.Context) ([]BackupRunTimes, error) {
	return queryAll(ctx, s.db, "finding the latest backup runs", scanBackupRunTimes, `SELECT schedule_id,
		MAX(CASE WHEN status = ? THEN finished_at END), MAX(CASE WHEN restore_verified THEN finished_at END)
		FROM backup_runs GROUP BY schedule_id`, apiv1.BackupRunSucceeded)
}

func scanBackupRunTimes(row scanner) (BackupRunTimes, error) {
	var t BackupRunTimes
	var success, restore sql.NullInt64
	if err := row.Scan(&t.ScheduleID, &success, &restore); err != nil {
		return BackupRunTimes{}, err
	}
	t.LastSuccessAt, t.LastVerifiedRestoreAt = timeFromNullable(success), timeFromNullable(restore)
	return t, nil
}
