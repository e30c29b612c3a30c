package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
	"github.com/keymate/terraform-provider-keymate/internal/customtypes"
	"github.com/keymate/terraform-provider-keymate/internal/planmodifiers"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ resource.Resource                     = (*alertRuleResource)(nil)
	_ resource.ResourceWithConfigure        = (*alertRuleResource)(nil)
	_ resource.ResourceWithConfigValidators = (*alertRuleResource)(nil)
	_ resource.ResourceWithImportState      = (*alertRuleResource)(nil)
	_ resource.ResourceWithIdentity         = (*alertRuleResource)(nil)
	_ apiModel[apiv1.AlertRule]             = (*alertRuleResourceModel)(nil)
)

// channelIDPattern is what a notification channel id looks like.
var channelIDPattern = notificationChannels.idPattern()

// alertRuleFields maps API request fields to the attributes that set them,
// for validation errors.
var alertRuleFields = map[string]string{
	"name": "name", "description": "description", "enabled": "enabled", "severity": "severity", "metric": "metric",
	"condition": "condition", "notification_channel_ids": "notification_channel_ids",
	"renotify_interval": "renotify_interval", "labels": "labels",
}

// alertRules are the alert rules.
var alertRules = objectKind[apiv1.AlertRule]{
	typeName: "alert_rule", object: "alert rule", idPrefix: "ar_", collection: apiv1.CollectionAlertRules,
	readScope: apiv1.ScopeAlertsRead, writeScope: apiv1.ScopeAlertsWrite, removeVerb: "delete", fields: alertRuleFields,
	id:   func(rule *apiv1.AlertRule) string { return rule.ID },
	name: func(rule *apiv1.AlertRule) string { return rule.Name },
	get:  (*client.Client).GetAlertRule, refresh: (*client.Client).RefreshAlertRule, remove: (*client.Client).DeleteAlertRule,
}

func newAlertRuleResource() resource.Resource {
	return &alertRuleResource{resourceBase[apiv1.AlertRule]{kind: alertRules}}
}

type alertRuleResource struct{ resourceBase[apiv1.AlertRule] }

type alertRuleResourceModel struct {
	ID                     types.String         `tfsdk:"id"`
	Name                   types.String         `tfsdk:"name"`
	Description            types.String         `tfsdk:"description"`
	Enabled                types.Bool           `tfsdk:"enabled"`
	Severity               types.String         `tfsdk:"severity"`
	Metric                 types.String         `tfsdk:"metric"`
	Condition              *alertConditionModel `tfsdk:"condition"`
	NotificationChannelIDs types.Set            `tfsdk:"notification_channel_ids"`
	RenotifyInterval       customtypes.Duration `tfsdk:"renotify_interval"`
	Labels                 types.Map            `tfsdk:"labels"`
	CreatedAt              types.String         `tfsdk:"created_at"`
}

type alertConditionModel struct {
	Operator  types.String         `tfsdk:"operator"`
	Threshold types.Float64        `tfsdk:"threshold"`
	Window    customtypes.Duration `tfsdk:"window"`
}

// metricCatalogue documents the metric catalogue as a Markdown list.
func metricCatalogue() string {
	var b strings.Builder
	for _, m := range apiv1.MetricCatalogue {
		fmt.Fprintf(&b, "\n  - `%s`: %s", m.Name, m.Description)
		if m.Scope != "" {
			fmt.Fprintf(&b, " A rule on it also needs the `%s` scope.", m.Scope)
		}
	}
	return b.String()
}

