package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
	"github.com/keymate/terraform-provider-keymate/internal/customtypes"
	"github.com/keymate/terraform-provider-keymate/internal/planmodifiers"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ resource.Resource                = (*accessGrantResource)(nil)
	_ resource.ResourceWithConfigure   = (*accessGrantResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*accessGrantResource)(nil)
	_ resource.ResourceWithImportState = (*accessGrantResource)(nil)
	_ resource.ResourceWithIdentity    = (*accessGrantResource)(nil)
	_ apiModel[apiv1.AccessGrant]      = (*accessGrantResourceModel)(nil)
)

// accessGrantFields maps API request fields to the attributes that set them,
// for validation errors ("principal.id" is reported on principal).
var accessGrantFields = map[string]string{
	"principal": "principal", "role": "role", "resource": "resource", "expires_at": "expires_at",
	"justification": "justification", "ticket": "ticket", "review_interval_days": "review_interval_days",
}

// accessGrants are the access grants, which are revoked rather than deleted.
// A revoked grant is removed from state and cannot be imported.
var accessGrants = objectKind[apiv1.AccessGrant]{
	typeName: "access_grant", object: "access grant", idPrefix: "ag_", collection: apiv1.CollectionAccessGrants,
	readScope: apiv1.ScopeAccessRead, writeScope: apiv1.ScopeAccessWrite, removeVerb: "revoke", fields: accessGrantFields,
	id: func(g *apiv1.AccessGrant) string { return g.ID },
	name: func(g *apiv1.AccessGrant) string {
		return fmt.Sprintf("%s %s: %s on %s", g.Principal.Type, g.Principal.ID, g.Role, g.Resource)
	},
	gone: func(g *apiv1.AccessGrant) bool { return g.Status == apiv1.GrantStatusRevoked },
	get:  (*client.Client).GetAccessGrant, refresh: (*client.Client).RefreshAccessGrant, remove: (*client.Client).RevokeAccessGrant,
}

func newAccessGrantResource() resource.Resource {
	return &accessGrantResource{resourceBase[apiv1.AccessGrant]{kind: accessGrants}}
}

type accessGrantResource struct {
	resourceBase[apiv1.AccessGrant]
}

type accessGrantResourceModel struct {
	ID                 types.String        `tfsdk:"id"`
	Principal          types.Object        `tfsdk:"principal"`
	Role               types.String        `tfsdk:"role"`
	Resource           types.String        `tfsdk:"resource"`
	ExpiresAt          customtypes.RFC3339 `tfsdk:"expires_at"`
	Justification      types.String        `tfsdk:"justification"`
	Ticket             types.String        `tfsdk:"ticket"`
	ReviewIntervalDays types.Int64         `tfsdk:"review_interval_days"`
	CreatedAt          types.String        `tfsdk:"created_at"`
}

// principalModel is the principal nested attribute, shared with the
// keymate_access_grants data source.
type principalModel struct {
	Type types.String `tfsdk:"type"`
	ID   types.String `tfsdk:"id"`
}

// principalAttrTypes are the attribute types of the principal object.
var principalAttrTypes = map[string]attr.Type{"type": types.StringType, "id": types.StringType}

// principalObject returns p as the value of a principal attribute.
func principalObject(p apiv1.Principal) types.Object {
	return types.ObjectValueMust(principalAttrTypes, map[string]attr.Value{
		"type": types.StringValue(p.Type), "id": types.StringValue(p.ID),
	})
}

// apiPrincipal returns the principal in a known principal attribute.
func apiPrincipal(ctx context.Context, o types.Object) (apiv1.Principal, diag.Diagnostics) {
	var m principalModel
	diags := o.As(ctx, &m, basetypes.ObjectAsOptions{})
	return apiv1.Principal{Type: m.Type.ValueString(), ID: m.ID.ValueString()}, diags
}

