package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/customtypes"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ ephemeral.EphemeralResource              = (*apiKeyEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*apiKeyEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithRenew     = (*apiKeyEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*apiKeyEphemeralResource)(nil)
)

// Limits of a short-lived key's time to live.
const (
	minEphemeralKeyTTL     = time.Minute
	maxEphemeralKeyTTL     = 24 * time.Hour
	defaultEphemeralKeyTTL = "1h"
	// ephemeralKeySuffixLength is the length of "-" and 8 random hex digits
	// appended to name_prefix.
	ephemeralKeySuffixLength = 9
)

// namePrefixRule is the API key name rule, leaving room for the suffix.
var namePrefixRule = func() apiv1.TextRule {
	rule := apiv1.KeyNameRule
	rule.MaxLength -= ephemeralKeySuffixLength
	return rule
}()

// privateEphemeralKey names the private-data entry that carries the key's id
// and ttl from Open to Renew and Close, which see no configuration.
const privateEphemeralKey = "ephemeral_api_key"

const ephemeralKeyDescription = "Short-lived key opened by Terraform (ephemeral keymate_api_key); revoked when the run ends."

// Operations of this ephemeral resource, for error messages.
var (
	opOpenEphemeralKey  = operation{verb: "create", object: "short-lived Keymate API key", scope: apiv1.ScopeKeysWrite}
	opRenewEphemeralKey = operation{verb: "renew", object: "short-lived Keymate API key", scope: apiv1.ScopeKeysWrite}
	opCloseEphemeralKey = operation{verb: "revoke", object: "short-lived Keymate API key", scope: apiv1.ScopeKeysWrite}
)

// ephemeralKeyFields maps API request fields to the arguments that set them.
var ephemeralKeyFields = map[string]string{"name": "name_prefix", "scopes": "scopes", "expires_at": "ttl"}

func newAPIKeyEphemeralResource() ephemeral.EphemeralResource { return &apiKeyEphemeralResource{} }

type apiKeyEphemeralResource struct {
	data *providerData
}

type apiKeyEphemeralResourceModel struct {
	NamePrefix types.String         `tfsdk:"name_prefix"`
	Scopes     types.Set            `tfsdk:"scopes"`
	TTL        customtypes.Duration `tfsdk:"ttl"`
	ID         types.String         `tfsdk:"id"`
	Name       types.String         `tfsdk:"name"`
	Secret     types.String         `tfsdk:"secret"`
	ExpiresAt  types.String         `tfsdk:"expires_at"`
}

// ephemeralKeyPrivate is what Renew and Close need to know about the key.
type ephemeralKeyPrivate struct {
	ID  string `json:"id"`
	TTL string `json:"ttl"`
}

func (r *apiKeyEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (r *apiKeyEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A short-lived Keymate API key for the length of one Terraform run, for example to configure another " +
			"provider or tool without a long-lived credential. Requires Terraform 1.10 or later.\n\n" +
			"Terraform creates the key when the run needs it, expiring `ttl` later; asks the provider to renew it (move its expiry " +
			"`ttl` ahead) when 80% of `ttl` has passed and the run is still going; and revokes it when the run no longer needs it. " +
			"Plan and apply each open their own key. Nothing of the key, its secret included, is written to plan or state.",
		Attributes: map[string]schema.Attribute{
			"name_prefix": schema.StringAttribute{
				Required: true,
				MarkdownDescription: fmt.Sprintf("Start of the key's name; the name is this prefix, `-` and 8 random hex digits, "+
					"such as `ci-3fa94c1e`, so that concurrent runs never collide. 1 to %d characters: letters, digits, spaces, `.`, "+
					"`_` and `-`, starting with a letter or digit.", apiv1.MaxNameLength-ephemeralKeySuffixLength),
				Validators: []validator.String{validators.Text(namePrefixRule)},
			},
			"scopes": schema.SetAttribute{
				Required:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Scopes the key holds, at least one of: " + quotedList(apiv1.Scopes) + ". Grant only what the run needs; " +
					"the provider's own key must hold every scope it grants.",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(apiv1.Scopes...)),
				},
			},
			"ttl": schema.StringAttribute{
				Optional:   true,
				CustomType: customtypes.DurationType{},
				MarkdownDescription: fmt.Sprintf("How long the key lives, as a Go duration such as `30m` or `2h`: %s to %s; "+
					"defaults to `%s`. Each renewal gives it this long again.", shortDuration(minEphemeralKeyTTL),
					shortDuration(maxEphemeralKeyTTL), defaultEphemeralKeyTTL),
				Validators: []validator.String{validators.DurationBetween(minEphemeralKeyTTL, maxEphemeralKeyTTL)},
			},
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Key id, such as `key_...`.",
			},
			"name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Key name: `name_prefix`, `-` and 8 random hex digits.",
			},
			"secret": schema.StringAttribute{
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "The key's secret (`km_...`). Ephemeral: never stored in plan or state.",
			},
			"expires_at": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "When the key expires unless renewed (RFC 3339, UTC): `ttl` after it was created, by the " +
					"provider's clock. Renewals move the expiry on the server; this value stays as it was when the key was opened.",
			},
		},
	}
}