func (r *alertRuleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	durationRange := fmt.Sprintf("a Go duration between `%s` and `%s` such as `5m` or `1h`; equal durations written differently "+
		"(`300s`, `5m`) are the same value", shortDuration(apiv1.MinAlertDuration), shortDuration(apiv1.MaxAlertDuration))
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Keymate alert rule: the server evaluates `metric` over `condition.window` at every evaluation " +
			"(`--alert-eval-interval`, 30s by default), opens an incident when the condition holds and notifies the rule's " +
			"channels once (`alert.opened`), again every `renotify_interval` while it stays open (`alert.renotify`), and when it " +
			"resolves (`alert.resolved`).\n\n" +
			"A `critical` rule must notify at least one channel: the plan fails otherwise (control `KM-ALERT-001`) under every " +
			"provider `policy`, `off` included, because the API refuses such a rule (422). Whether an incident is open changes " +
			"with the evaluator and is not part of this resource: read it with the `keymate_alert_rules` data source " +
			"(`open_incidents`)." + resourceStateNote,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Rule id, such as `ar_...`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: fmt.Sprintf("Name of the rule, 1 to %d characters. Can be changed in place.", apiv1.MaxNameLength),
				Validators:          []validator.String{validators.Text(apiv1.NameRule)},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				MarkdownDescription: fmt.Sprintf("What the rule watches and what to do when it fires, up to %d characters. Defaults to `\"\"`.", apiv1.MaxDescriptionLength),
				Validators:          []validator.String{validators.Text(apiv1.DescriptionRule)},
			},
			"enabled": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Whether the server evaluates the rule. Defaults to `true`.",
			},
			"severity": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "`critical`, `warning` or `info`; sent with every notification (PagerDuty's event severity). " +
					"A `critical` rule needs at least one notification channel.",
				Validators: []validator.String{stringvalidator.OneOf(apiv1.Severities...)},
			},
			"metric": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "What the rule watches, one of the metric catalogue:" + metricCatalogue(),
				Validators:          []validator.String{stringvalidator.OneOf(apiv1.Metrics()...)},
			},
			"condition": schema.SingleNestedAttribute{
				Required:            true,
				MarkdownDescription: "When the rule fires: the metric's value over `window` compared with `threshold` by `operator`.",
				Attributes: map[string]schema.Attribute{
					"operator": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "`gt` (>), `gte` (>=), `lt` (<) or `lte` (<=).",
						Validators:          []validator.String{stringvalidator.OneOf(apiv1.Operators...)},
					},
					"threshold": schema.Float64Attribute{
						Required: true,
						MarkdownDescription: "Value the metric is compared with, in the metric's unit; at least 0 (every metric is " +
							"non-negative), and at most 1 for `api.error_rate`, which is a fraction.",
						Validators: []validator.Float64{float64validator.AtLeast(0)},
					},
					"window": schema.StringAttribute{
						Required:            true,
						CustomType:          customtypes.DurationType{},
						MarkdownDescription: "Period the metric is computed over, " + durationRange + ".",
						Validators:          []validator.String{validators.DurationBetween(apiv1.MinAlertDuration, apiv1.MaxAlertDuration)},
						PlanModifiers:       []planmodifier.String{planmodifiers.UseStateWhenSemanticallyEqual(customtypes.DurationType{})},
					},
				},
			},
			"notification_channel_ids": schema.SetAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				Default:     setdefault.StaticValue(types.SetValueMust(types.StringType, nil)),
				MarkdownDescription: "Ids of the `keymate_notification_channel`s notified (`nc_...`), a set: order never matters. " +
					"Defaults to none, which only a `warning` or `info` rule may have. A channel used here cannot be deleted " +
					"until the rule stops using it.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(channelIDPattern,
					"must be a notification channel id such as nc_0123456789abcdef"))},
			},
			"renotify_interval": schema.StringAttribute{
				Optional:   true,
				CustomType: customtypes.DurationType{},
				MarkdownDescription: "How often the channels are notified again while an incident stays open, " + durationRange +
					". Leave out to notify only when the incident opens and resolves.",
				Validators:    []validator.String{validators.DurationBetween(apiv1.MinAlertDuration, apiv1.MaxAlertDuration)},
				PlanModifiers: []planmodifier.String{planmodifiers.UseStateWhenSemanticallyEqual(customtypes.DurationType{})},
			},
			"labels": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: fmt.Sprintf("Free-form labels (at most %d), for example a team or a runbook URL.", apiv1.MaxLabels),
				Validators: []validator.Map{mapvalidator.SizeAtMost(apiv1.MaxLabels),
					mapvalidator.KeysAre(validators.Text(apiv1.LabelKeyRule)), mapvalidator.ValueStringsAre(validators.Text(apiv1.LabelValueRule))},
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the rule was created (RFC 3339, UTC).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *alertRuleResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{alertRuleValidator{
		"a critical rule needs at least one notification channel; an api.error_rate threshold is at most 1"}}
}

