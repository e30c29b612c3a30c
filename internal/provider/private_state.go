package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// privateData is the private data Terraform keeps for a resource or an
// ephemeral resource: bytes under keys, never shown in plan or state output.
type privateData interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
	SetKey(context.Context, string, []byte) diag.Diagnostics
}

// setPrivateJSON stores v as JSON under key.
func setPrivateJSON(ctx context.Context, private privateData, key string, v any) diag.Diagnostics {
	raw, err := json.Marshal(v)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to record private state "+key, err.Error())
		return diags
	}
	return private.SetKey(ctx, key, raw)
}

// getPrivateJSON decodes the JSON stored under key into v, and reports
// whether there was any. Nothing stored (an imported or older object) leaves
// v as it is.
func getPrivateJSON(ctx context.Context, private privateData, key string, v any) (bool, diag.Diagnostics) {
	raw, diags := private.GetKey(ctx, key)
	if diags.HasError() || raw == nil {
		return false, diags
	}
	if err := json.Unmarshal(raw, v); err != nil {
		diags.AddError("Unable to read private state "+key,
			"The data the provider keeps beside this resource's state is not what it wrote ("+err.Error()+"), so it cannot "+
				"tell what Terraform last set. Remove the resource from state (terraform state rm) and import it again.")
		return false, diags
	}
	return true, diags
}
