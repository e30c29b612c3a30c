package provider

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

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
		identityForRemoval(ctx, resp)
		resp.State.RemoveResource(ctx)
	default:
		resp.Diagnostics.Append(op.diagnostics(err, nil)...)
	}
	return true
}

// privatePendingCreateKey names the private-state entry of a resource whose
// create reached the API but whose answer was lost: the Idempotency-Key the
// create carried (see createFailed).
const privatePendingCreateKey = "pending_create_idempotency_key"

// createFailed reports a create that failed. When the API may have made the
// object anyway (a client.UnconfirmedError: the request reached the API and
// its answer was lost on every attempt), it also saves the resource with the
// plan's values, no id, and the create's Idempotency-Key in private state.
// Terraform keeps such a resource as tainted: the next refresh finds the
// object that create made, if any (objectID), and the next apply replaces
// it, deleting that object, so that nothing is left behind and nothing is
// created twice, whatever answers were lost.
func createFailed(ctx context.Context, plan tfsdk.Plan, resp *resource.CreateResponse, op operation, err error, fields map[string]string) {
	var unconfirmed *client.UnconfirmedError
	if !errors.As(err, &unconfirmed) {
		resp.Diagnostics.Append(op.diagnostics(err, fields)...)
		return
	}
	pending, terr := tftypes.Transform(plan.Raw, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if terr != nil {
		resp.Diagnostics.AddError(op.summary(), fmt.Sprintf("%s.\n\nThe API may have made the %s; recording that failed: %s.", err, op.object, terr))
		return
	}
	resp.State.Raw = pending
	resp.Diagnostics.Append(setPrivateJSON(ctx, resp.Private, privatePendingCreateKey, unconfirmed.IdempotencyKey)...)
	resp.Diagnostics.AddError(op.summary(), fmt.Sprintf("%s.\n\nThe request reached the Keymate API but its answer was lost, so the "+
		"API may have made the %s. Terraform keeps the resource as tainted: the next plan looks up what this request made "+
		"(by its Idempotency-Key) and the next apply replaces it, so that no %s is left behind or made twice. Check that the "+
		"API is reachable at the provider's endpoint and apply again.", err, op.object, op.object))
}

// objectID returns the id of a resource's object: the id in state, or, for a
// resource that createFailed saved without one, the id of the object its
// create made, found by the Idempotency-Key in private state (an error
// matching client.ErrNotFound when it made none, or the object was deleted
// since). collection (apiv1.Collection*) names the resource's kind.
func objectID(ctx context.Context, c *client.Client, collection string, private privateData, id types.String) (string, error) {
	if !id.IsNull() {
		return id.ValueString(), nil
	}
	var key string
	found, diags := getPrivateJSON(ctx, private, privatePendingCreateKey, &key)
	if diags.HasError() {
		return "", fmt.Errorf("reading private state: %s", diags[0].Detail())
	}
	if !found {
		return "", errors.New("the resource has no id")
	}
	created, err := c.IdempotentCreate(ctx, collection, key)
	if err != nil {
		return "", err
	}
	return created.ObjectID, nil
}

// getObject reads a resource's object for its Read (the kind's refresh), by
// the id objectID returns.
func getObject[T any](ctx context.Context, r *resourceBase[T], private privateData, id types.String) (*T, error) {
	objID, err := objectID(ctx, r.data.client, r.kind.collection, private, id)
	if err != nil {
		return nil, err
	}
	return r.kind.refresh(r.data.client, ctx, objID)
}

// setReadState writes the state a Read built, unless it equals read, the
// state that Read started from: the framework starts a Read's response with
// that state, and writing a model converts every attribute, which a plan
// would otherwise do for every object. read and built must share nothing
// that fromAPI changes in place (flat models, or nested models replaced
// whole, as alert rules' condition is; a channel's are changed in place, so
// channels always write).
func setReadState[M any](ctx context.Context, resp *resource.ReadResponse, read, built M) {
	if reflect.DeepEqual(read, built) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &built)...)
}