func (r *accessGrantResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Keymate access grant: gives a principal (a user, a team or a service account) a role on a " +
			"resource, with a justification, an optional expiry and a review interval.\n\n" +
			"Roles are fixed sets of permissions (scope names):\n\n" + roleTable() + "\n" +
			"The provider's API key must hold `access:write` and every permission of the grant's role, before and after a " +
			"change: a key cannot create, change, review or revoke a grant more powerful than itself (403).\n\n" +
			"Everything but the principal is updated in place; a new principal replaces the grant. Destroying the resource " +
			"revokes the grant. A grant revoked outside Terraform (through the API or by an access review that decided " +
			"`revoke`) is planned for creation again. A grant that reached `expires_at` stays in state and stops granting; " +
			"its `status`, `last_reviewed_at` and `next_review_at` change with time and reviews, so they are not in the " +
			"resource: read them with the `keymate_access_grants` data source." + resourceStateNote,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Grant id, such as `ag_...`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"principal": schema.SingleNestedAttribute{
				Required: true,
				MarkdownDescription: "Who the grant is for, such as `{ type = \"team\", id = \"sre\" }`. The API cannot change " +
					"the principal of a grant: changing it replaces the grant (revokes this one, creates a new one).",
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"type": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "Kind of principal: " + quotedList(apiv1.PrincipalTypes) + ".",
						Validators:          []validator.String{stringvalidator.OneOf(apiv1.PrincipalTypes...)},
					},
					"id": schema.StringAttribute{
						Required: true,
						MarkdownDescription: fmt.Sprintf("The principal's id in your directory, such as a user name, a team "+
							"slug or a service account name; 1 to %d characters.", apiv1.MaxPrincipalIDLength),
						Validators: []validator.String{validators.Text(apiv1.PrincipalIDRule)},
					},
				},
			},
			"role": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Role granted, one of " + quotedList(apiv1.Roles) + " (permissions in the table above). " +
					"An `admin` grant without `expires_at` gives a plan warning (control `" + controls.AccessAdminWithoutExpiry.ID +
					"`; an error under the provider's `policy = \"enforce\"`). Can be changed in place.",
				Validators: []validator.String{stringvalidator.OneOf(apiv1.Roles...)},
			},
			"resource": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "What the role applies to: `*` (everything), `<collection>/*` (every object of a collection) " +
					"or `<collection>/<id>` (one object), with collections " + quotedList(apiv1.Collections) + ". For example " +
					"`alert-rules/*` or `api-keys/key_0123456789abcdef`. Can be changed in place.",
				Validators: []validator.String{validators.ResourcePattern()},
			},
			"expires_at": schema.StringAttribute{
				Optional:   true,
				CustomType: customtypes.RFC3339Type{},
				MarkdownDescription: "When the grant stops granting, as an RFC 3339 timestamp such as `2026-06-30T00:00:00Z`. " +
					"Must be in the future when set or changed (checked at plan time). Leave out for no expiry; removing it " +
					"clears the expiry. Once the time has passed the grant stops granting and stays in state; the " +
					"`keymate_access_grants` data source shows it with status `expired`.",
				PlanModifiers: []planmodifier.String{planmodifiers.UseStateWhenSemanticallyEqual(customtypes.RFC3339Type{})},
			},
			"justification": schema.StringAttribute{
				Required: true,
				MarkdownDescription: fmt.Sprintf("Why the principal needs this access, for reviewers and auditors; 1 to %d "+
					"characters. Can be changed in place.", apiv1.MaxJustificationLength),
				Validators: []validator.String{validators.Text(apiv1.JustificationRule)},
			},
			"ticket": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(""),
				MarkdownDescription: fmt.Sprintf("Reference of the change or access request that approved the grant, such "+
					"as `SEC-1234`; up to %d characters. Defaults to `\"\"`.", apiv1.MaxTicketLength),
				Validators: []validator.String{validators.Text(apiv1.TicketRule)},
			},
			"review_interval_days": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(apiv1.DefaultReviewIntervalDays),
				MarkdownDescription: fmt.Sprintf("Days between access reviews, %d to %d; defaults to %d. The grant is due for "+
					"review this many days after its last review (or its creation); see `next_review_at` in the "+
					"`keymate_access_grants` data source.", apiv1.MinReviewIntervalDays, apiv1.MaxReviewIntervalDays,
					apiv1.DefaultReviewIntervalDays),
				Validators: []validator.Int64{int64validator.Between(apiv1.MinReviewIntervalDays, apiv1.MaxReviewIntervalDays)},
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the grant was created (RFC 3339, UTC).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

// roleTable renders apiv1.RolePermissions as a Markdown table, so that the
// documentation shows the permissions the server applies.
func roleTable() string {
	var b strings.Builder
	b.WriteString("| Role | Permissions |\n|------|-------------|\n")
	for _, role := range apiv1.Roles {
		fmt.Fprintf(&b, "| `%s` | %s |\n", role, quotedList(apiv1.RolePermissions[role]))
	}
	return b.String()
}

