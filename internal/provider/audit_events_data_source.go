package provider

import (
	"context"
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
	"github.com/keymate/terraform-provider-keymate/internal/customtypes"
)

var (
	_ datasource.DataSource                   = (*auditEventsDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*auditEventsDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*auditEventsDataSource)(nil)
)

// Limits of the limit argument: how many events one read returns.
const (
	defaultAuditEventsLimit = 100
	maxAuditEventsLimit     = 1000
)

// auditEventsFields maps the API's query parameters to the arguments that
// set them, for validation errors.
var auditEventsFields = map[string]string{
	"since": "since", "until": "until", "actor_key_id": "actor_key_id",
	"object_type": "object_type", "object_id": "object_id", "action": "action",
}

var opListAuditEvents = operation{verb: "list", object: "Keymate audit events", scope: apiv1.ScopeAuditRead}

func newAuditEventsDataSource() datasource.DataSource {
	return &auditEventsDataSource{dataSourceBase{typeName: "audit_events"}}
}

type auditEventsDataSource struct{ dataSourceBase }

type auditEventsDataSourceModel struct {
	Since      customtypes.RFC3339 `tfsdk:"since"`
	Until      customtypes.RFC3339 `tfsdk:"until"`
	ActorKeyID types.String        `tfsdk:"actor_key_id"`
	ObjectType types.String        `tfsdk:"object_type"`
	ObjectID   types.String        `tfsdk:"object_id"`
	Action     types.String        `tfsdk:"action"`
	Limit      types.Int64         `tfsdk:"limit"`
	Events     []auditEventModel   `tfsdk:"events"`
}

type auditEventModel struct {
	ID            types.String `tfsdk:"id"`
	Time          types.String `tfsdk:"time"`
	ActorKeyID    types.String `tfsdk:"actor_key_id"`
	Action        types.String `tfsdk:"action"`
	ObjectType    types.String `tfsdk:"object_type"`
	ObjectID      types.String `tfsdk:"object_id"`
	RequestID     types.String `tfsdk:"request_id"`
	ChangedFields []string     `tfsdk:"changed_fields"`
}

func (d *auditEventsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	filter := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: desc + " Matched exactly; leave out to not filter on it.",
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Keymate audit trail: who changed which object, when, in which request, and which fields. " +
			"Events come newest first, filtered by time range, actor, object and action; the provider follows the API's pages " +
			"until `limit` events are read. Events name the changed fields, never their values, so no secret is ever read " +
			"into state. Needs the `audit:read` scope." + dataSourceStateNote,
		Attributes: map[string]schema.Attribute{
			"since": schema.StringAttribute{
				Optional:   true,
				CustomType: customtypes.RFC3339Type{},
				MarkdownDescription: "Only events at or after this time, as an RFC 3339 timestamp such as `2026-01-01T00:00:00Z`. " +
					"Leave out for no lower bound.",
			},
			"until": schema.StringAttribute{
				Optional:   true,
				CustomType: customtypes.RFC3339Type{},
				MarkdownDescription: "Only events before this time, as an RFC 3339 timestamp. Must not be before `since`. " +
					"Leave out for no upper bound.",
			},
			"actor_key_id": filter("Only events caused by requests made with this API key id (`key_...`)."),
			"object_type":  filter("Only events about objects of this type, such as `api_key`."),
			"object_id":    filter("Only events about the object with this id, such as `key_...`."),
			"action":       filter("Only events of this action, such as `api_key.rotate`."),
			"limit": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: fmt.Sprintf("Most events to return, the newest first: 1 to %d; defaults to %d.",
					maxAuditEventsLimit, defaultAuditEventsLimit),
				Validators: []validator.Int64{int64validator.Between(1, maxAuditEventsLimit)},
			},
			"events": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching events, newest first.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":           computedString("Event id, such as `evt_...`."),
						"time":         computedString("When the change was made (RFC 3339, UTC)."),
						"actor_key_id": computedString("Id of the API key whose request made the change."),
						"action":       computedString("What was done, as `<object type>.<verb>`, such as `api_key.create` or `api_key.rotate`."),
						"object_type":  computedString("Type of the changed object, such as `api_key`."),
						"object_id":    computedString("Id of the changed object."),
						"request_id":   computedString("Id of the API request that made the change, as returned in its `X-Request-Id` header."),
						"changed_fields": schema.ListAttribute{
							Computed:    true,
							ElementType: types.StringType,
							MarkdownDescription: "Names of the fields the change set, sorted, such as `[\"rotation_days\", \"scopes\"]`. " +
								"Names only: a rotation lists `secret`, never the secret itself.",
						},
					},
				},
			},
		},
	}
}

// ValidateConfig rejects a time range that ends before it starts.
func (d *auditEventsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var cfg auditEventsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	since, errSince := customtypes.Time(cfg.Since)
	until, errUntil := customtypes.Time(cfg.Until)
	if errSince == nil && errUntil == nil && until.Before(since) {
		resp.Diagnostics.AddAttributeError(path.Root("until"), "Invalid audit event time range",
			fmt.Sprintf("until (%s) is before since (%s); set until to a later time or leave it out.",
				cfg.Until.ValueString(), cfg.Since.ValueString()))
	}
}

func (d *auditEventsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg auditEventsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Limit.IsNull() {
		cfg.Limit = types.Int64Value(defaultAuditEventsLimit)
	}
	opts := client.ListAuditEventsOptions{
		Since:      timePointer(cfg.Since),
		Until:      timePointer(cfg.Until),
		ActorKeyID: cfg.ActorKeyID.ValueString(),
		ObjectType: cfg.ObjectType.ValueString(),
		ObjectID:   cfg.ObjectID.ValueString(),
		Action:     cfg.Action.ValueString(),
		Limit:      int(cfg.Limit.ValueInt64()),
	}
	events, err := d.data.client.ListAuditEvents(ctx, opts)
	if err != nil {
		resp.Diagnostics.Append(opListAuditEvents.diagnostics(err, auditEventsFields)...)
		return
	}
	cfg.Events = auditEventModels(events)
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// auditEventModels maps API events into the data source's events, keeping
// their order. changed_fields is an empty list, never null.
func auditEventModels(events []apiv1.AuditEvent) []auditEventModel {
	out := make([]auditEventModel, len(events))
	for i, e := range events {
		changed := e.ChangedFields
		if changed == nil {
			changed = []string{}
		}
		out[i] = auditEventModel{
			ID:            types.StringValue(e.ID),
			Time:          timeString(e.Time),
			ActorKeyID:    types.StringValue(e.ActorKeyID),
			Action:        types.StringValue(e.Action),
			ObjectType:    types.StringValue(e.ObjectType),
			ObjectID:      types.StringValue(e.ObjectID),
			RequestID:     types.StringValue(e.RequestID),
			ChangedFields: changed,
		}
	}
	return out
}
