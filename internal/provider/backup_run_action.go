package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ action.Action              = (*backupRunAction)(nil)
	_ action.ActionWithConfigure = (*backupRunAction)(nil)
)

var opRunBackup = operation{verb: "run", object: "Keymate backup", scope: apiv1.ScopeBackupsWrite}

// Limits of keymate_backup_run's timeout, and how often it reports that it
// is still waiting.
const (
	defaultBackupTimeout = 30 * time.Minute
	minBackupTimeout     = 10 * time.Second
	maxBackupTimeout     = 24 * time.Hour
	backupProgressEvery  = 15 * time.Second
)

func newBackupRunAction() action.Action { return &backupRunAction{actionBase{typeName: "backup_run"}} }

type backupRunAction struct{ actionBase }

type backupRunActionModel struct {
	ScheduleID types.String `tfsdk:"schedule_id"`
	Timeout    types.String `tfsdk:"timeout"`
}

func (a *backupRunAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs a Keymate backup schedule now and waits for the backup and, when the schedule has " +
			"`verify_restore`, its restore drill, as the security guide asks (\"test recovery procedures\"). It reports progress " +
			"while it waits, then the run's id, size and checksum, and fails, naming the cause, when the backup or the restore " +
			"drill fails or `timeout` passes. The schedule itself is not changed, so no plan changes; the run is listed by the " +
			"`keymate_backup_runs` data source and is pruned with the schedule's `retention_days` like any other." +
			fmt.Sprintf(actionNote, "keymate_backup_run"),
		Attributes: map[string]schema.Attribute{
			"schedule_id": idAttribute(backupSchedules),
			"timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How long to wait for the backup and its restore drill, as a Go duration such as "+
					"`10m`; %s to %s, defaults to `%s`. A run still going when it passes may yet finish on the server.",
					minBackupTimeout, shortDuration(maxBackupTimeout), shortDuration(defaultBackupTimeout)),
				Validators: []validator.String{validators.DurationBetween(minBackupTimeout, maxBackupTimeout)},
			},
		},
	}
}

func (a *backupRunAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg backupRunActionModel
	if !a.config(ctx, req, resp, &cfg) {
		return
	}
	id := cfg.ScheduleID.ValueString()
	timeout := defaultBackupTimeout
	if !cfg.Timeout.IsNull() {
		timeout, _ = time.ParseDuration(cfg.Timeout.ValueString()) // the validator has checked it
	}
	s, err := a.data.client.GetBackupSchedule(ctx, id)
	if err != nil {
		resp.Diagnostics.Append(backupSchedules.op("read").diagnostics(err, nil)...)
		return
	}
	drill := "without a restore drill (verify_restore is false)"
	if s.VerifyRestore {
		drill = "and its restore drill"
	}
	progress(resp, "Running backup schedule %s (%s) now; waiting up to %s for the backup %s", s.ID, s.Name, shortDuration(timeout), drill)

	// The API answers when the backup and its drill are done: one request,
	// whose attempts may take as long as the whole timeout.
	ctx, cancel := context.WithTimeout(client.WithAttemptTimeout(ctx, timeout), timeout)
	defer cancel()
	type outcome struct {
		run *apiv1.BackupRun
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		run, err := a.data.client.RunBackupNow(ctx, id)
		done <- outcome{run, err}
	}()
	started := time.Now()
	ticker := time.NewTicker(backupProgressEvery)
	defer ticker.Stop()
	var res outcome
	for waiting := true; waiting; {
		select {
		case res = <-done:
			waiting = false
		case <-ticker.C:
			progress(resp, "Backup of %s still running after %s", s.ID, time.Since(started).Round(time.Second))
		}
	}
	run, err := res.run, res.err
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		resp.Diagnostics.AddError(opRunBackup.summary(), fmt.Sprintf("The backup of schedule %s did not finish within the timeout "+
			"of %s. It may still finish on the server: see the keymate_backup_runs data source. Raise timeout to wait longer.",
			s.ID, shortDuration(timeout)))
		return
	case err != nil:
		resp.Diagnostics.Append(opRunBackup.diagnostics(err, nil)...)
		return
	case run.Status != apiv1.BackupRunSucceeded:
		resp.Diagnostics.AddError(fmt.Sprintf("Keymate backup run %s of schedule %s failed", run.ID, s.ID),
			"The run failed: "+run.Error)
		return
	case s.VerifyRestore && !run.RestoreVerified:
		resp.Diagnostics.AddError(fmt.Sprintf("Keymate backup run %s of schedule %s was not verified", run.ID, s.ID),
			"The backup was written, but its restore drill did not verify it: "+run.Error)
		return
	}
	verified := ""
	if run.RestoreVerified {
		verified = "; the restore drill verified it"
	}
	progress(resp, "Backup run %s finished in %s: %d bytes, sha256 %s%s", run.ID, run.FinishedAt.Sub(run.StartedAt), run.SizeBytes, run.SHA256, verified)
}