// updated returns the API's view of a resource's object after its Update:
// the answer of update when the plan changes what the API stores (changed),
// else the object as the kind's get reads it (only Terraform-side attributes
// changed, such as send_test_on_apply). A failure is added to diags and
// returns nil.
func updated[T, P any](ctx context.Context, r *resourceBase[T], id string, changed bool, patch P,
	update func(context.Context, string, P) (*T, error), diags *diag.Diagnostics) *T {
	if changed {
		obj, err := update(ctx, id, patch)
		if err != nil {
			diags.Append(r.kind.op("update").diagnostics(err, r.kind.fields)...)
			return nil
		}
		return obj
	}
	obj, err := r.kind.get(r.data.client, ctx, id)
	if err != nil {
		diags.Append(r.kind.op("read").diagnostics(err, nil)...)
		return nil
	}
	return obj
}

// apiModel is a resource's model, which fromAPI fills from the API's view of
// its object: the one mapping Create, Read, Update and the list resource use.
type apiModel[T any] interface {
	fromAPI(ctx context.Context, obj *T) diag.Diagnostics
}

// saveWritten ends a Create or an Update that wrote obj, whose id is id:
// the model m (the plan) takes the API's view, and becomes the state, with
// the identity.
func saveWritten[T any](ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics,
	m apiModel[T], obj *T, id string) {
	diags.Append(m.fromAPI(ctx, obj)...)
	diags.Append(state.Set(ctx, m)...)
	diags.Append(setIdentity(ctx, identity, id)...)
}

// The Create, Read and Update of a resource whose object needs nothing but
// its plan, state and API calls. modelOf[T, M] constrains *M to be a model
// of T.
type modelOf[T, M any] interface {
	*M
	apiModel[T]
}

// createObject is such a resource's Create: the body built from the plan
// with build, sent with create; a failure goes through createFailed.
func createObject[T, M, B any, PM modelOf[T, M]](ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse,
	r *resourceBase[T], build func(context.Context, M) (B, diag.Diagnostics), create func(context.Context, B) (*T, error)) {
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body, diags := build(ctx, plan)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	obj, err := create(ctx, body)
	if err != nil {
		createFailed(ctx, req.Plan, resp, r.kind.op("create"), err, r.kind.fields)
		return
	}
	saveWritten(ctx, &resp.State, resp.Identity, &resp.Diagnostics, PM(&plan), obj, r.kind.id(obj))
}

// readObject is a resource's Read: the object of the state's id (objectID)
// read with getObject. It leaves state when it is gone (404), or when the
// kind says so (a revoked key or grant), so that the plan creates it again;
// otherwise fromAPI refreshes the state, which is written only when it
// changed. It returns the object read, nil when the resource left state or
// the read failed.
func readObject[T, M any, PM modelOf[T, M]](ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, r *resourceBase[T]) *T {
	var state M
	var stateID types.String
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &stateID)...)
	if resp.Diagnostics.HasError() {
		return nil
	}
	obj, err := getObject(ctx, r, req.Private, stateID)
	if stopRead(ctx, resp, r.kind.op("read"), err) {
		return nil
	}
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, r.kind.id(obj))...)
	if r.kind.isGone(obj) {
		resp.State.RemoveResource(ctx)
		return nil
	}
	read := state
	resp.Diagnostics.Append(PM(&state).fromAPI(ctx, obj)...)
	setReadState(ctx, resp, read, state)
	return obj
}

// updateObject is such a resource's Update: the merge patch that build makes
// of plan and state goes through updated, and the answer becomes the state.
func updateObject[T, M, P any, PM modelOf[T, M]](ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse,
	r *resourceBase[T], build func(ctx context.Context, plan, state M) (P, bool, diag.Diagnostics),
	update func(context.Context, string, P) (*T, error)) {
	var plan, state M
	var stateID types.String
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &stateID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	patch, changed, diags := build(ctx, plan, state)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	if obj := updated(ctx, r, stateID.ValueString(), changed, patch, update, &resp.Diagnostics); obj != nil {
		saveWritten(ctx, &resp.State, resp.Identity, &resp.Diagnostics, PM(&plan), obj, r.kind.id(obj))
	}
}
