package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ action.Action              = (*apiKeyRotateAction)(nil)
	_ action.ActionWithConfigure = (*apiKeyRotateAction)(nil)
)

func newAPIKeyRotateAction() action.Action {
	return &apiKeyRotateAction{actionBase{typeName: "api_key_rotate"}}
}

type apiKeyRotateAction struct{ actionBase }

type apiKeyRotateActionModel struct {
	ID          types.String `tfsdk:"id"`
	GracePeriod types.String `tfsdk:"grace_period"`
}

func (a *apiKeyRotateAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Rotates a Keymate API key now, as the security guide asks after a suspected leak: the key gets a new " +
			"secret and the previous one keeps working for `grace_period` (`0s` cuts it off at once).\n\n" +
			"The new secret is shown nowhere: an action returns no values. So the next plan of a `keymate_api_key` that holds its " +
			"secret in state shows an in-place update rotating the key again, because the secret in state is no longer current " +
			"(Terraform notices through the key's `secret_fingerprint`); applying it puts a working secret in state. A key with a " +
			"write-only secret (`secret_wo`) is not rotated again: its plan warns (control `KM-KEY-001`) until you supply a new " +
			"secret and bump `secret_wo_version`. A key Terraform does not manage keeps the new secret unknown to everyone, so " +
			"use the action there only to cut off a leaked secret, and rotate through its owner afterwards." +
			fmt.Sprintf(actionNote, "keymate_api_key_rotate"),
		Attributes: map[string]schema.Attribute{
			"id": idAttribute(apiKeys),
			"grace_period": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How long the previous secret keeps working after this rotation, as a Go duration "+
					"such as `1h` or `0s`; at most `%s`. Defaults to the key's `rotation_grace_period`.",
					shortDuration(apiv1.MaxRotationGracePeriod)),
				Validators: []validator.String{validators.DurationBetween(0, apiv1.MaxRotationGracePeriod)},
			},
		},
	}
}

func (a *apiKeyRotateAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg apiKeyRotateActionModel
	if !a.config(ctx, req, resp, &cfg) {
		return
	}
	progress(resp, "Rotating Keymate API key %s", cfg.ID.ValueString())
	key, err := a.data.client.RotateAPIKey(ctx, cfg.ID.ValueString(), apiv1.RotateAPIKeyRequest{GracePeriod: cfg.GracePeriod.ValueStringPointer()})
	if err != nil {
		resp.Diagnostics.Append(apiKeys.op("rotate").diagnostics(err, map[string]string{"grace_period": "grace_period"})...)
		return
	}
	until := "no longer works"
	if key.PreviousSecretExpiresAt != nil && key.PreviousSecretExpiresAt.After(key.RotatedAt) {
		until = "works until " + key.PreviousSecretExpiresAt.UTC().Format(time.RFC3339)
	}
	progress(resp, "Rotated Keymate API key %s (%s): its secret fingerprint is now %s; the previous secret %s",
		key.ID, key.Name, key.SecretFingerprint, until)
}
