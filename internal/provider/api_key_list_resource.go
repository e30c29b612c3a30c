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
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ list.ListResource              = (*apiKeyListResource)(nil)
	_ list.ListResourceWithConfigure = (*apiKeyListResource)(nil)
)

func newAPIKeyListResource() list.ListResource {
	return &apiKeyListResource{listBase[apiv1.APIKey]{kind: apiKeys}}
}

type apiKeyListResource struct{ listBase[apiv1.APIKey] }

type apiKeyListModel struct {
	Status     types.String `tfsdk:"status"`
	NamePrefix types.String `tfsdk:"name_prefix"`
	Scope      types.String `tfsdk:"scope"`
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
	stream.Results = listObjects[apiKeyListModel, apiv1.APIKey, apiKeyResourceModel](ctx, req, l.kind,
		func(cfg apiKeyListModel, limit int) ([]apiv1.APIKey, error) {
			opts := client.ListAPIKeysOptions{Status: cfg.Status.ValueString(), NamePrefix: cfg.NamePrefix.ValueString(),
				Scope: cfg.Scope.ValueString()}
			if opts.Status != "" {
				opts.Limit = limit // else revoked keys are dropped here, so the API's count is not ours
			}
			return l.data.client.ListAPIKeys(ctx, opts)
		})
}