func (r *apiKeyEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// Open creates the key, expiring ttl from now by the provider's clock.
func (r *apiKeyEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var cfg apiKeyEphemeralResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ttlText := defaultEphemeralKeyTTL
	if !cfg.TTL.IsNull() {
		ttlText = cfg.TTL.ValueString()
	}
	ttl, err := time.ParseDuration(ttlText)
	if err != nil { // the schema validator has already reported it
		return
	}
	scopes, diags := setStrings(ctx, cfg.Scopes)
	resp.Diagnostics.Append(diags...)
	suffix, err := randomHex(4)
	if err != nil {
		resp.Diagnostics.AddError(opOpenEphemeralKey.summary(), "Unable to generate a random name suffix: "+err.Error())
	}
	if resp.Diagnostics.HasError() {
		return
	}

	expiresAt := apiv1.TimeText(r.data.clock.Now().Add(ttl))
	key, err := r.data.client.CreateAPIKey(ctx, apiv1.CreateAPIKeyRequest{
		Name:        cfg.NamePrefix.ValueString() + "-" + suffix,
		Description: ephemeralKeyDescription,
		Scopes:      scopes,
		ExpiresAt:   &expiresAt,
	})
	if err != nil {
		resp.Diagnostics.Append(opOpenEphemeralKey.diagnostics(err, ephemeralKeyFields)...)
		return
	}
	resp.Diagnostics.Append(setPrivateJSON(ctx, resp.Private, privateEphemeralKey, ephemeralKeyPrivate{ID: key.ID, TTL: ttlText})...)
	cfg.ID = types.StringValue(key.ID)
	cfg.Name = types.StringValue(key.Name)
	cfg.Secret = types.StringValue(key.Secret)
	cfg.ExpiresAt = timePointerString(key.ExpiresAt)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &cfg)...)
	resp.RenewAt = renewAt(ttl)
}

// Renew moves the key's expiry to ttl from now, by the provider's clock.
func (r *apiKeyEphemeralResource) Renew(ctx context.Context, req ephemeral.RenewRequest, resp *ephemeral.RenewResponse) {
	priv, diags := getEphemeralKeyPrivate(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ttl, err := time.ParseDuration(priv.TTL)
	if err != nil {
		resp.Diagnostics.AddError(opRenewEphemeralKey.summary(),
			fmt.Sprintf("The key's recorded ttl %q is not a duration. This is a bug in the provider; please report it.", priv.TTL))
		return
	}
	patch := apiv1.UpdateAPIKeyRequest{ExpiresAt: apiv1.Value(apiv1.TimeText(r.data.clock.Now().Add(ttl)))}
	if _, err := r.data.client.UpdateAPIKey(ctx, priv.ID, patch); err != nil {
		resp.Diagnostics.Append(opRenewEphemeralKey.diagnostics(err, nil)...)
		return
	}
	resp.RenewAt = renewAt(ttl)
}

// Close revokes the key. A key already gone or revoked is what Close wants.
func (r *apiKeyEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	priv, diags := getEphemeralKeyPrivate(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.data.client.RevokeAPIKey(ctx, priv.ID)
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.Append(opCloseEphemeralKey.diagnostics(err, nil)...)
	}
}

// renewAt is when Terraform should ask for a renewal: once 80% of ttl has
// passed. Terraform waits for that instant on its own wall clock, so it is
// expressed in wall-clock time (with the provider's real clock the two
// agree; a test's manual clock must not make Terraform renew at once).
func renewAt(ttl time.Duration) time.Time {
	return time.Now().Add(ttl * 4 / 5)
}

// randomHex returns n random bytes as 2n hex digits.
func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func getEphemeralKeyPrivate(ctx context.Context, private privateData) (ephemeralKeyPrivate, diag.Diagnostics) {
	var p ephemeralKeyPrivate
	found, diags := getPrivateJSON(ctx, private, privateEphemeralKey, &p)
	if diags.HasError() {
		return p, diags
	}
	if !found || p.ID == "" {
		diags.AddError("Unable to find the short-lived Keymate API key",
			"Terraform did not hand back the key's id recorded when it was opened. This is a bug in the provider; please report it.")
	}
	return p, diags
}
