package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
)

var (
	_ datasource.DataSource              = (*backupRunsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*backupRunsDataSource)(nil)
)

// defaultBackupRunsLimit is how many runs the data source lists when limit is
// not set.
const defaultBackupRunsLimit = 10

func newBackupRunsDataSource() datasource.DataSource {
	return &backupRunsDataSource{dataSourceBase{typeName: "backup_runs"}}
}

type backupRunsDataSource struct{ dataSourceBase }

type backupRunsDataSourceModel struct {
	ScheduleID            types.String         `tfsdk:"schedule_id"`
	Limit                 types.Int64          `tfsdk:"limit"`
	Runs                  []backupRunDataModel `tfsdk:"runs"`
	LastSuccessAt         types.String         `tfsdk:"last_success_at"`
	LastVerifiedRestoreAt types.String         `tfsdk:"last_verified_restore_at"`
}

type backupRunDataModel struct {
	ID              types.String `tfsdk:"id"`
	StartedAt       types.String `tfsdk:"started_at"`
	FinishedAt      types.String `tfsdk:"finished_at"`
	Status          types.String `tfsdk:"status"`
	SizeBytes       types.Int64  `tfsdk:"size_bytes"`
	SHA256          types.String `tfsdk:"sha256"`
	Encrypted       types.Bool   `tfsdk:"encrypted"`
	RestoreVerified types.Bool   `tfsdk:"restore_verified"`
	Error           types.String `tfsdk:"error"`
	File            types.String `tfsdk:"file"`
}

func (d *backupRunsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The recent runs of a Keymate backup schedule, newest first, with the time of the last " +
			"successful backup and of the last restore drill that passed: the backup status the security guide asks you " +
			"to monitor (for example in a `check` block)." + dataSourceStateNote,
		Attributes: map[string]schema.Attribute{
			"schedule_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the backup schedule, such as `keymate_backup_schedule.nightly.id`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"limit": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: fmt.Sprintf("How many of the newest runs `runs` lists, 1 to %d; defaults to %d. "+
					"`last_success_at` and `last_verified_restore_at` look at every run regardless.",
					apiv1.MaxBackupRunsListLimit, defaultBackupRunsLimit),
				Validators: []validator.Int64{int64validator.Between(1, apiv1.MaxBackupRunsListLimit)},
			},
			"runs": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The newest runs, newest first.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":          computedString("Run id, such as `br_...`."),
						"started_at":  computedString("When the run started (RFC 3339, UTC)."),
						"finished_at": computedString("When the run finished (RFC 3339, UTC)."),
						"status": computedString("`succeeded`, `failed`, or `pruned` (its file was deleted by retention after " +
							"`retention_days`)."),
						"size_bytes": schema.Int64Attribute{Computed: true, MarkdownDescription: "Size of the backup file in bytes."},
						"sha256":     computedString("Hex SHA-256 of the backup file's bytes (after encryption when encrypted)."),
						"encrypted":  schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the file is encrypted (AES-256-GCM)."},
						"restore_verified": schema.BoolAttribute{
							Computed: true,
							MarkdownDescription: "Whether the run's restore drill passed: the backup was decrypted, opened, " +
								"passed an integrity check and held the object counts of the snapshot.",
						},
						"error": computedString("Why the run failed; `\"\"` when it did not."),
						"file":  computedString("Path of the backup file relative to the server's backup root, such as `nightly/keymate-20260101T030000Z-br_....kmbackup`; its manifest lies beside it."),
					},
				},
			},
			"last_success_at": computedString("When the newest run with status `succeeded` finished (RFC 3339, UTC): the " +
				"newest backup that can be restored now. Null when there is none."),
			"last_verified_restore_at": computedString("When the newest run whose restore drill passed finished (RFC 3339, " +
				"UTC), even if retention has since pruned its file. Null when no drill has passed."),
		},
	}
}

func (d *backupRunsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg backupRunsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	op := operation{verb: "list", object: "Keymate backup runs", scope: apiv1.ScopeBackupsRead}
	runs, err := d.data.client.ListBackupRuns(ctx, cfg.ScheduleID.ValueString(), 0)
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("schedule_id"), op.summary(),
			fmt.Sprintf("No Keymate backup schedule has id %q. Check the id (it looks like bs_...).", cfg.ScheduleID.ValueString()))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(op.diagnostics(err, nil)...)
		return
	}
	if cfg.Limit.IsNull() {
		cfg.Limit = types.Int64Value(defaultBackupRunsLimit)
	}
	cfg.setRuns(runs)
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// setRuns fills the computed attributes from every run of the schedule,
// newest first: the newest Limit runs and the two summary times.
func (m *backupRunsDataSourceModel) setRuns(runs []apiv1.BackupRun) {
	m.LastSuccessAt, m.LastVerifiedRestoreAt = types.StringNull(), types.StringNull()
	for _, r := range runs { // newest first: the first match is the newest
		if m.LastSuccessAt.IsNull() && r.Status == apiv1.BackupRunSucceeded {
			m.LastSuccessAt = timeString(r.FinishedAt)
		}
		if m.LastVerifiedRestoreAt.IsNull() && r.RestoreVerified {
			m.LastVerifiedRestoreAt = timeString(r.FinishedAt)
		}
	}
	runs = runs[:min(len(runs), int(m.Limit.ValueInt64()))]
	m.Runs = make([]backupRunDataModel, len(runs))
	for i, r := range runs {
		m.Runs[i] = backupRunDataModel{
			ID:              types.StringValue(r.ID),
			StartedAt:       timeString(r.StartedAt),
			FinishedAt:      timeString(r.FinishedAt),
			Status:          types.StringValue(r.Status),
			SizeBytes:       types.Int64Value(r.SizeBytes),
			SHA256:          types.StringValue(r.SHA256),
			Encrypted:       types.BoolValue(r.Encrypted),
			RestoreVerified: types.BoolValue(r.RestoreVerified),
			Error:           types.StringValue(r.Error),
			File:            types.StringValue(r.File),
		}
	}
}
