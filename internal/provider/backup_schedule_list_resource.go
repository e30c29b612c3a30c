package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
)

var (
	_ list.ListResource              = (*backupScheduleListResource)(nil)
	_ list.ListResourceWithConfigure = (*backupScheduleListResource)(nil)
)

func newBackupScheduleListResource() list.ListResource {
	return &backupScheduleListResource{listBase[apiv1.BackupSchedule]{kind: backupSchedules}}
}

type backupScheduleListResource struct{ listBase[apiv1.BackupSchedule] }

type backupScheduleListModel struct {
	Enabled types.Bool `tfsdk:"enabled"`
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
	stream.Results = listObjects[backupScheduleListModel, apiv1.BackupSchedule, backupScheduleResourceModel](ctx, req, l.kind,
		func(cfg backupScheduleListModel, limit int) ([]apiv1.BackupSchedule, error) {
			return l.data.client.ListBackupSchedules(ctx, client.ListBackupSchedulesOptions{Enabled: cfg.Enabled.ValueBoolPointer(), Limit: limit})
		})
}
