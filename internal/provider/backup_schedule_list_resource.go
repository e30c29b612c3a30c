package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
)

var (
	_ list.ListResource              = (*backupScheduleListResource)(nil)
	_ list.ListResourceWithConfigure = (*backupScheduleListResource)(nil)
)

var opListSchedules = operation{verb: "list", object: "Keymate backup schedules", scope: apiv1.ScopeBackupsRead}

func newBackupScheduleListResource() list.ListResource { return &backupScheduleListResource{} }

type backupScheduleListResource struct{ listBase }

type backupScheduleListModel struct {
	Enabled types.Bool `tfsdk:"enabled"`
}

func (l *backupScheduleListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backup_schedule"
}

func (l *backupScheduleListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists Keymate backup schedules, newest first, for `terraform query`." + listResourceNote,
		Attributes: map[string]schema.Attribute{
			"enabled": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Only enabled (`true`) or only disabled (`false`) schedules; unset lists both.",
			},
		},
	}
}

func (l *backupScheduleListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	stream.Results = listObjects(ctx, req, opListSchedules, func(cfg backupScheduleListModel, limit int) ([]apiv1.BackupSchedule, error) {
		return l.data.client.ListBackupSchedules(ctx, client.ListBackupSchedulesOptions{Enabled: cfg.Enabled.ValueBoolPointer(), Limit: limit})
	}, keepAll[apiv1.BackupSchedule], func(s apiv1.BackupSchedule) list.ListResult {
		return listResult(ctx, req, s.ID, s.Name, func(m *backupScheduleResourceModel) diag.Diagnostics { return m.fromAPI(ctx, &s) })
	})
}
