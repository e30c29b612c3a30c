package provider

import (
	"context"
	"errors"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/client"
)

// objectKind describes one kind of Keymate object (API keys, access grants,
// ...) to what every kind shares: the parts of its resource that are the same
// for every resource (resourceBase), the generic Create, Read and Update
// (resource_lifecycle.go), its list resource (listBase, listObjects) and the
// messages of its operations (op). Each resource file declares its kind.
type objectKind[T any] struct {
	typeName   string // the resource type's name after the provider's, such as "api_key"
	object     string // how messages and documentation name one, such as "API key"
	idPrefix   string // such as "key_"
	collection string // apiv1.Collection*
	readScope  string
	writeScope string
	removeVerb string            // "delete", or "revoke" for a kind that is revoked rather than deleted
	fields     map[string]string // API request fields to the attributes that set them, for validation errors

	id   func(*T) string
	name func(*T) string // a list result's display name
	gone func(*T) bool   // nil, or whether Read removes the object and lists leave it out (revoked)

	get     func(*client.Client, context.Context, string) (*T, error)
	refresh func(*client.Client, context.Context, string) (*T, error) // the coalesced get of Read
	remove  func(*client.Client, context.Context, string) error
	// removeFailed, when set, turns an error of remove, op, into diagnostics
	// (for example a 409 naming what still uses the object); else op does.
	removeFailed func(op operation, id string, err error) diag.Diagnostics
}

// op is the operation verb ("create", "read", "rotate", ...) of one object
// of the kind, for error messages; reading needs the kind's read scope,
// anything else its write scope.
func (k objectKind[T]) op(verb string) operation {
	scope := k.writeScope
	if verb == "read" {
		scope = k.readScope
	}
	return operation{verb: verb, object: "Keymate " + k.object, scope: scope}
}

// listOp is the operation of listing the kind's objects.
func (k objectKind[T]) listOp() operation {
	return operation{verb: "list", object: "Keymate " + k.object + "s", scope: k.readScope}
}

// exampleID is an id of the kind, for descriptions.
func (k objectKind[T]) exampleID() string { return k.idPrefix + "0123456789abcdef01234567" }

// idPattern matches the ids of the kind.
func (k objectKind[T]) idPattern() *regexp.Regexp {
	return regexp.MustCompile(`^` + k.idPrefix + `[A-Za-z0-9]+$`)
}

// isGone reports whether obj is gone for Terraform (see gone).
func (k objectKind[T]) isGone(obj *T) bool { return k.gone != nil && k.gone(obj) }

// resourceBase is embedded by every resource of a kind of object: it holds
// the kind and the provider's data, and gives the resource what is the same
// for every resource: its type name, its identity { id }, Configure, import
// by id or identity and Delete.
type resourceBase[T any] struct {
	kind objectKind[T]
	data *providerData
}

func (r *resourceBase[T]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.kind.typeName
}

func (r *resourceBase[T]) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema(r.kind.object, r.kind.exampleID())
}

func (r *resourceBase[T]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// ImportState takes an id or an identity (importByIDOrIdentity); Read does
// the rest.
func (r *resourceBase[T]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, req, resp)
}

// Delete deletes (or revokes) the object by the id objectID returns. An
// object already gone (404) is what Delete wants, so it is no error.
func (r *resourceBase[T]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	objID, err := objectID(ctx, r.data.client, r.kind.collection, req.Private, id)
	if err == nil {
		err = r.kind.remove(r.data.client, ctx, objID)
	}
	op := r.kind.op(r.kind.removeVerb)
	switch {
	case err == nil || errors.Is(err, client.ErrNotFound):
	case r.kind.removeFailed != nil:
		resp.Diagnostics.Append(r.kind.removeFailed(op, objID, err)...)
	default:
		resp.Diagnostics.Append(op.diagnostics(err, nil)...)
	}
}

// fixedDescription gives a validator its description, the same in Markdown.
type fixedDescription string

func (d fixedDescription) Description(context.Context) string { return string(d) }

func (d fixedDescription) MarkdownDescription(context.Context) string { return string(d) }
