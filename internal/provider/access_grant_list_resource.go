package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

var (
	_ list.ListResource              = (*accessGrantListResource)(nil)
	_ list.ListResourceWithConfigure = (*accessGrantListResource)(nil)
)

func newAccessGrantListResource() list.ListResource {
	return &accessGrantListResource{listBase[apiv1.AccessGrant]{kind: accessGrants}}
}

type accessGrantListResource struct{ listBase[apiv1.AccessGrant] }

func (l *accessGrantListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Keymate access grants that are not revoked, newest first, for `terraform query`. Every " +
			"filter is optional and they combine (all must match). A revoked grant is never listed: Terraform cannot manage it. " +
			"An expired grant is listed and can be adopted; it stops granting all the same." + listResourceNote,
		Attributes: withFilters(map[string]schema.Attribute{},
			grantFilters("Only grants with this status: `active`, or `expired` (past `expires_at`).", apiv1.GrantStatusActive, apiv1.GrantStatusExpired),
			func(f stringFilter) schema.Attribute {
				return schema.StringAttribute{Optional: true, MarkdownDescription: f.description, Validators: f.validators}
			}),
	}
}

func (l *accessGrantListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	stream.Results = listObjects[grantFilterModel, apiv1.AccessGrant, accessGrantResourceModel](ctx, req, l.kind,
		func(cfg grantFilterModel, limit int) ([]apiv1.AccessGrant, error) {
			opts := cfg.options()
			if opts.Status != "" {
				opts.Limit = limit // else revoked grants are dropped here, so the API's count is not ours
			}
			return l.data.client.ListAccessGrants(ctx, opts)
		})
}
