package provider

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
	"github.com/keymate/terraform-provider-keymate/internal/customtypes"
	"github.com/keymate/terraform-provider-keymate/internal/planmodifiers"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ resource.Resource                     = (*apiKeyResource)(nil)
	_ resource.ResourceWithConfigure        = (*apiKeyResource)(nil)
	_ resource.ResourceWithConfigValidators = (*apiKeyResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*apiKeyResource)(nil)
	_ resource.ResourceWithImportState      = (*apiKeyResource)(nil)
	_ resource.ResourceWithIdentity         = (*apiKeyResource)(nil)
	_ apiModel[apiv1.APIKey]                = (*apiKeyResourceModel)(nil)
)

// privateFingerprintKey names the private-state entry holding the fingerprint
// of the secret the provider last set, so that a rotation made outside
// Terraform is noticed even when the secret itself is not in state
// (secret_wo). A key whose secret is in state has none: the secret tells
// its fingerprint, and Terraform rewrites the whole state after each object
// it applies, so every byte of a key's state costs an apply of many keys
// time.
const privateFingerprintKey = "applied_secret_fingerprint"

// apiKeyFields maps API request fields to the attributes that set them, for
// validation errors.
var apiKeyFields = map[string]string{
	"name": "name", "description": "description", "scopes": "scopes", "rotation_days": "rotation_days",
	"rotation_grace_period": "rotation_grace_period", "expires_at": "expires_at", "secret": "secret_wo",
}

// apiKeys are the API keys, which are revoked rather than deleted. A
// revoked key is removed from state and cannot be imported; an imported key
// has no secret in state, as the API returns a secret only when it creates or
// rotates one.
var apiKeys = objectKind[apiv1.APIKey]{
	typeName: "api_key", object: "API key", idPrefix: "key_", collection: apiv1.CollectionAPIKeys,
	readScope: apiv1.ScopeKeysRead, writeScope: apiv1.ScopeKeysWrite, removeVerb: "revoke", fields: apiKeyFields,
	id:   func(k *apiv1.APIKey) string { return k.ID },
	name: func(k *apiv1.APIKey) string { return k.Name },
	gone: func(k *apiv1.APIKey) bool { return k.Status == apiv1.KeyStatusRevoked },
	get:  (*client.Client).GetAPIKey, refresh: (*client.Client).RefreshAPIKey, remove: (*client.Client).RevokeAPIKey,
}

func newAPIKeyResource() resource.Resource {
	return &apiKeyResource{resourceBase[apiv1.APIKey]{kind: apiKeys}}
}

type apiKeyResource struct{ resourceBase[apiv1.APIKey] }

type apiKeyResourceModel struct {
	ID                  types.String         `tfsdk:"id"`
	Name                types.String         `tfsdk:"name"`
	Description         types.String         `tfsdk:"description"`
	Scopes              types.Set            `tfsdk:"scopes"`
	RotationDays        types.Int64          `tfsdk:"rotation_days"`
	RotationGracePeriod customtypes.Duration `tfsdk:"rotation_grace_period"`
	RotateWhenChanged   types.Map            `tfsdk:"rotate_when_changed"`
	ExpiresAt           customtypes.RFC3339  `tfsdk:"expires_at"`
	SecretWO            types.String         `tfsdk:"secret_wo"`
	SecretWOVersion     types.Int64          `tfsdk:"secret_wo_version"`
	Secret              types.String         `tfsdk:"secret"`
	SecretFingerprint   types.String         `tfsdk:"secret_fingerprint"`
	CreatedAt           types.String         `tfsdk:"created_at"`
	RotatedAt           types.String         `tfsdk:"rotated_at"`
	NextRotationAt      types.String         `tfsdk:"next_rotation_at"`
}

