package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

var _ function.Function = secretFingerprintFunction{}

func newSecretFingerprintFunction() function.Function { return secretFingerprintFunction{} }

// secretFingerprintFunction is provider::keymate::secret_fingerprint: the
// API's fingerprint of a secret, computed by apiv1.Fingerprint as the server
// computes it.
type secretFingerprintFunction struct{}

func (secretFingerprintFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "secret_fingerprint"
}

func (secretFingerprintFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The fingerprint the Keymate API reports for a secret",
		MarkdownDescription: "Returns the fingerprint the Keymate API reports for a secret: `sha256:` and the first 16 hex digits " +
			"of the secret's SHA-256, as in the `secret_fingerprint` of `keymate_api_key` and the `*_fingerprint` attributes of " +
			"notification channels; `\"\"` for an empty secret. It is computed where Terraform runs; the secret is sent nowhere.\n\n" +
			"Compare it with the API's fingerprint to prove that a secret kept elsewhere (a secret store, a CI variable) is the one " +
			"a key holds now, without reading the secret back from Keymate, for example in a `check` block. The result is as " +
			"sensitive as the argument: Terraform keeps a sensitive argument's result sensitive.\n\n" +
			"Requires Terraform 1.8 or later (provider-defined functions), or OpenTofu 1.7 or later.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "secret",
				MarkdownDescription: "The secret, for example an API key's secret (`km_...`) or a webhook signing secret.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (secretFingerprintFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var secret string
	resp.Error = req.Arguments.Get(ctx, &secret)
	if resp.Error != nil {
		return
	}
	resp.Error = resp.Result.Set(ctx, apiv1.Fingerprint(secret))
}
