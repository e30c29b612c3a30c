package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ datasource.DataSource              = (*accessGrantsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*accessGrantsDataSource)(nil)
)

func newAccessGrantsDataSource() datasource.DataSource {
	return &accessGrantsDataSource{dataSourceBase{typeName: "access_grants"}}
}

type accessGrantsDataSource struct{ dataSourceBase }

type accessGrantsDataSourceModel struct {
	grantFilterModel
	ReviewOverdue types.Bool             `tfsdk:"review_overdue"`
	Grants        []accessGrantDataModel `tfsdk:"grants"`
}

// grantFilterModel holds the filters of access grants that the
// keymate_access_grants data source and the keymate_access_grant list
// resource share (grantFilters).
type grantFilterModel struct {
	PrincipalType types.String `tfsdk:"principal_type"`
	PrincipalID   types.String `tfsdk:"principal_id"`
	Role          types.String `tfsdk:"role"`
	Status        types.String `tfsdk:"status"`
}

// options are the list options of the filters.
func (m grantFilterModel) options() client.ListAccessGrantsOptions {
	return client.ListAccessGrantsOptions{PrincipalType: m.PrincipalType.ValueString(), PrincipalID: m.PrincipalID.ValueString(),
		Role: m.Role.ValueString(), Status: m.Status.ValueString()}
}

// stringFilter is an optional string argument that filters a list, the same
// in a data source as in a list resource.
type stringFilter struct {
	description string
	validators  []validator.String
}

// grantFilters are the filters of grantFilterModel; the status filter takes
// statuses, as statusDescription says.
func grantFilters(statusDescription string, statuses ...string) map[string]stringFilter {
	return map[string]stringFilter{
		"principal_type": {"Only grants for this kind of principal: " + quotedList(apiv1.PrincipalTypes) + ".",
			[]validator.String{stringvalidator.OneOf(apiv1.PrincipalTypes...)}},
		"principal_id": {"Only grants for the principal with this id (exact match).",
			[]validator.String{validators.Text(apiv1.PrincipalIDRule)}},
		"role":   {"Only grants of this role: " + quotedList(apiv1.Roles) + ".", []validator.String{stringvalidator.OneOf(apiv1.Roles...)}},
		"status": {statusDescription, []validator.String{stringvalidator.OneOf(statuses...)}},
	}
}

// withFilters returns attrs with filters added as the optional string
// attributes that attr makes of them.
func withFilters[A any](attrs map[string]A, filters map[string]stringFilter, attr func(stringFilter) A) map[string]A {
	for name, f := range filters {
		attrs[name] = attr(f)
	}
	return attrs
}

// accessGrantDataModel is one grant in the data source: every field the API
// returns, including the ones that change with time and reviews.
type accessGrantDataModel struct {
	ID                 types.String   `tfsdk:"id"`
	Principal          principalModel `tfsdk:"principal"`
	Role               types.String   `tfsdk:"role"`
	Resource           types.String   `tfsdk:"resource"`
	ExpiresAt          types.String   `tfsdk:"expires_at"`
	Justification      types.String   `tfsdk:"justification"`
	Ticket             types.String   `tfsdk:"ticket"`
	ReviewIntervalDays types.Int64    `tfsdk:"review_interval_days"`
	Status             types.String   `tfsdk:"status"`
	LastReviewedAt     types.String   `tfsdk:"last_reviewed_at"`
	NextReviewAt       types.String   `tfsdk:"next_review_at"`
	ReviewOverdue      types.Bool     `tfsdk:"review_overdue"`
	CreatedAt          types.String   `tfsdk:"created_at"`
	UpdatedAt          types.String   `tfsdk:"updated_at"`
	Version            types.Int64    `tfsdk:"version"`
}

