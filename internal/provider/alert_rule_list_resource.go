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
	_ list.ListResource              = (*alertRuleListResource)(nil)
	_ list.ListResourceWithConfigure = (*alertRuleListResource)(nil)
)

func newAlertRuleListResource() list.ListResource {
	return &alertRuleListResource{listBase[apiv1.AlertRule]{kind: alertRules}}
}

type alertRuleListResource struct{ listBase[apiv1.AlertRule] }

type alertRuleListModel struct {
	Severity types.String `tfsdk:"severity"`
	Metric   types.String `tfsdk:"metric"`
}

func (l *alertRuleListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists Keymate alert rules, newest first, for `terraform query`. Every filter is optional and they " +
			"combine (all must match). Generated configuration names the rules' notification channels by id; after adopting " +
			"the channels too, you may replace the ids with references such as `keymate_notification_channel.<name>.id`." +
			listResourceNote,
		Attributes: map[string]schema.Attribute{
			"severity": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only rules of this severity: " + quotedList(apiv1.Severities) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(apiv1.Severities...)},
			},
			"metric": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only rules on this metric: " + quotedList(apiv1.Metrics()) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(apiv1.Metrics()...)},
			},
		},
	}
}

func (l *alertRuleListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	stream.Results = listObjects[alertRuleListModel, apiv1.AlertRule, alertRuleResourceModel](ctx, req, l.kind,
		func(cfg alertRuleListModel, limit int) ([]apiv1.AlertRule, error) {
			return l.data.client.ListAlertRules(ctx, client.ListAlertRulesOptions{
				Severity: cfg.Severity.ValueString(), Metric: cfg.Metric.ValueString(), Limit: limit})
		})
}