func (r *apiKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Keymate API key: a bearer secret with a set of scopes, rotated on a schedule.\n\n" +
			"Terraform rotates the key in place (same `id`) when `next_rotation_at` has passed, when `rotate_when_changed` " +
			"or `secret_wo_version` changes, or when the key was rotated outside Terraform; `terraform plan` then shows an update " +
			"with the secret known after apply. After a rotation the previous secret keeps working for `rotation_grace_period`. " +
			"Destroying the resource revokes the key.\n\n" +
			"The secret is either generated by the server and stored in state as the sensitive `secret`, or supplied with the " +
			"write-only `secret_wo`, which is never stored in state or plan." + resourceStateNote,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Key id, such as `key_...`. It never changes, not even on rotation.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: fmt.Sprintf("Name of the key, unique among the keys that are not revoked. 1 to %d characters: "+
					"letters, digits, spaces, `.`, `_` and `-`, starting with a letter or digit. Can be changed in place.", apiv1.MaxNameLength),
				Validators: []validator.String{validators.Text(apiv1.KeyNameRule)},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				MarkdownDescription: fmt.Sprintf("Free text describing the key, up to %d characters. Defaults to `\"\"`.", apiv1.MaxDescriptionLength),
				Validators:          []validator.String{validators.Text(apiv1.DescriptionRule)},
			},
			"scopes": schema.SetAttribute{
				Required:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Scopes the key holds, at least one of: " + quotedList(apiv1.Scopes) + ". `admin` grants every other scope. " +
					"The provider's own key must hold every scope it grants. Least privilege from use: on a key created 90 days ago or more, " +
					"the plan names the scopes no request made with the key needed in the last 90 days (control `KM-KEY-005`, by the " +
					"key's use as the refresh reads it, so not with `-refresh=false`): a warning for those the key already holds, under " +
					"every policy but `off`; for those the configuration adds, a warning, or an error under `policy = \"enforce\"`. A " +
					"request refused for lacking a scope records that the key needed it, so such a scope may be added under enforce. " +
					"The key's use (`last_used_at`, `scope_last_used_at`) is in the `keymate_api_key` data source, not in this resource's state.",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(apiv1.Scopes...)),
				},
			},
			"rotation_days": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(apiv1.DefaultRotationDays),
				MarkdownDescription: fmt.Sprintf("Days between rotations, %d to %d; defaults to %d. `next_rotation_at` is `rotated_at` "+
					"plus this many days. Values above %d are reported at plan as control `KM-KEY-002` (a warning, an error under the provider's "+
					"`policy = \"enforce\"`), as the security guide requires rotation at least every %d days.",
					apiv1.MinRotationDays, apiv1.MaxRotationDays, apiv1.DefaultRotationDays, controls.MaxRotationDays, controls.MaxRotationDays),
				Validators: []validator.Int64{
					int64validator.Between(apiv1.MinRotationDays, apiv1.MaxRotationDays),
				},
			},
			"rotation_grace_period": schema.StringAttribute{
				Optional:   true,
				Computed:   true,
				CustomType: customtypes.DurationType{},
				Default:    stringdefault.StaticString(apiv1.DefaultRotationGracePeriod),
				MarkdownDescription: fmt.Sprintf("How long the previous secret keeps working after a rotation, as a Go duration such as "+
					"`24h` or `90m`; `0s` ends it at once. At most `%s`; defaults to `%s`. Equal durations written differently "+
					"(`1440m`, `24h`) are the same value.", shortDuration(apiv1.MaxRotationGracePeriod), apiv1.DefaultRotationGracePeriod),
				Validators:    []validator.String{validators.DurationBetween(0, apiv1.MaxRotationGracePeriod)},
				PlanModifiers: []planmodifier.String{planmodifiers.UseStateWhenSemanticallyEqual(customtypes.DurationType{})},
			},
			"rotate_when_changed": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Arbitrary map of strings; any change to it rotates the key in place (for example a deployment " +
					"id or a date). Stored in state, not sent to the API. Cannot be combined with `secret_wo`, which rotates only to a new " +
					"secret through `secret_wo_version`.",
			},
			"expires_at": schema.StringAttribute{
				Optional:   true,
				CustomType: customtypes.RFC3339Type{},
				MarkdownDescription: "When the key stops working for good, as an RFC 3339 timestamp such as `2026-12-31T00:00:00Z`. " +
					"Must be in the future when set or changed. Leave out for no expiry; removing it clears the expiry.",
				PlanModifiers: []planmodifier.String{planmodifiers.UseStateWhenSemanticallyEqual(customtypes.RFC3339Type{})},
			},
			"secret_wo": schema.StringAttribute{
				Optional:  true,
				WriteOnly: true,
				MarkdownDescription: fmt.Sprintf("A secret you supply instead of a generated one, %d to %d characters without whitespace. "+
					"Write-only: never stored in state or plan (requires Terraform 1.11). Sent on create and whenever "+
					"`secret_wo_version` changes; requires `secret_wo_version`.", apiv1.MinSecretLength, apiv1.MaxSecretLength),
				Validators: []validator.String{validators.Secret(apiv1.MinSecretLength)},
			},
			"secret_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Version of `secret_wo`. Change it (for example increment it) to rotate the key to the current " +
					"`secret_wo` value; Terraform cannot see changes to a write-only value on its own. Requires `secret_wo`. " +
					"A key with a supplied secret rotates only this way: once `next_rotation_at` has passed, every plan reports control " +
					"`KM-KEY-001` on this attribute (a warning, an error under `policy = \"enforce\"`) until a new secret is supplied " +
					"and this version changes. Stored in state.",
			},
			"secret": schema.StringAttribute{
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "The server-generated secret (`km_...`). Stored in state, marked sensitive. Null when `secret_wo` " +
					"is used, and null after `terraform import` because the API returns a secret only when it creates or rotates it.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"secret_fingerprint": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "`sha256:` and the first 16 hex digits of the SHA-256 of the current secret. Not secret: " +
					"use it to tell which secret is current.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the key was created (RFC 3339, UTC).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"rotated_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the current secret was issued (RFC 3339, UTC): the creation time until the first rotation.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"next_rotation_at": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "When the key is due for rotation (RFC 3339, UTC): `rotated_at` plus `rotation_days`. " +
					"The first `terraform plan` at or after this time plans a rotation.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *apiKeyResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.RequiredTogether(path.MatchRoot("secret_wo"), path.MatchRoot("secret_wo_version")),
		// A write-only secret rotates only to a new secret, with secret_wo_version.
		resourcevalidator.Conflicting(path.MatchRoot("secret_wo"), path.MatchRoot("rotate_when_changed")),
	}
}

