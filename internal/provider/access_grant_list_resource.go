package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ list.ListResource              = (*accessGrantListResource)(nil)
	_ list.ListResourceWithConfigure = (*accessGrantListResource)(nil)
)

var opListGrants = operation{verb: "list", object: "Keymate access grants", scope: apiv1.ScopeAccessRead}

func newAccessGrantListResource() list.ListResource { return &accessGrantListResource{} }

type accessGrantListResource struct{ listBase }

type accessGrantListModel struct {
	PrincipalType types.String `tfsdk:"principal_type"`
	PrincipalID   types.String `tfsdk:"principal_id"`
	Role          types.String `tfsdk:"role"`
	Status        types.String `tfsdk:"status"`
}

func (l *accessGrantListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_grant"
}

func (l *accessGrantListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Keymate access grants that are not revoked, newest first, for `terraform query`. Every " +
			"filter is optional and they combine (all must match). A revoked grant is never listed: Terraform cannot manage it. " +
			"An expired grant is listed and can be adopted; it stops granting all the same." + listResourceNote,
		Attributes: map[string]schema.Attribute{
			"principal_type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only grants for this kind of principal: " + quotedList(apiv1.PrincipalTypes) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(apiv1.PrincipalTypes...)},
			},
			"principal_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only grants for the principal with this id (exact match).",
				Validators:          []validator.String{validators.Text(apiv1.PrincipalIDRule)},
			},
			"role": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only grants of this role: " + quotedList(apiv1.Roles) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(apiv1.Roles...)},
			},
			"status": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only grants with this status: `active`, or `expired` (past `expires_at`).",
				Validators:          []validator.String{stringvalidator.OneOf(apiv1.GrantStatusActive, apiv1.GrantStatusExpired)},
			},
		},
	}
}

func (l *accessGrantListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	stream.Results = listObjects(ctx, req, opListGrants, func(cfg accessGrantListModel, limit int) ([]apiv1.AccessGrant, error) {
		opts := client.ListAccessGrantsOptions{PrincipalType: cfg.PrincipalType.ValueString(), PrincipalID: cfg.PrincipalID.ValueString(),
			Role: cfg.Role.ValueString(), Status: cfg.Status.ValueString(), Limit: limit}
		if opts.Status == "" {
			opts.Limit = 0 // revoked grants are dropped here, so the API's count is not ours
		}
		return l.data.client.ListAccessGrants(ctx, opts)
	}, func(g apiv1.AccessGrant) bool {
		return g.Status != apiv1.GrantStatusRevoked // Read removes a revoked grant from state
	}, func(g apiv1.AccessGrant) list.ListResult {
		name := fmt.Sprintf("%s %s: %s on %s", g.Principal.Type, g.Principal.ID, g.Role, g.Resource)
		return listResult(ctx, req, g.ID, name, func(m *accessGrantResourceModel) diag.Diagnostics { return m.fromAPI(ctx, &g) })
	})
}
