package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
)

var (
	_ datasource.DataSource              = (*alertRulesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*alertRulesDataSource)(nil)
)

func newAlertRulesDataSource() datasource.DataSource {
	return &alertRulesDataSource{dataSourceBase{typeName: "alert_rules"}}
}

type alertRulesDataSource struct{ dataSourceBase }

type alertRulesDataSourceModel struct {
	Severity types.String         `tfsdk:"severity"`
	Metric   types.String         `tfsdk:"metric"`
	Enabled  types.Bool           `tfsdk:"enabled"`
	Rules    []alertRuleItemModel `tfsdk:"rules"`
}

type alertRuleItemModel struct {
	ID                     types.String       `tfsdk:"id"`
	Name                   types.String       `tfsdk:"name"`
	Description            types.String       `tfsdk:"description"`
	Enabled                types.Bool         `tfsdk:"enabled"`
	Severity               types.String       `tfsdk:"severity"`
	Metric                 types.String       `tfsdk:"metric"`
	Condition              alertConditionItem `tfsdk:"condition"`
	NotificationChannelIDs types.Set          `tfsdk:"notification_channel_ids"`
	RenotifyInterval       types.String       `tfsdk:"renotify_interval"`
	Labels                 types.Map          `tfsdk:"labels"`
	OpenIncidentID         types.String       `tfsdk:"open_incident_id"`
	OpenIncidents          types.Int64        `tfsdk:"open_incidents"`
	CreatedAt              types.String       `tfsdk:"created_at"`
	UpdatedAt              types.String       `tfsdk:"updated_at"`
	Version                types.Int64        `tfsdk:"version"`
}

type alertConditionItem struct {
	Operator  types.String  `tfsdk:"operator"`
	Threshold types.Float64 `tfsdk:"threshold"`
	Window    types.String  `tfsdk:"window"`
}

func (d *alertRulesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists Keymate alert rules, optionally filtered, with what changes as the server evaluates them: " +
			"the open incident and the number of open incidents of each rule." + dataSourceStateNote,
		Attributes: map[string]schema.Attribute{
			"severity": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only rules of this severity: `critical`, `warning` or `info`.",
				Validators:          []validator.String{stringvalidator.OneOf(apiv1.Severities...)},
			},
			"metric": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only rules watching this metric of the catalogue (see `keymate_alert_rule`).",
				Validators:          []validator.String{stringvalidator.OneOf(apiv1.Metrics()...)},
			},
			"enabled": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Only enabled (`true`) or only disabled (`false`) rules.",
			},
			"rules": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching rules, newest first.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":          computedString("Rule id (`ar_...`)."),
					"name":        computedString("Rule name."),
					"description": computedString("Rule description."),
					"enabled":     schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the server evaluates the rule."},
					"severity":    computedString("`critical`, `warning` or `info`."),
					"metric":      computedString("Metric of the catalogue the rule watches."),
					"condition": schema.SingleNestedAttribute{
						Computed:            true,
						MarkdownDescription: "When the rule fires.",
						Attributes: map[string]schema.Attribute{
							"operator":  computedString("`gt`, `gte`, `lt` or `lte`."),
							"threshold": schema.Float64Attribute{Computed: true, MarkdownDescription: "Value the metric is compared with."},
							"window":    computedString("Period the metric is computed over, as the API returns it (such as `5m0s`)."),
						},
					},
					"notification_channel_ids": schema.SetAttribute{
						Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Ids of the channels notified.",
					},
					"renotify_interval": computedString("Re-notification interval as the API returns it (such as `1h0m0s`); `\"\"` for never."),
					"labels": schema.MapAttribute{
						Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Labels of the rule.",
					},
					"open_incident_id": computedString("Id of the rule's open incident (`inc_...`); null when none is open."),
					"open_incidents":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of open incidents of the rule (0 or 1)."},
					"created_at":       computedString("When the rule was created (RFC 3339, UTC)."),
					"updated_at":       computedString("When the rule last changed (RFC 3339, UTC)."),
					"version":          schema.Int64Attribute{Computed: true, MarkdownDescription: "Object version, incremented by every change."},
				}},
			},
		},
	}
}

func (d *alertRulesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg alertRulesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	rules, err := d.data.client.ListAlertRules(ctx, client.ListAlertRulesOptions{
		Severity: cfg.Severity.ValueString(),
		Metric:   cfg.Metric.ValueString(),
		Enabled:  cfg.Enabled.ValueBoolPointer(),
	})
	if err != nil {
		resp.Diagnostics.Append(alertRules.listOp().diagnostics(err, nil)...)
		return
	}
	cfg.Rules = make([]alertRuleItemModel, 0, len(rules))
	for i := range rules {
		item, diags := alertRuleItemFrom(ctx, &rules[i])
		resp.Diagnostics.Append(diags...)
		cfg.Rules = append(cfg.Rules, item)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// alertRuleItemFrom maps a listed rule into the data source model.
func alertRuleItemFrom(ctx context.Context, rule *apiv1.AlertRule) (alertRuleItemModel, diag.Diagnostics) {
	channels, diags := types.SetValueFrom(ctx, types.StringType, rule.NotificationChannelIDs)
	labels, d := types.MapValueFrom(ctx, types.StringType, rule.Labels)
	diags.Append(d...)
	return alertRuleItemModel{
		ID:          types.StringValue(rule.ID),
		Name:        types.StringValue(rule.Name),
		Description: types.StringValue(rule.Description),
		Enabled:     types.BoolValue(rule.Enabled),
		Severity:    types.StringValue(rule.Severity),
		Metric:      types.StringValue(rule.Metric),
		Condition: alertConditionItem{
			Operator:  types.StringValue(rule.Condition.Operator),
			Threshold: types.Float64Value(rule.Condition.Threshold),
			Window:    types.StringValue(rule.Condition.Window),
		},
		NotificationChannelIDs: channels,
		RenotifyInterval:       types.StringValue(rule.RenotifyInterval),
		Labels:                 labels,
		OpenIncidentID:         types.StringPointerValue(rule.OpenIncidentID),
		OpenIncidents:          types.Int64Value(rule.OpenIncidents),
		CreatedAt:              timeString(rule.CreatedAt),
		UpdatedAt:              timeString(rule.UpdatedAt),
		Version:                types.Int64Value(rule.Version),
	}, diags
}
