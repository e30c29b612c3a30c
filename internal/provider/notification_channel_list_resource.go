package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
)

var (
	_ list.ListResource              = (*notificationChannelListResource)(nil)
	_ list.ListResourceWithConfigure = (*notificationChannelListResource)(nil)
)

func newNotificationChannelListResource() list.ListResource {
	return &notificationChannelListResource{listBase[apiv1.NotificationChannel]{kind: notificationChannels}}
}

type notificationChannelListResource struct {
	listBase[apiv1.NotificationChannel]
}

type notificationChannelListModel struct {
	Type types.String `tfsdk:"type"`
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
	stream.Results = listObjects[notificationChannelListModel, apiv1.NotificationChannel, notificationChannelResourceModel](ctx, req, l.kind,
		func(cfg notificationChannelListModel, limit int) ([]apiv1.NotificationChannel, error) {
			return l.data.client.ListNotificationChannels(ctx, client.ListNotificationChannelsOptions{Type: cfg.Type.ValueString(), Limit: limit})
		})
}
