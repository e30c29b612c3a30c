package apiv1

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// Object kinds a backup schedule's include set can name. IncludeAll stands for
// every kind and cannot be combined with others.
const (
	IncludeAPIKeys              = "api_keys"
	IncludeNotificationChannels = "notification_channels"
	IncludeAlertRules           = "alert_rules"
	IncludeAccessGrants         = "access_grants"
	IncludeBackupSchedules      = "backup_schedules"
	IncludeAll                  = "all"
)

// BackupKinds lists the object kinds a backup can include, in documentation
// order (IncludeAll excluded).
var BackupKinds = []string{
	IncludeAPIKeys, IncludeNotificationChannels, IncludeAlertRules,
	IncludeAccessGrants, IncludeBackupSchedules,
}

// Backup run status values.
const (
	BackupRunSucceeded = "succeeded"
	BackupRunFailed    = "failed"
	BackupRunPruned    = "pruned"
)

// Limits and defaults of backup schedules.
const (
	MinRetentionDays            = 1
	MaxRetentionDays            = 3650
	DefaultRetentionDays        = 30
	RecommendedMinRetentionDays = 7 // below this the provider warns
	DefaultBackupTimezone       = "UTC"
	DefaultBackupDestination    = "."
	MaxBackupDestinationLength  = 1024
	MaxBackupRunsListLimit      = 100
)

// BackupSchedule is a backup schedule as the API returns it. NextRunAt (null
// when disabled) and LastRun (null before the first run) are volatile.
type BackupSchedule struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Cron          string     `json:"cron"`
	Timezone      string     `json:"timezone"`
	RetentionDays int64      `json:"retention_days"`
	Include       []string   `json:"include"`
	Destination   string     `json:"destination"`
	Encrypt       bool       `json:"encrypt"`
	VerifyRestore bool       `json:"verify_restore"`
	Enabled       bool       `json:"enabled"`
	NextRunAt     *time.Time `json:"next_run_at"`
	LastRun       *BackupRun `json:"last_run"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	Version       int64      `json:"version"`
}

// CreateBackupScheduleRequest is the body of POST /v1/backup-schedules.
// Optional fields left nil take the server's defaults: timezone "UTC",
// retention_days 30, include ["all"], destination "backups", encrypt false,
// verify_restore true, enabled true.
type CreateBackupScheduleRequest struct {
	Name          string   `json:"name"`
	Cron          string   `json:"cron"`
	Timezone      *string  `json:"timezone,omitempty"`
	RetentionDays *int64   `json:"retention_days,omitempty"`
	Include       []string `json:"include,omitempty"`
	Destination   *string  `json:"destination,omitempty"`
	Encrypt       *bool    `json:"encrypt,omitempty"`
	VerifyRestore *bool    `json:"verify_restore,omitempty"`
	Enabled       *bool    `json:"enabled,omitempty"`
}

// UpdateBackupScheduleRequest is the body of PATCH /v1/backup-schedules/{id}:
// a merge patch. Absent fields stay as they are.
type UpdateBackupScheduleRequest struct {
	Name          *string   `json:"name,omitempty"`
	Cron          *string   `json:"cron,omitempty"`
	Timezone      *string   `json:"timezone,omitempty"`
	RetentionDays *int64    `json:"retention_days,omitempty"`
	Include       *[]string `json:"include,omitempty"`
	Destination   *string   `json:"destination,omitempty"`
	Encrypt       *bool     `json:"encrypt,omitempty"`
	VerifyRestore *bool     `json:"verify_restore,omitempty"`
	Enabled       *bool     `json:"enabled,omitempty"`
}

// BackupScheduleList is a page of backup schedules.
type BackupScheduleList struct {
	Data       []BackupSchedule `json:"data"`
	NextCursor string           `json:"next_cursor"`
}

// BackupRun is one run of a backup schedule. File is the backup file's path
// on the server; SHA256 is the hex digest of that file's bytes (after
// encryption when Encrypted). RestoreVerified is true when the run's restore
// drill passed. Error says why a run failed.
type BackupRun struct {
	ID              string    `json:"id"`
	ScheduleID      string    `json:"schedule_id"`
	StartedAt       time.Time `json:"started_at"`
	FinishedAt      time.Time `json:"finished_at"`
	Status          string    `json:"status"`
	SizeBytes       int64     `json:"size_bytes"`
	SHA256          string    `json:"sha256"`
	Encrypted       bool      `json:"encrypted"`
	RestoreVerified bool      `json:"restore_verified"`
	Error           string    `json:"error"`
	File            string    `json:"file"`
}

// BackupRunList is a page of backup runs, newest first.
type BackupRunList struct {
	Data       []BackupRun `json:"data"`
	NextCursor string      `json:"next_cursor"`
}

// backupDestinationRule holds a destination to the limits of every text.
var backupDestinationRule = TextRule{MaxLength: MaxBackupDestinationLength, Required: true}

// CheckBackupDestination returns nil when dest can name a directory inside
// the server's backup root: a relative path with "/" between directories and
// no ".." step ("." is the root itself). The server also refuses a
// destination that a symbolic link leads out of the root, which only it can
// see.
func CheckBackupDestination(dest string) error {
	if err := backupDestinationRule.Check(dest); err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(dest, "/"):
		return errors.New(`must be a directory relative to the server's backup root, such as "nightly", not an absolute path`)
	case strings.Contains(dest, `\`):
		return errors.New(`must separate directories with "/", not "\"`)
	case slices.Contains(strings.Split(dest, "/"), ".."):
		return errors.New(`must stay inside the server's backup root: no ".." step`)
	}
	return nil
}