func (r *alertRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, req, resp, &r.resourceBase, alertRuleCreateRequest, r.data.client.CreateAlertRule)
}

// alertRuleCreateRequest builds the create request of the planned rule.
func alertRuleCreateRequest(ctx context.Context, plan alertRuleResourceModel) (apiv1.CreateAlertRuleRequest, diag.Diagnostics) {
	channels, diags := setStrings(ctx, plan.NotificationChannelIDs)
	labels, d := stringMap(ctx, plan.Labels)
	diags.Append(d...)
	return apiv1.CreateAlertRuleRequest{
		Name:                   plan.Name.ValueString(),
		Description:            plan.Description.ValueString(),
		Enabled:                plan.Enabled.ValueBoolPointer(),
		Severity:               plan.Severity.ValueString(),
		Metric:                 plan.Metric.ValueString(),
		Condition:              plan.Condition.toAPI(),
		NotificationChannelIDs: channels,
		RenotifyInterval:       plan.RenotifyInterval.ValueStringPointer(),
		Labels:                 labels,
	}, diags
}

func (r *alertRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject[apiv1.AlertRule, alertRuleResourceModel](ctx, req, resp, &r.resourceBase)
}

func (r *alertRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, req, resp, &r.resourceBase, alertRuleUpdateRequest, r.data.client.UpdateAlertRule)
}

// alertRuleUpdateRequest builds the merge patch holding the API fields that
// differ between plan and state; changed is false when there is none.
func alertRuleUpdateRequest(ctx context.Context, plan, state alertRuleResourceModel) (patch apiv1.UpdateAlertRuleRequest, changed bool, diags diag.Diagnostics) {
	if !plan.Name.Equal(state.Name) {
		patch.Name = plan.Name.ValueStringPointer()
	}
	if !plan.Description.Equal(state.Description) {
		patch.Description = plan.Description.ValueStringPointer()
	}
	if !plan.Enabled.Equal(state.Enabled) {
		patch.Enabled = plan.Enabled.ValueBoolPointer()
	}
	if !plan.Severity.Equal(state.Severity) {
		patch.Severity = plan.Severity.ValueStringPointer()
	}
	if !plan.Metric.Equal(state.Metric) {
		patch.Metric = plan.Metric.ValueStringPointer()
	}
	sameCondition, d := plan.Condition.equal(ctx, state.Condition)
	if diags.Append(d...); !sameCondition {
		condition := plan.Condition.toAPI()
		patch.Condition = &condition
	}
	planChannels, d := setStrings(ctx, plan.NotificationChannelIDs)
	diags.Append(d...)
	stateChannels, d := setStrings(ctx, state.NotificationChannelIDs)
	diags.Append(d...)
	if !slices.Equal(planChannels, stateChannels) {
		if planChannels == nil {
			planChannels = []string{}
		}
		patch.NotificationChannelIDs = &planChannels
	}
	equal, d := plan.RenotifyInterval.StringSemanticEquals(ctx, state.RenotifyInterval)
	if diags.Append(d...); !equal {
		interval := plan.RenotifyInterval.ValueString() // "" (null) means never
		patch.RenotifyInterval = &interval
	}
	planLabels, d := stringMap(ctx, plan.Labels)
	diags.Append(d...)
	stateLabels, d := stringMap(ctx, state.Labels)
	diags.Append(d...)
	if !maps.Equal(planLabels, stateLabels) {
		patch.Labels = &planLabels
	}
	return patch, patch != (apiv1.UpdateAlertRuleRequest{}), diags
}

