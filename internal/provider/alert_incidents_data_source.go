package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
)

var (
	_ datasource.DataSource              = (*alertIncidentsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*alertIncidentsDataSource)(nil)
)

// defaultIncidentsLimit is how many incidents the data source lists when
// limit is not set.
const defaultIncidentsLimit = 20

func newAlertIncidentsDataSource() datasource.DataSource {
	return &alertIncidentsDataSource{dataSourceBase{typeName: "alert_incidents"}}
}

type alertIncidentsDataSource struct{ dataSourceBase }

type alertIncidentsDataSourceModel struct {
	RuleID    types.String         `tfsdk:"rule_id"`
	Status    types.String         `tfsdk:"status"`
	Limit     types.Int64          `tfsdk:"limit"`
	Incidents []alertIncidentModel `tfsdk:"incidents"`
}

type alertIncidentModel struct {
	ID                types.String             `tfsdk:"id"`
	RuleID            types.String             `tfsdk:"rule_id"`
	Status            types.String             `tfsdk:"status"`
	OpenedAt          types.String             `tfsdk:"opened_at"`
	ResolvedAt        types.String             `tfsdk:"resolved_at"`
	Value             types.Float64            `tfsdk:"value"`
	LastValue         types.Float64            `tfsdk:"last_value"`
	NotificationsSent types.Int64              `tfsdk:"notifications_sent"`
	LastNotifiedAt    types.String             `tfsdk:"last_notified_at"`
	Notifications     []alertNotificationModel `tfsdk:"notifications"`
}

type alertNotificationModel struct {
	ID        types.String `tfsdk:"id"`
	ChannelID types.String `tfsdk:"channel_id"`
	Event     types.String `tfsdk:"event"`
	Status    types.String `tfsdk:"status"`
	Attempts  types.Int64  `tfsdk:"attempts"`
	LastError types.String `tfsdk:"last_error"`
	CreatedAt types.String `tfsdk:"created_at"`
}

func (d *alertIncidentsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The history of alerting (the security guide's \"Review alert history\"): the incidents of one " +
			"Keymate alert rule or of every rule, newest first, each with when it opened and resolved and every notification of " +
			"it to a channel with its outcome. A rule's incidents are kept until the rule is deleted. Needs the `alerts:read` scope." +
			dataSourceStateNote,
		Attributes: map[string]schema.Attribute{
			"rule_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the incidents of this rule, such as `keymate_alert_rule.auth_failures.id`; every rule's when left out.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"status": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only `open` or only `resolved` incidents.",
				Validators:          []validator.String{stringvalidator.OneOf(apiv1.IncidentStatuses...)},
			},
			"limit": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: fmt.Sprintf("How many of the newest matching incidents to list, 1 to %d; defaults to %d.",
					apiv1.MaxPageLimit, defaultIncidentsLimit),
				Validators: []validator.Int64{int64validator.Between(1, apiv1.MaxPageLimit)},
			},
			"incidents": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching incidents, newest first.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":          computedString("Incident id, such as `inc_...`."),
						"rule_id":     computedString("The rule that fired."),
						"status":      computedString("`open` while the rule's condition holds, then `resolved`."),
						"opened_at":   computedString("When the condition started to hold (RFC 3339, UTC)."),
						"resolved_at": computedString("When it no longer held (RFC 3339, UTC); null while open."),
						"value":       schema.Float64Attribute{Computed: true, MarkdownDescription: "The metric's value when the incident opened."},
						"last_value":  schema.Float64Attribute{Computed: true, MarkdownDescription: "The metric's value at the last evaluation."},
						"notifications_sent": schema.Int64Attribute{Computed: true,
							MarkdownDescription: "Events notified: opened, each re-notification, resolved."},
						"last_notified_at": computedString("When the last event was notified (RFC 3339, UTC)."),
						"notifications": schema.ListNestedAttribute{
							Computed:            true,
							MarkdownDescription: "Every delivery of the incident's events to its rule's channels, oldest first.",
							NestedObject: schema.NestedAttributeObject{
								Attributes: map[string]schema.Attribute{
									"id":         computedString("Delivery id, such as `dlv_...`."),
									"channel_id": computedString("The notification channel delivered to."),
									"event":      computedString("`alert.opened`, `alert.renotify` or `alert.resolved`."),
									"status": computedString("The outcome: `pending` while the server still tries (with backoff), then " +
										"`delivered`, or `failed` after the last attempt (at once for a channel deleted or disabled meanwhile)."),
									"attempts":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Delivery attempts made."},
									"last_error": computedString("Why the last attempt failed, in the server's words; `\"\"` when none did."),
									"created_at": computedString("When the event was decided (RFC 3339, UTC)."),
								},
							},
						},
					},
				},
			},
		},
	}
}

func (d *alertIncidentsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg alertIncidentsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Limit.IsNull() {
		cfg.Limit = types.Int64Value(defaultIncidentsLimit)
	}
	incidents, err := d.data.client.ListAlertIncidents(ctx, client.ListAlertIncidentsOptions{
		RuleID: cfg.RuleID.ValueString(), Status: cfg.Status.ValueString(), Limit: int(cfg.Limit.ValueInt64()),
	})
	if err != nil {
		resp.Diagnostics.Append(operation{verb: "list", object: "Keymate alert incidents", scope: apiv1.ScopeAlertsRead}.diagnostics(err, nil)...)
		return
	}
	cfg.Incidents = make([]alertIncidentModel, len(incidents))
	for i, inc := range incidents {
		m := alertIncidentModel{
			ID: types.StringValue(inc.ID), RuleID: types.StringValue(inc.RuleID), Status: types.StringValue(inc.Status),
			OpenedAt: timeString(inc.OpenedAt), ResolvedAt: timePointerString(inc.ResolvedAt),
			Value: types.Float64Value(inc.Value), LastValue: types.Float64Value(inc.LastValue),
			NotificationsSent: types.Int64Value(inc.NotificationsSent), LastNotifiedAt: timePointerString(inc.LastNotifiedAt),
			Notifications: make([]alertNotificationModel, len(inc.Notifications)),
		}
		for j, n := range inc.Notifications {
			m.Notifications[j] = alertNotificationModel{
				ID: types.StringValue(n.ID), ChannelID: types.StringValue(n.ChannelID), Event: types.StringValue(n.Event),
				Status: types.StringValue(n.Status), Attempts: types.Int64Value(n.Attempts), LastError: types.StringValue(n.LastError),
				CreatedAt: timeString(n.CreatedAt),
			}
		}
		cfg.Incidents[i] = m
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
