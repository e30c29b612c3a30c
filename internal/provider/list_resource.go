package provider

import (
	"context"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// List resources (terraform query, Terraform 1.14 and later) share what is
// written here: every result carries the object's identity and a display
// name and, when Terraform asks for the resource (include_resource, or
// -generate-config-out), the state the resource's Read gives the object right
// after `terraform import`, built with the resource's own fromAPI. The
// configuration Terraform generates from it therefore imports with an empty
// plan.

// listResourceNote ends every list resource's description.
const listResourceNote = "\n\nRequires Terraform 1.14 or later (`terraform query`). Each result carries the object's identity " +
	"(`id`), so `terraform query -generate-config-out=generated.tf` writes a resource block and an `import` block per " +
	"object; applying them adopts the objects with an empty plan. See the guide \"Bringing an existing account under Terraform\"."

// listBase is embedded by every list resource: it holds the kind of object
// it lists and the provider's data, and gives the list resource its type
// name (the resource's) and Configure.
type listBase[T any] struct {
	kind objectKind[T]
	data *providerData
}

func (l *listBase[T]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + l.kind.typeName
}

func (l *listBase[T]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// listObjects is the List of every list resource: it reads the list block
// into a C, fetches the objects of kind with fetch (given the configuration
// and Terraform's limit) and streams a result (see listResult) per object
// that is not gone, at most req.Limit of them when it is set; M is the
// resource's model.
func listObjects[C, T, M any, PM modelOf[T, M]](ctx context.Context, req list.ListRequest, kind objectKind[T],
	fetch func(cfg C, limit int) ([]T, error)) iter.Seq[list.ListResult] {
	var cfg C
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		return list.ListResultsStreamDiagnostics(diags)
	}
	objects, err := fetch(cfg, int(req.Limit))
	if err != nil {
		return list.ListResultsStreamDiagnostics(kind.listOp().diagnostics(err, nil))
	}
	return func(push func(list.ListResult) bool) {
		var n int64
		for i := range objects {
			if kind.isGone(&objects[i]) {
				continue // Read would remove it from state
			}
			if req.Limit > 0 && n == req.Limit {
				return
			}
			n++
			if !push(listResult[T, M, PM](ctx, req, kind, &objects[i])) {
				return
			}
		}
	}
}

// listResult is the result of one object: its identity (id), its display
// name and, when Terraform asks for it, its resource state. That state starts
// as ImportState leaves it (only the id set, every other attribute null),
// which fromAPI, the mapping the resource's Read uses, then fills in.
func listResult[T, M any, PM modelOf[T, M]](ctx context.Context, req list.ListRequest, kind objectKind[T], obj *T) list.ListResult {
	id := kind.id(obj)
	result := req.NewListResult(ctx)
	result.DisplayName = kind.name(obj)
	result.Diagnostics.Append(result.Identity.Set(ctx, idIdentityModel{ID: types.StringValue(id)})...)
	if !req.IncludeResource {
		return result
	}
	result.Diagnostics.Append(result.Resource.SetAttribute(ctx, path.Root("id"), id)...)
	var m M
	result.Diagnostics.Append(result.Resource.Get(ctx, &m)...)
	if result.Diagnostics.HasError() {
		return result
	}
	result.Diagnostics.Append(PM(&m).fromAPI(ctx, obj)...)
	result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
	return result
}
