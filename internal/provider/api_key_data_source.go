package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
)

var (
	_ datasource.DataSource                     = (*apiKeyDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*apiKeyDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*apiKeyDataSource)(nil)
)

func newAPIKeyDataSource() datasource.DataSource {
	return &apiKeyDataSource{lookupBase[apiv1.APIKey]{dataSourceBase{typeName: "api_key"}, apiKeys}}
}

type apiKeyDataSource struct{ lookupBase[apiv1.APIKey] }

type apiKeyDataSourceModel struct {
	ID                      types.String `tfsdk:"id"`
	Name                    types.String `tfsdk:"name"`
	Description             types.String `tfsdk:"description"`
	Scopes                  types.Set    `tfsdk:"scopes"`
	RotationDays            types.Int64  `tfsdk:"rotation_days"`
	RotationGracePeriod     types.String `tfsdk:"rotation_grace_period"`
	ExpiresAt               types.String `tfsdk:"expires_at"`
	Status                  types.String `tfsdk:"status"`
	SecretFingerprint       types.String `tfsdk:"secret_fingerprint"`
	SecretSource            types.String `tfsdk:"secret_source"`
	CreatedAt               types.String `tfsdk:"created_at"`
	UpdatedAt               types.String `tfsdk:"updated_at"`
	RotatedAt               types.String `tfsdk:"rotated_at"`
	NextRotationAt          types.String `tfsdk:"next_rotation_at"`
	PreviousSecretExpiresAt types.String `tfsdk:"previous_secret_expires_at"`
	LastUsedAt              types.String `tfsdk:"last_used_at"`
	ScopeLastUsedAt         types.Map    `tfsdk:"scope_last_used_at"`
	RevokedAt               types.String `tfsdk:"revoked_at"`
	Version                 types.Int64  `tfsdk:"version"`
	RotationOverdue         types.Bool   `tfsdk:"rotation_overdue"`
}

func (d *apiKeyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a Keymate API key by `id` or by `name` (exactly one) and exposes everything about it " +
			"except its secret, including the fields that change with use (`status`, `last_used_at`, `scope_last_used_at`, `version`), " +
			"which the `keymate_api_key` resource keeps out of its state." + dataSourceStateNote,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Key id, such as `key_...`. Set exactly one of `id` and `name`. Revoked keys are found by id.",
			},
			"name": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Key name. Set exactly one of `id` and `name`. Only keys that are not revoked are found by name.",
			},
			"description": computedString("Free-text description."),
			"scopes": schema.SetAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Scopes the key holds.",
			},
			"rotation_days":              schema.Int64Attribute{Computed: true, MarkdownDescription: "Days between rotations."},
			"rotation_grace_period":      computedString("How long a previous secret keeps working after a rotation (Go duration, as the API returns it, such as `24h0m0s`)."),
			"expires_at":                 computedString("When the key stops working for good (RFC 3339); null when it never expires."),
			"status":                     computedString("`active`, `revoked` or `expired`."),
			"secret_fingerprint":         computedString("`sha256:` and the first 16 hex digits of the SHA-256 of the current secret."),
			"secret_source":              computedString("`generated` when the server generated the secret, `supplied` when the client did."),
			"created_at":                 computedString("When the key was created (RFC 3339, UTC)."),
			"updated_at":                 computedString("When the key last changed (RFC 3339, UTC)."),
			"rotated_at":                 computedString("When the current secret was issued (RFC 3339, UTC)."),
			"next_rotation_at":           computedString("When the key is due for rotation (RFC 3339, UTC)."),
			"previous_secret_expires_at": computedString("When the secret replaced by the last rotation stops working (RFC 3339, UTC); null before the first rotation."),
			"last_used_at": computedString("When the key last authenticated a request (RFC 3339, UTC); null if never. " +
				"The server writes uses about once a minute, so it may be a minute late."),
			"scope_last_used_at": schema.MapAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "When a request made with the key last needed each scope (RFC 3339, UTC), by scope: a request " +
					"needs the scope its route requires, whether or not the key holds it, so a scope the key lacks appears when a request " +
					"was refused for it. Empty before the key's first use. A scope the key holds and no request needed for 90 days, on a " +
					"key older than 90 days, is what the compliance report's `KM-KEY-005` and the `keymate_api_key` resource's plan name.",
			},
			"revoked_at": computedString("When the key was revoked (RFC 3339, UTC); null unless revoked."),
			"version":    schema.Int64Attribute{Computed: true, MarkdownDescription: "Object version, incremented by every change."},
			"rotation_overdue": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "True when the key is active and `next_rotation_at` has passed, by the provider's clock at read time.",
			},
		},
	}
}