func (d *accessGrantsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists Keymate access grants, for access reviews and audits: who holds which role on what, why, " +
			"until when, and when each grant was last reviewed. Every filter is optional and they combine (all must match); " +
			"without filters every grant is listed, revoked and expired ones included." + dataSourceStateNote,
		Attributes: withFilters(map[string]schema.Attribute{
			"review_overdue": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "When `true`, only grants whose `next_review_at` has passed (by the server's clock). " +
					"`false` or unset does not filter.",
			},
			"grants": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching grants, newest first.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id": computedString("Grant id, such as `ag_...`."),
						"principal": schema.SingleNestedAttribute{
							Computed:            true,
							MarkdownDescription: "Who the grant is for.",
							Attributes: map[string]schema.Attribute{
								"type": computedString("Kind of principal: " + quotedList(apiv1.PrincipalTypes) + "."),
								"id":   computedString("The principal's id."),
							},
						},
						"role":          computedString("Role granted: " + quotedList(apiv1.Roles) + "."),
						"resource":      computedString("Resource pattern the role applies to, such as `*` or `alert-rules/*`."),
						"expires_at":    computedString("When the grant stops granting (RFC 3339, UTC); null when it never expires."),
						"justification": computedString("Why the principal needs the access."),
						"ticket":        computedString("Reference of the approving change or request; `\"\"` when none."),
						"review_interval_days": schema.Int64Attribute{
							Computed: true, MarkdownDescription: "Days between access reviews.",
						},
						"status": computedString("`active`, `expired` (past `expires_at`) or `revoked` (destroyed, deleted " +
							"through the API or revoked by a review)."),
						"last_reviewed_at": computedString("When the grant was last reviewed (RFC 3339, UTC); null if never."),
						"next_review_at": computedString("When the grant is due for review (RFC 3339, UTC): `last_reviewed_at` " +
							"(or `created_at`) plus `review_interval_days`."),
						"review_overdue": schema.BoolAttribute{
							Computed: true,
							MarkdownDescription: "True when the grant is active and `next_review_at` has passed, by the " +
								"provider's clock at read time.",
						},
						"created_at": computedString("When the grant was created (RFC 3339, UTC)."),
						"updated_at": computedString("When the grant last changed (RFC 3339, UTC)."),
						"version": schema.Int64Attribute{
							Computed: true, MarkdownDescription: "Object version, incremented by every change.",
						},
					},
				},
			},
		}, grantFilters("Only grants with this status: "+quotedList(apiv1.GrantStatuses)+".", apiv1.GrantStatuses...),
			func(f stringFilter) schema.Attribute {
				return schema.StringAttribute{Optional: true, MarkdownDescription: f.description, Validators: f.validators}
			}),
	}
}

func (d *accessGrantsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg accessGrantsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := cfg.options()
	opts.ReviewOverdue = cfg.ReviewOverdue.ValueBool()
	grants, err := d.data.client.ListAccessGrants(ctx, opts)
	if err != nil {
		resp.Diagnostics.Append(accessGrants.listOp().diagnostics(err, nil)...)
		return
	}
	now := d.data.clock.Now()
	cfg.Grants = make([]accessGrantDataModel, len(grants))
	for i := range grants {
		cfg.Grants[i] = accessGrantDataModelFrom(&grants[i], now)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// accessGrantDataModelFrom maps an API grant into the data source model;
// review_overdue is computed against now.
func accessGrantDataModelFrom(g *apiv1.AccessGrant, now time.Time) accessGrantDataModel {
	return accessGrantDataModel{
		ID:                 types.StringValue(g.ID),
		Principal:          principalModel{Type: types.StringValue(g.Principal.Type), ID: types.StringValue(g.Principal.ID)},
		Role:               types.StringValue(g.Role),
		Resource:           types.StringValue(g.Resource),
		ExpiresAt:          timePointerString(g.ExpiresAt),
		Justification:      types.StringValue(g.Justification),
		Ticket:             types.StringValue(g.Ticket),
		ReviewIntervalDays: types.Int64Value(g.ReviewIntervalDays),
		Status:             types.StringValue(g.Status),
		LastReviewedAt:     timePointerString(g.LastReviewedAt),
		NextReviewAt:       timeString(g.NextReviewAt),
		ReviewOverdue:      types.BoolValue(g.Status == apiv1.GrantStatusActive && !now.Before(g.NextReviewAt)),
		CreatedAt:          timeString(g.CreatedAt),
		UpdatedAt:          timeString(g.UpdatedAt),
		Version:            types.Int64Value(g.Version),
	}
}
