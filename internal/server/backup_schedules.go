package server

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/schedule"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// Audit vocabulary of backup schedules.
const (
	objectTypeBackupSchedule = "backup_schedule"
)

// storedSchedules are the stored backup schedules.
var storedSchedules = stored[store.BackupSchedule]{
	objectType: objectTypeBackupSchedule, noun: "backup schedule",
	read: (*store.Store).GetBackupSchedule, get: (*store.Tx).GetBackupSchedule,
	insert: (*store.Tx).InsertBackupSchedule, update: (*store.Tx).UpdateBackupSchedule, delete: (*store.Tx).DeleteBackupSchedule,
	meta: func(b *store.BackupSchedule) (string, *int64, *time.Time) { return b.ID, &b.Version, &b.UpdatedAt },
}

// backupSchedules is the kind of backup schedules, which can be run at once
// and whose runs can be listed.
func (s *Server) backupSchedules() kind {
	return kind{collection: apiv1.CollectionBackupSchedules, objectType: objectTypeBackupSchedule,
		read: apiv1.ScopeBackupsRead, write: apiv1.ScopeBackupsWrite,
		create: s.handleCreateBackupSchedule, list: s.handleListBackupSchedules,
		update: s.handleUpdateBackupSchedule, remove: storedSchedules.deleteHandler(s, storedSchedules.load),
		get: getHandler(s, storedSchedules, s.scheduleView),
		operations: []operation{
			{http.MethodGet, "runs", apiv1.ScopeBackupsRead, s.handleListBackupRuns},
			{http.MethodPost, "run", apiv1.ScopeBackupsWrite, s.handleRunBackupNow},
		},
	}
}

func (s *Server) handleCreateBackupSchedule(w http.ResponseWriter, r *http.Request) {
	body, req, in, ok := readJSON[apiv1.CreateBackupScheduleRequest](s, w, r)
	if !ok {
		return
	}
	spec, err := validateCreateSchedule(req, in, s.backupKey != nil)
	if err == nil {
		err = s.checkBackupDestination(spec.destination)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.clock.Now()
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		b := store.BackupSchedule{
			ID: newID("bs"), Name: spec.name, Cron: spec.cron, Timezone: spec.timezone,
			RetentionDays: spec.retentionDays, Include: spec.include, Destination: spec.destination,
			Encrypt: spec.encrypt, VerifyRestore: spec.verifyRestore, Enabled: spec.enabled,
			CreatedAt: now, UpdatedAt: now, Version: 1,
		}
		if err := planNextRun(&b, now); err != nil {
			return result{}, err
		}
		fields := []string{"cron", "destination", "enabled", "encrypt", "include", "name", "retention_days", "timezone", "verify_restore"}
		return storedSchedules.create(s, ctx, tx, r, &b, fields, func() any { return scheduleToWire(b, nil) })
	})
}

// planNextRun sets b.NextRunAt to the schedule's first time after now, or nil
// while it is disabled.
func planNextRun(b *store.BackupSchedule, now time.Time) error {
	if !b.Enabled {
		b.NextRunAt = nil
		return nil
	}
	sched, err := schedule.Parse(b.Cron, b.Timezone)
	if err != nil {
		return err // validated before; a stored schedule always parses
	}
	next := sched.Next(now)
	b.NextRunAt = &next
	return nil
}

func (s *Server) handleListBackupSchedules(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f fieldErrors
	filter := store.BackupScheduleFilter{IDs: f.parseIDs(q)}
	filter.Limit, filter.BeforeSeq = f.parsePage(q)
	filter.Enabled = f.parseQueryBool(q, "enabled")
	writeList(s, w, r, f, filter.Limit, func(limit int) ([]store.BackupSchedule, error) {
		filter.Limit = limit
		return s.store.ListBackupSchedules(r.Context(), filter)
	}, func(b store.BackupSchedule) int64 { return b.Seq }, s.scheduleView)
}

// listRunsFunc is the ListBackupRuns of the store or of a transaction.
type listRunsFunc func(ctx context.Context, scheduleID string, beforeSeq int64, limit int) ([]store.BackupRun, error)

// scheduleView is the API representation of b with its latest run.
func (s *Server) scheduleView(ctx context.Context, b store.BackupSchedule) (apiv1.BackupSchedule, error) {
	return scheduleWithLastRun(ctx, s.store.ListBackupRuns, b)
}

