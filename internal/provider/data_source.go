package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/client"
)

// dataSourceBase is embedded by every data source: its type name after the
// provider's ("api_key"), the provider's data and Configure.
type dataSourceBase struct {
	typeName string
	data     *providerData
}

func (d *dataSourceBase) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.typeName
}

func (d *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// lookupBase is embedded by a data source that reads one object of a kind
// by its id or its name: exactly one of the two must be set.
type lookupBase[T any] struct {
	dataSourceBase
	kind objectKind[T]
}

func (d *lookupBase[T]) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

// readByID reads the object whose id the configuration names; one that does
// not exist is an error on id. A failure is added to diags and returns nil.
func (d *lookupBase[T]) readByID(ctx context.Context, id types.String, diags *diag.Diagnostics) *T {
	op := d.kind.op("read")
	obj, err := d.kind.get(d.data.client, ctx, id.ValueString())
	switch {
	case errors.Is(err, client.ErrNotFound):
		diags.AddAttributeError(path.Root("id"), op.summary(), fmt.Sprintf("No Keymate %s has id %q. Check the id (it looks like %s...).",
			d.kind.object, id.ValueString(), d.kind.idPrefix))
	case err != nil:
		diags.Append(op.diagnostics(err, nil)...)
	default:
		return obj
	}
	return nil
}

// computedString returns a data source's computed string attribute with the
// description desc.
func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
}
