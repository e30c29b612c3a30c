package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

const backupSchedulesPath = "/v1/backup-schedules"

// CreateBackupSchedule creates a backup schedule (POST /v1/backup-schedules).
func (c *Client) CreateBackupSchedule(ctx context.Context, req apiv1.CreateBackupScheduleRequest) (*apiv1.BackupSchedule, error) {
	return send[apiv1.BackupSchedule](ctx, c, http.MethodPost, backupSchedulesPath, req)
}

// GetBackupSchedule returns one backup schedule
// (GET /v1/backup-schedules/{id}); unknown ids yield ErrNotFound.
func (c *Client) GetBackupSchedule(ctx context.Context, id string) (*apiv1.BackupSchedule, error) {
	return sendTo[apiv1.BackupSchedule](ctx, c, http.MethodGet, backupSchedulesPath, id, nil)
}

// RefreshBackupSchedule returns the same as GetBackupSchedule, coalesced
// with other reads of backup schedules (see refresh.go): for Terraform's
// refresh of many schedules.
func (c *Client) RefreshBackupSchedule(ctx context.Context, id string) (*apiv1.BackupSchedule, error) {
	return c.backupSchedules.read(ctx, id)
}

// ListBackupSchedulesOptions filters ListBackupSchedules. Zero fields do not
// filter.
type ListBackupSchedulesOptions struct {
	// Enabled, when set, keeps only enabled (true) or disabled (false)
	// schedules.
	Enabled *bool
	// Limit stops the listing after this many schedules (0 = all).
	Limit int
}

// ListBackupSchedules returns every backup schedule matching opts
// (GET /v1/backup-schedules), following next_cursor to the last page or to
// opts.Limit schedules.
func (c *Client) ListBackupSchedules(ctx context.Context, opts ListBackupSchedulesOptions) ([]apiv1.BackupSchedule, error) {
	q := url.Values{}
	if opts.Enabled != nil {
		q.Set("enabled", strconv.FormatBool(*opts.Enabled))
	}
	return listAll[apiv1.BackupSchedule](ctx, c, backupSchedulesPath, q, opts.Limit)
}

// UpdateBackupSchedule applies a merge patch to a backup schedule
// (PATCH /v1/backup-schedules/{id}).
func (c *Client) UpdateBackupSchedule(ctx context.Context, id string, req apiv1.UpdateBackupScheduleRequest) (*apiv1.BackupSchedule, error) {
	return sendTo[apiv1.BackupSchedule](ctx, c, http.MethodPatch, backupSchedulesPath, id, req)
}

// DeleteBackupSchedule deletes a backup schedule
// (DELETE /v1/backup-schedules/{id}). Its backup files stay where they are.
func (c *Client) DeleteBackupSchedule(ctx context.Context, id string) error {
	return deleteObject(ctx, c, backupSchedulesPath, id)
}

// ListBackupRuns returns the runs of a backup schedule, newest first
// (GET /v1/backup-schedules/{id}/runs): at most limit runs, or all when limit
// is 0.
func (c *Client) ListBackupRuns(ctx context.Context, scheduleID string, limit int) ([]apiv1.BackupRun, error) {
	if limit < 0 {
		return nil, fmt.Errorf("%s: limit must be 0 (all) or more, got %d", backupSchedulesPath, limit)
	}
	path, err := objectPath(backupSchedulesPath, scheduleID, "runs")
	if err != nil {
		return nil, err
	}
	return listAll[apiv1.BackupRun](ctx, c, path, nil, limit)
}

// RunBackupNow runs a backup schedule at once (POST
// /v1/backup-schedules/{id}/run) and returns the finished run; a run that
// failed is returned with status "failed" and its error, not as an error.
func (c *Client) RunBackupNow(ctx context.Context, scheduleID string) (*apiv1.BackupRun, error) {
	return sendTo[apiv1.BackupRun](ctx, c, http.MethodPost, backupSchedulesPath, scheduleID, nil, "run")
}