// fromAPI copies the API's view of the rule into m. Durations are written
// without zero trailing units ("5m" for the API's "5m0s"); the custom type's
// semantic equality keeps the configured spelling when it means the same.
// Empty labels are kept null when m has none.
func (m *alertRuleResourceModel) fromAPI(ctx context.Context, rule *apiv1.AlertRule) diag.Diagnostics {
	channels, diags := types.SetValueFrom(ctx, types.StringType, rule.NotificationChannelIDs)
	m.ID = types.StringValue(rule.ID)
	m.Name = types.StringValue(rule.Name)
	m.Description = types.StringValue(rule.Description)
	m.Enabled = types.BoolValue(rule.Enabled)
	m.Severity = types.StringValue(rule.Severity)
	m.Metric = types.StringValue(rule.Metric)
	m.Condition = &alertConditionModel{
		Operator:  types.StringValue(rule.Condition.Operator),
		Threshold: types.Float64Value(rule.Condition.Threshold),
		Window:    durationValue(rule.Condition.Window),
	}
	m.NotificationChannelIDs = channels
	m.RenotifyInterval = customtypes.NewNull[customtypes.Duration]()
	if rule.RenotifyInterval != "" {
		m.RenotifyInterval = durationValue(rule.RenotifyInterval)
	}
	switch {
	case len(rule.Labels) > 0:
		labels, d := types.MapValueFrom(ctx, types.StringType, rule.Labels)
		diags.Append(d...)
		m.Labels = labels
	case m.Labels.IsNull():
	default:
		m.Labels = types.MapValueMust(types.StringType, nil)
	}
	m.CreatedAt = timeString(rule.CreatedAt)
	return diags
}

// toAPI returns the condition as the API takes it.
func (c *alertConditionModel) toAPI() apiv1.AlertCondition {
	return apiv1.AlertCondition{Operator: c.Operator.ValueString(), Threshold: c.Threshold.ValueFloat64(), Window: c.Window.ValueString()}
}

// equal reports whether two conditions mean the same, windows compared as
// durations.
func (c *alertConditionModel) equal(ctx context.Context, o *alertConditionModel) (bool, diag.Diagnostics) {
	if c == nil || o == nil {
		return c == o, nil
	}
	sameWindow, diags := c.Window.StringSemanticEquals(ctx, o.Window)
	return c.Operator.Equal(o.Operator) && c.Threshold.Equal(o.Threshold) && sameWindow, diags
}

var _ resource.ConfigValidator = alertRuleValidator{}

// alertRuleValidator checks what involves several attributes: a critical
// rule needs a notification channel, and an api.error_rate threshold is a
// fraction.
type alertRuleValidator struct{ fixedDescription }

func (alertRuleValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var severity, metric types.String
	var channels types.Set
	var threshold types.Float64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("severity"), &severity)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("metric"), &metric)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("notification_channel_ids"), &channels)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("condition").AtName("threshold"), &threshold)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if severity.ValueString() == apiv1.SeverityCritical && !channels.IsUnknown() && len(channels.Elements()) == 0 {
		// An error under every policy, off included: the API refuses the
		// rule (422), so the plan says now what apply would say later. An
		// alert nobody receives is no alert.
		c := controls.AlertCriticalWithoutChannel
		resp.Diagnostics.AddAttributeError(path.Root("notification_channel_ids"), c.ID+": "+c.Title,
			"notification_channel_ids is empty, but a critical rule must notify someone: set it to at least one "+
				"keymate_notification_channel id, or lower severity to \"warning\" or \"info\". The Keymate API refuses "+
				"such a rule, so this is an error whatever the provider's policy (off included).")
	}
	if metric.ValueString() == apiv1.MetricAPIErrorRate && !threshold.IsNull() && !threshold.IsUnknown() && threshold.ValueFloat64() > 1 {
		resp.Diagnostics.AddAttributeError(path.Root("condition").AtName("threshold"), "Threshold out of range",
			fmt.Sprintf("condition.threshold: api.error_rate is a fraction between 0 and 1, got %g; write 5%% as 0.05.", threshold.ValueFloat64()))
	}
}