// scheduleWithLastRun is the API representation of b with its latest run,
// read with listRuns.
func scheduleWithLastRun(ctx context.Context, listRuns listRunsFunc, b store.BackupSchedule) (apiv1.BackupSchedule, error) {
	runs, err := listRuns(ctx, b.ID, 0, 1)
	if err != nil {
		return apiv1.BackupSchedule{}, err
	}
	var last *apiv1.BackupRun
	if len(runs) > 0 {
		run := runToWire(runs[0])
		last = &run
	}
	return scheduleToWire(b, last), nil
}

func (s *Server) handleUpdateBackupSchedule(w http.ResponseWriter, r *http.Request) {
	body, req, in, ok := readJSON[apiv1.UpdateBackupScheduleRequest](s, w, r)
	if !ok {
		return
	}
	patch, err := validateUpdateSchedule(req, in, s.backupKey != nil)
	if err == nil && patch.destination != nil {
		err = s.checkBackupDestination(*patch.destination)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.clock.Now()
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		b, err := storedSchedules.load(ctx, tx, r)
		if err != nil {
			return result{}, err
		}
		changed := applySchedulePatch(&b, patch)
		if slices.ContainsFunc(changed, func(f string) bool { return f == "cron" || f == "timezone" || f == "enabled" }) {
			if err := planNextRun(&b, now); err != nil {
				return result{}, err
			}
		}
		if err := storedSchedules.save(s, ctx, tx, r, &b, now, "update", changed); err != nil {
			return result{}, err
		}
		view, err := scheduleWithLastRun(ctx, tx.ListBackupRuns, b)
		if err != nil {
			return result{}, err
		}
		return result{status: http.StatusOK, body: view, version: b.Version}, nil
	})
}

// applySchedulePatch changes b as p says and returns the names of the fields
// whose value changed, sorted.
func applySchedulePatch(b *store.BackupSchedule, p schedulePatch) []string {
	var changed []string
	patchField(&changed, "name", p.name, &b.Name)
	patchField(&changed, "cron", p.cron, &b.Cron)
	patchField(&changed, "timezone", p.timezone, &b.Timezone)
	patchField(&changed, "retention_days", p.retentionDays, &b.RetentionDays)
	if p.include != nil {
		recordChange(&changed, "include", !slices.Equal(p.include, b.Include), func() { b.Include = p.include })
	}
	patchField(&changed, "destination", p.destination, &b.Destination)
	patchField(&changed, "encrypt", p.encrypt, &b.Encrypt)
	patchField(&changed, "verify_restore", p.verifyRestore, &b.VerifyRestore)
	patchField(&changed, "enabled", p.enabled, &b.Enabled)
	slices.Sort(changed)
	return changed
}

func (s *Server) handleListBackupRuns(w http.ResponseWriter, r *http.Request) {
	writeSubList(s, w, r, storedSchedules, s.store.ListBackupRuns,
		func(run store.BackupRun) int64 { return run.Seq }, runToWire)
}

// handleRunBackupNow runs the schedule synchronously. The backup is taken
// inside the request's transaction, so that a retried request with the same
// Idempotency-Key replays the run instead of taking a second backup; other
// writers wait for it.
func (s *Server) handleRunBackupNow(w http.ResponseWriter, r *http.Request) {
	s.mutate(w, r, nil, func(ctx context.Context, tx *store.Tx) (result, error) {
		b, err := storedSchedules.find(ctx, tx, r)
		if err != nil {
			return result{}, err
		}
		run := s.runBackup(ctx, b)
		if err := tx.InsertBackupRun(ctx, run); err != nil {
			return result{}, err
		}
		if err := s.audit(ctx, tx, r, storedSchedules.ref(&b), "run", []string{"last_run"}); err != nil {
			return result{}, err
		}
		return result{status: http.StatusCreated, body: runToWire(run)}, nil
	})
}

func scheduleToWire(b store.BackupSchedule, last *apiv1.BackupRun) apiv1.BackupSchedule {
	return apiv1.BackupSchedule{
		ID: b.ID, Name: b.Name, Cron: b.Cron, Timezone: b.Timezone, RetentionDays: b.RetentionDays,
		Include: b.Include, Destination: b.Destination, Encrypt: b.Encrypt, VerifyRestore: b.VerifyRestore,
		Enabled: b.Enabled, NextRunAt: b.NextRunAt, LastRun: last, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
		Version: b.Version,
	}
}

func runToWire(r store.BackupRun) apiv1.BackupRun {
	return apiv1.BackupRun{
		ID: r.ID, ScheduleID: r.ScheduleID, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Status: r.Status,
		SizeBytes: r.SizeBytes, SHA256: r.SHA256, Encrypted: r.Encrypted, RestoreVerified: r.RestoreVerified,
		Error: r.Error, File: r.File,
	}
}