// ModifyPlan decides rotations. With prior state it plans a rotation (secret,
// fingerprint and rotation times unknown) when the key is due by the
// provider's clock, when rotate_when_changed or secret_wo_version changed,
// or when the secret was rotated outside Terraform. It also rejects an
// expires_at in the past when it is set or changed, and holds the planned
// scopes to the key's use (checkScopeUse).
//
// A plan runs this for every key, so it converts little: of the
// configuration only secret_wo, an unchanged key's plan is its state
// (converted once), and it sets only the attributes it changes.
func (r *apiKeyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet
	}
	var secretWO types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_wo"), &secretWO)...)
	writeOnly := !secretWO.IsNull()
	now := r.data.clock.Now()

	if req.State.Raw.IsNull() {
		var plan apiKeyResourceModel
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
		if resp.Diagnostics.HasError() {
			return
		}
		r.checkGuide(plan, &resp.Diagnostics)
		checkExpiry(plan.ExpiresAt, now, &resp.Diagnostics)
		if writeOnly { // a supplied secret is never stored
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("secret"), types.StringNull())...)
		}
		return
	}

	var state apiKeyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	plan, changed := state, !req.Plan.Raw.Equal(req.State.Raw)
	if changed {
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	r.checkGuide(plan, &resp.Diagnostics)
	if !plan.Scopes.IsUnknown() {
		r.data.checkScopeUse(state.ID.ValueString(), func() ([]string, diag.Diagnostics) { return setStrings(ctx, plan.Scopes) },
			now, &resp.Diagnostics)
	}
	unknown := map[string]bool{} // attributes this plan leaves unknown
	if changed {
		checkExpiryChange(ctx, plan.ExpiresAt, state.ExpiresAt, now, &resp.Diagnostics)
	}
	if !plan.RotationDays.Equal(state.RotationDays) {
		unknown["next_rotation_at"] = true
	}

	appliedFingerprint := "" // stays "" when unknown, for example after import
	_, diags := getPrivateJSON(ctx, req.Private, privateFingerprintKey, &appliedFingerprint)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	reason, needsNewSecret := rotationReason(state, plan, now, appliedFingerprint, writeOnly)
	if needsNewSecret != "" {
		detail := needsNewSecret + ". A key with a write-only secret can only rotate to a new secret: set secret_wo to " +
			"a new value and increment secret_wo_version."
		if _, overdue := rotationDue(state, now); overdue {
			r.data.checkPolicy(&resp.Diagnostics, controls.KeyRotationOverdue, path.Root("secret_wo_version"), detail)
		} else {
			resp.Diagnostics.AddAttributeWarning(path.Root("secret_wo_version"), "Keymate API key needs a new secret", detail)
		}
	}
	if reason != "" {
		tflog.Info(ctx, "Planning rotation of Keymate API key", map[string]any{"id": state.ID.ValueString(), "reason": reason})
		unknown["secret_fingerprint"], unknown["rotated_at"], unknown["next_rotation_at"] = true, true, true
		if writeOnly {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("secret"), types.StringNull())...)
		} else {
			unknown["secret"] = true
		}
	}
	for name := range unknown {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), types.StringUnknown())...)
	}
}

