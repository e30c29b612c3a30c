package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/keymate/terraform-provider-keymate/internal/client"
)

// stopRead handles the error of the API call a resource's Read makes to get
// its object. A 404 removes the resource from state, so that an object
// deleted outside Terraform is planned for creation; any other error becomes
// op's diagnostics. It reports whether Read must stop, that is whether err
// is not nil.
func stopRead(ctx context.Context, resp *resource.ReadResponse, op operation, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, client.ErrNotFound):
		resp.State.RemoveResource(ctx)
	default:
		resp.Diagnostics.Append(op.diagnostics(err, nil)...)
	}
	return true
}

// deleteByID is the Delete of a resource whose object is deleted (or
// revoked) by id with del. An object already gone (404) is what Delete
// wants, so it is no error; any other error becomes op's diagnostics.
func deleteByID(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse, op operation,
	del func(ctx context.Context, id string) error) {
	var id string
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := del(ctx, id); err != nil && !errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.Append(op.diagnostics(err, nil)...)
	}
}
