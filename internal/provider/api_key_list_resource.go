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
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ list.ListResource              = (*apiKeyListResource)(nil)
	_ list.ListResourceWithConfigure = (*apiKeyListResource)(nil)
)

var opListKeys = operation{verb: "list", object: "Keymate API keys", scope: apiv1.ScopeKeysRead}

func newAPIKeyListResource() list.ListResource { return &apiKeyListResource{} }

type apiKeyListResource struct{ listBase }

type apiKeyListModel struct {
	Status     types.String `tfsdk:"status"`
	NamePrefix types.String `tfsdk:"name_prefix"`
	Scope      types.String `tfsdk:"scope"`
}

func (l *apiKeyListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (l *apiKeyListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Keymate API keys that are not revoked, newest first, for `terraform query`. Every " +
			"filter is optional and they combine (all must match). A revoked key is never listed: Terraform cannot manage it.\n\n" +
			"The API returns no secret, so adopted keys have a null `secret` until their first rotation by Terraform; a key " +
			"whose secret was supplied (`secret_wo`) rotates to a generated secret unless you add `secret_wo` and " +
			"`secret_wo_version` to its configuration before it falls due." + listResourceNote,
		Attributes: map[string]schema.Attribute{
			"status": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only keys with this status: `active`, or `expired` (past `expires_at`).",
				Validators:          []validator.String{stringvalidator.OneOf(apiv1.KeyStatusActive, apiv1.KeyStatusExpired)},
			},
			"name_prefix": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only keys whose name starts with this text (case-sensitive; no wildcards).",
				Validators:          []validator.String{validators.Text(apiv1.KeyNameRule)},
			},
			"scope": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only keys whose `scopes` list this scope, one of " + quotedList(apiv1.Scopes) + ". An `admin` key matches " +
					"only `admin`, although it holds every scope.",
				Validators: []validator.String{stringvalidator.OneOf(apiv1.Scopes...)},
			},
		},
	}
}

func (l *apiKeyListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	stream.Results = listObjects(ctx, req, opListKeys, func(cfg apiKeyListModel, limit int) ([]apiv1.APIKey, error) {
		opts := client.ListAPIKeysOptions{Status: cfg.Status.ValueString(), NamePrefix: cfg.NamePrefix.ValueString(),
			Scope: cfg.Scope.ValueString(), Limit: limit}
		if opts.Status == "" {
			opts.Limit = 0 // revoked keys are dropped here, so the API's count is not ours
		}
		return l.data.client.ListAPIKeys(ctx, opts)
	}, func(k apiv1.APIKey) bool {
		return k.Status != apiv1.KeyStatusRevoked // Read removes a revoked key from state
	}, func(k apiv1.APIKey) list.ListResult {
		return listResult(ctx, req, k.ID, k.Name, func(m *apiKeyResourceModel) diag.Diagnostics { return m.fromAPI(ctx, &k) })
	})
}
