package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Every Keymate object is identified by its id alone (one API server per
// provider configuration), so every resource has the same identity schema:
// { id = "..." }. Terraform 1.12 and later store it beside the state, import
// by it (an import block's identity argument) and list resources return it.

// idIdentityModel is the identity of every resource.
type idIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

// idIdentitySchema is the IdentitySchema of every resource; what names the
// object ("API key") and example is an id of its kind.
func idIdentitySchema(what, example string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "Id of the " + what + ", such as `" + example + "`. It never changes.",
			},
		},
	}
}

// setIdentity sets the identity to id: Create and Update set it from the
// object they made or changed, Read from the object it read. Terraform and
// OpenTofu before 1.12 never send it back, nor do states written by earlier
// versions of this provider, so every one of them sets it.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, idIdentityModel{ID: types.StringValue(id)})
}

// identityForRemoval gives a Read that removes its resource an identity when
// it has none (Terraform or OpenTofu before 1.12, a create whose answer was
// lost): the framework rejects a Read without identity even when it removes
// the resource, and discards it with the resource. It is the id in state, or
// "" when there is none.
func identityForRemoval(ctx context.Context, resp *resource.ReadResponse) {
	if resp.Identity == nil || !resp.Identity.Raw.IsFullyNull() {
		return
	}
	var id types.String
	resp.Diagnostics.Append(resp.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, id.ValueString())...)
}

// importByIDOrIdentity is the ImportState of every resource: the import id
// (terraform import, or an import block's id) or the identity's id (an import
// block's identity) becomes the id in state, and Read does the rest.
func importByIDOrIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root("id"), path.Root("id"), req, resp)
}