// checkGuide holds the planned key to the security guide (controls
// KM-KEY-002 and KM-KEY-003), as the provider's policy setting says.
func (r *apiKeyResource) checkGuide(plan apiKeyResourceModel, diags *diag.Diagnostics) {
	if days := plan.RotationDays; !days.IsUnknown() && !days.IsNull() && days.ValueInt64() > controls.MaxRotationDays {
		r.data.checkPolicy(diags, controls.KeyRotationPeriod, path.Root("rotation_days"),
			fmt.Sprintf("rotation_days is %d; the security guide asks for rotation at least every %d days.",
				days.ValueInt64(), controls.MaxRotationDays))
	}
	if plan.ExpiresAt.IsNull() && !plan.Scopes.IsUnknown() {
		admin := types.StringValue(apiv1.ScopeAdmin)
		if slices.ContainsFunc(plan.Scopes.Elements(), func(e attr.Value) bool { return e.Equal(admin) }) {
			r.data.checkPolicy(diags, controls.KeyAdminWithoutExpiry, path.Root("expires_at"),
				"The key holds the admin scope and has no expires_at, so a leaked secret would grant everything indefinitely.")
		}
	}
}

// rotationReason says why this plan rotates the key (rotate), or "" when it
// does not. A key with a write-only secret rotates only when
// secret_wo_version changes, because it can only rotate to a new secret;
// when such a key is due for another reason, needsNewSecret says why and
// rotate stays "". appliedFingerprint is the fingerprint of the secret the
// provider last set ("" when unknown, for example after import).
func rotationReason(state, plan apiKeyResourceModel, now time.Time, appliedFingerprint string, writeOnly bool) (rotate, needsNewSecret string) {
	if !plan.SecretWOVersion.Equal(state.SecretWOVersion) {
		return "secret_wo_version changed", ""
	}
	var due string
	expected := appliedFingerprint
	if !state.Secret.IsNull() && !state.Secret.IsUnknown() {
		expected = apiv1.Fingerprint(state.Secret.ValueString())
	}
	if reason, overdue := rotationDue(state, now); overdue {
		due = reason
	} else if !plan.RotateWhenChanged.Equal(state.RotateWhenChanged) {
		due = "rotate_when_changed changed"
	} else if expected != "" && expected != state.SecretFingerprint.ValueString() {
		due = "the key was rotated outside Terraform (its fingerprint no longer matches the secret Terraform set)"
	}
	if writeOnly {
		return "", due
	}
	return due, ""
}

// rotationDue reports whether the key is overdue for rotation at now
// (apiv1.RotationOverdue: from its next_rotation_at on).
func rotationDue(state apiKeyResourceModel, now time.Time) (string, bool) {
	next, err := time.Parse(time.RFC3339, state.NextRotationAt.ValueString())
	if err != nil || !apiv1.RotationOverdue(next, now) {
		return "", false
	}
	return "next_rotation_at " + state.NextRotationAt.ValueString() + " has passed", true
}

func (r *apiKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan apiKeyResourceModel
	var secretWO types.String // of the configuration, only the write-only secret
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_wo"), &secretWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	scopes, diags := setStrings(ctx, plan.Scopes)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := apiv1.CreateAPIKeyRequest{
		Name:                plan.Name.ValueString(),
		Description:         plan.Description.ValueString(),
		Scopes:              scopes,
		RotationDays:        plan.RotationDays.ValueInt64Pointer(),
		RotationGracePeriod: plan.RotationGracePeriod.ValueStringPointer(),
		Secret:              secretWO.ValueStringPointer(),
		ExpiresAt:           timeText(plan.ExpiresAt),
	}
	key, err := r.data.client.CreateAPIKey(ctx, body)
	switch {
	case err != nil && body.Secret != nil:
		// A key with a supplied secret cannot be replaced (a secret once used
		// is never accepted again), so it is not kept as tainted: the API
		// answers the next apply's identical create with the key instead.
		resp.Diagnostics.Append(r.kind.op("create").diagnostics(err, apiKeyFields)...)
		return
	case err != nil:
		createFailed(ctx, req.Plan, resp, r.kind.op("create"), err, apiKeyFields)
		return
	}
	saveKeyWritten(ctx, &resp.State, resp.Identity, resp.Private, &resp.Diagnostics, &plan, key, true)
}

// saveKeyWritten ends a Create or an Update that wrote key: when it got a
// new secret (newSecret: a create or a rotation), the secret the API
// generated, or null for a supplied one, replaces the planned one; the plan
// becomes the state, and private state records the fingerprint of the key's
// secret unless the state holds the secret itself.
func saveKeyWritten(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, private privateData,
	diags *diag.Diagnostics, plan *apiKeyResourceModel, key *apiv1.APIKey, newSecret bool) {
	if newSecret {
		plan.Secret = types.StringNull()
		if key.Secret != "" {
			plan.Secret = types.StringValue(key.Secret)
		}
	}
	saveWritten(ctx, state, identity, diags, plan, key, key.ID)
	if plan.Secret.IsNull() {
		diags.Append(setPrivateJSON(ctx, private, privateFingerprintKey, key.SecretFingerprint)...)
	} else {
		diags.Append(private.SetKey(ctx, privateFingerprintKey, nil)...)
	}
}