// ModifyPlan holds the planned grant to the security guide and rejects an
// expires_at in the past when it is set on create or changed. It reads only
// the attributes it judges.
func (r *accessGrantResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet
	}
	var role types.String
	var expiresAt customtypes.RFC3339
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("role"), &role)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("expires_at"), &expiresAt)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if role.ValueString() == apiv1.RoleAdmin && expiresAt.IsNull() {
		r.data.checkPolicy(&resp.Diagnostics, controls.AccessAdminWithoutExpiry, path.Root("expires_at"),
			"The grant gives the admin role and has no expires_at, so it grants every permission until someone revokes it.")
	}
	if req.State.Raw.IsNull() {
		checkExpiry(expiresAt, r.data.clock.Now(), &resp.Diagnostics)
		return
	}
	var stateExpiresAt customtypes.RFC3339
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("expires_at"), &stateExpiresAt)...)
	checkExpiryChange(ctx, expiresAt, stateExpiresAt, r.data.clock.Now(), &resp.Diagnostics)
}

func (r *accessGrantResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, req, resp, &r.resourceBase, accessGrantCreateRequest, r.data.client.CreateAccessGrant)
}

// accessGrantCreateRequest builds the create request of the planned grant.
func accessGrantCreateRequest(ctx context.Context, plan accessGrantResourceModel) (apiv1.CreateAccessGrantRequest, diag.Diagnostics) {
	principal, diags := apiPrincipal(ctx, plan.Principal)
	body := apiv1.CreateAccessGrantRequest{
		Principal:          principal,
		Role:               plan.Role.ValueString(),
		Resource:           plan.Resource.ValueString(),
		Justification:      plan.Justification.ValueString(),
		Ticket:             plan.Ticket.ValueString(),
		ReviewIntervalDays: plan.ReviewIntervalDays.ValueInt64Pointer(),
		ExpiresAt:          timeText(plan.ExpiresAt),
	}
	return body, diags
}

// Read refreshes the grant. A grant that is gone or revoked is removed from
// state, so that the plan creates it again; an expired grant stays, as
// re-creating it would silently extend access.
func (r *accessGrantResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject[apiv1.AccessGrant, accessGrantResourceModel](ctx, req, resp, &r.resourceBase)
}

func (r *accessGrantResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, req, resp, &r.resourceBase, accessGrantUpdateRequest, r.data.client.UpdateAccessGrant)
}

// accessGrantUpdateRequest builds the merge patch holding only the API fields
// that differ between plan and state; changed is false when there is none.
// The principal never differs: changing it replaces the grant.
func accessGrantUpdateRequest(ctx context.Context, plan, state accessGrantResourceModel) (patch apiv1.UpdateAccessGrantRequest, changed bool, diags diag.Diagnostics) {
	if !plan.Role.Equal(state.Role) {
		patch.Role, changed = plan.Role.ValueStringPointer(), true
	}
	if !plan.Resource.Equal(state.Resource) {
		patch.Resource, changed = plan.Resource.ValueStringPointer(), true
	}
	if !plan.Justification.Equal(state.Justification) {
		patch.Justification, changed = plan.Justification.ValueStringPointer(), true
	}
	if !plan.Ticket.Equal(state.Ticket) {
		patch.Ticket, changed = plan.Ticket.ValueStringPointer(), true
	}
	if !plan.ReviewIntervalDays.Equal(state.ReviewIntervalDays) {
		patch.ReviewIntervalDays, changed = plan.ReviewIntervalDays.ValueInt64Pointer(), true
	}
	patch.ExpiresAt, diags = expiresAtPatch(ctx, plan.ExpiresAt, state.ExpiresAt)
	return patch, changed || patch.ExpiresAt.Set, diags
}

// fromAPI copies the API's view of the grant into m. An expires_at equal to
// the one in m but written differently keeps m's spelling through the
// custom type's semantic equality.
func (m *accessGrantResourceModel) fromAPI(_ context.Context, g *apiv1.AccessGrant) diag.Diagnostics {
	m.ID = types.StringValue(g.ID)
	m.Principal = principalObject(g.Principal)
	m.Role = types.StringValue(g.Role)
	m.Resource = types.StringValue(g.Resource)
	m.ExpiresAt = customtypes.NewRFC3339TimePointerValue(g.ExpiresAt)
	m.Justification = types.StringValue(g.Justification)
	m.Ticket = types.StringValue(g.Ticket)
	m.ReviewIntervalDays = types.Int64Value(g.ReviewIntervalDays)
	m.CreatedAt = timeString(g.CreatedAt)
	return nil
}
