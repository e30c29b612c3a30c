package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
)

var (
	_ list.ListResource              = (*notificationChannelListResource)(nil)
	_ list.ListResourceWithConfigure = (*notificationChannelListResource)(nil)
)

var opListChannels = operation{verb: "list", object: "Keymate notification channels", scope: apiv1.ScopeChannelsRead}

func newNotificationChannelListResource() list.ListResource {
	return &notificationChannelListResource{}
}

type notificationChannelListResource struct{ listBase }

type notificationChannelListModel struct {
	Type types.String `tfsdk:"type"`
}

func (l *notificationChannelListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_notification_channel"
}

func (l *notificationChannelListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists Keymate notification channels, newest first, for `terraform query`.\n\n" +
			"The API never returns a channel's secrets (the webhook's `signing_secret` and `headers`, Slack's `webhook_url`, " +
			"PagerDuty's `routing_key`), so generated configuration has them `null`: the channel keeps the secrets it holds, " +
			"and Terraform leaves them alone until you set one (for example `webhook_url_wo` with `webhook_url_wo_version = 1`), " +
			"which the next apply sends." + listResourceNote,
		Attributes: map[string]schema.Attribute{
			"type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only channels of this type: " + quotedList(apiv1.ChannelTypes) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(apiv1.ChannelTypes...)},
			},
		},
	}
}

func (l *notificationChannelListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	stream.Results = listObjects(ctx, req, opListChannels, func(cfg notificationChannelListModel, limit int) ([]apiv1.NotificationChannel, error) {
		return l.data.client.ListNotificationChannels(ctx, client.ListNotificationChannelsOptions{Type: cfg.Type.ValueString(), Limit: limit})
	}, keepAll[apiv1.NotificationChannel], func(ch apiv1.NotificationChannel) list.ListResult {
		return listResult(ctx, req, ch.ID, ch.Name, func(m *notificationChannelResourceModel) diag.Diagnostics { return m.fromAPI(ctx, &ch) })
	})
}