// Read refreshes the key; a key revoked outside Terraform leaves state, so
// that the plan creates it again. The key's use goes to keyUsage for this
// run's ModifyPlan, never into state.
func (r *apiKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if key := readObject[apiv1.APIKey, apiKeyResourceModel](ctx, req, resp, &r.resourceBase); key != nil {
		r.data.keyUsage.record(key)
	}
}

func (r *apiKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state apiKeyResourceModel
	var secretWO types.String // of the configuration, only the write-only secret
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_wo"), &secretWO)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()

	patch, changed, diags := updateRequest(ctx, plan, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The plan decides: ModifyPlan leaves the fingerprint unknown exactly
	// when a rotation is due. A rotation answers the key, so it needs no read.
	rotate := plan.SecretFingerprint.IsUnknown()
	var key *apiv1.APIKey
	if changed || !rotate {
		if key = updated(ctx, &r.resourceBase, id, changed, patch, r.data.client.UpdateAPIKey, &resp.Diagnostics); key == nil {
			return
		}
	}
	if rotate {
		var err error
		if key, err = r.data.client.RotateAPIKey(ctx, id, apiv1.RotateAPIKeyRequest{Secret: secretWO.ValueStringPointer()}); err != nil {
			resp.Diagnostics.Append(r.kind.op("rotate").diagnostics(err, apiKeyFields)...)
			return
		}
	}
	saveKeyWritten(ctx, &resp.State, resp.Identity, resp.Private, &resp.Diagnostics, &plan, key, rotate)
}

// updateRequest builds the merge patch holding only the API fields that
// differ between plan and state; changed is false when there is none.
func updateRequest(ctx context.Context, plan, state apiKeyResourceModel) (patch apiv1.UpdateAPIKeyRequest, changed bool, diags diag.Diagnostics) {
	if !plan.Name.Equal(state.Name) {
		patch.Name, changed = plan.Name.ValueStringPointer(), true
	}
	if !plan.Description.Equal(state.Description) {
		patch.Description, changed = plan.Description.ValueStringPointer(), true
	}
	planScopes, d := setStrings(ctx, plan.Scopes)
	diags.Append(d...)
	stateScopes, d := setStrings(ctx, state.Scopes)
	diags.Append(d...)
	if !slices.Equal(planScopes, stateScopes) {
		patch.Scopes, changed = &planScopes, true
	}
	if !plan.RotationDays.Equal(state.RotationDays) {
		patch.RotationDays, changed = plan.RotationDays.ValueInt64Pointer(), true
	}
	equal, d := plan.RotationGracePeriod.StringSemanticEquals(ctx, state.RotationGracePeriod)
	if diags.Append(d...); !equal {
		patch.RotationGracePeriod, changed = plan.RotationGracePeriod.ValueStringPointer(), true
	}
	patch.ExpiresAt, d = expiresAtPatch(ctx, plan.ExpiresAt, state.ExpiresAt)
	diags.Append(d...)
	return patch, changed || patch.ExpiresAt.Set, diags
}

// fromAPI copies the API's view of the key into m: every argument the API
// stores and the computed attributes. Terraform-side attributes (secret,
// secret_wo_version, rotate_when_changed) are left as they are. Equal
// durations and instants written differently are reconciled by the custom
// types' semantic equality, so m keeps the configured spelling.
func (m *apiKeyResourceModel) fromAPI(ctx context.Context, key *apiv1.APIKey) diag.Diagnostics {
	scopes, diags := types.SetValueFrom(ctx, types.StringType, key.Scopes)
	m.ID = types.StringValue(key.ID)
	m.Name = types.StringValue(key.Name)
	m.Description = types.StringValue(key.Description)
	m.Scopes = scopes
	m.RotationDays = types.Int64Value(key.RotationDays)
	m.RotationGracePeriod = durationValue(key.RotationGracePeriod)
	m.ExpiresAt = customtypes.NewRFC3339TimePointerValue(key.ExpiresAt)
	m.SecretFingerprint = types.StringValue(key.SecretFingerprint)
	m.CreatedAt = timeString(key.CreatedAt)
	m.RotatedAt = timeString(key.RotatedAt)
	m.NextRotationAt = timeString(key.NextRotationAt)
	return diags
}