func (d *apiKeyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg apiKeyDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	op := d.kind.op("read")

	var key *apiv1.APIKey
	if !cfg.ID.IsNull() {
		if key = d.readByID(ctx, cfg.ID, &resp.Diagnostics); key == nil {
			return
		}
	} else {
		keys, err := d.data.client.ListAPIKeys(ctx, client.ListAPIKeysOptions{Name: cfg.Name.ValueString()})
		if err != nil {
			resp.Diagnostics.Append(op.diagnostics(err, nil)...)
			return
		}
		for i := range keys {
			if keys[i].Status != apiv1.KeyStatusRevoked && keys[i].Name == cfg.Name.ValueString() {
				key = &keys[i]
				break
			}
		}
		if key == nil {
			resp.Diagnostics.AddAttributeError(path.Root("name"), op.summary(),
				fmt.Sprintf("No Keymate API key that is not revoked is named %q. Names are matched exactly; "+
					"look revoked keys up by id.", cfg.Name.ValueString()))
			return
		}
	}

	state, diags := apiKeyDataSourceModelFrom(ctx, key, d.data.clock.Now())
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// apiKeyDataSourceModelFrom maps an API key into the data source model;
// rotation_overdue is computed against now.
func apiKeyDataSourceModelFrom(ctx context.Context, key *apiv1.APIKey, now time.Time) (apiKeyDataSourceModel, diag.Diagnostics) {
	scopes, diags := types.SetValueFrom(ctx, types.StringType, key.Scopes)
	scopeTimes := make(map[string]attr.Value, len(key.ScopeLastUsedAt))
	for scope, at := range key.ScopeLastUsedAt {
		scopeTimes[scope] = timeString(at)
	}
	scopeLastUsed, d := types.MapValue(types.StringType, scopeTimes)
	diags.Append(d...)
	return apiKeyDataSourceModel{
		ID:                      types.StringValue(key.ID),
		Name:                    types.StringValue(key.Name),
		Description:             types.StringValue(key.Description),
		Scopes:                  scopes,
		RotationDays:            types.Int64Value(key.RotationDays),
		RotationGracePeriod:     types.StringValue(key.RotationGracePeriod),
		ExpiresAt:               timePointerString(key.ExpiresAt),
		Status:                  types.StringValue(key.Status),
		SecretFingerprint:       types.StringValue(key.SecretFingerprint),
		SecretSource:            types.StringValue(key.SecretSource),
		CreatedAt:               timeString(key.CreatedAt),
		UpdatedAt:               timeString(key.UpdatedAt),
		RotatedAt:               timeString(key.RotatedAt),
		NextRotationAt:          timeString(key.NextRotationAt),
		PreviousSecretExpiresAt: timePointerString(key.PreviousSecretExpiresAt),
		LastUsedAt:              timePointerString(key.LastUsedAt),
		ScopeLastUsedAt:         scopeLastUsed,
		RevokedAt:               timePointerString(key.RevokedAt),
		Version:                 types.Int64Value(key.Version),
		RotationOverdue:         types.BoolValue(key.Status == apiv1.KeyStatusActive && apiv1.RotationOverdue(key.NextRotationAt, now)),
	}, diags
}
