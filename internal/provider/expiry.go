package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/customtypes"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

// checkExpiry adds an error on expires_at when v is known and before now (the
// provider's clock). Resources call it from ModifyPlan when expires_at is set
// on create or changed, never for a value already applied: an expiry that
// passes later is the object expiring, not a configuration error.
func checkExpiry(v customtypes.RFC3339, now time.Time, diags *diag.Diagnostics) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	t, err := customtypes.Time(v)
	if err != nil {
		return // the schema validator reports malformed values
	}
	if err := validators.CheckNotInPast(t, now); err != nil {
		diags.AddAttributeError(path.Root("expires_at"), "Invalid expires_at", "expires_at: "+err.Error()+".")
	}
}

// checkExpiryChange is checkExpiry for a planned update: it checks the
// planned expires_at only when it is another instant than state's.
func checkExpiryChange(ctx context.Context, plan, state customtypes.RFC3339, now time.Time, diags *diag.Diagnostics) {
	equal, d := plan.StringSemanticEquals(ctx, state)
	if diags.Append(d...); !equal {
		checkExpiry(plan, now, diags)
	}
}

// expiresAtPatch returns the merge-patch value that takes expires_at from
// state to plan: null when the plan removes it, the planned time when it is
// another instant than state's, and unset (no change) otherwise.
func expiresAtPatch(ctx context.Context, plan, state customtypes.RFC3339) (apiv1.Nullable[string], diag.Diagnostics) {
	switch t := timeText(plan); {
	case plan.IsNull() && !state.IsNull():
		return apiv1.Null[string](), nil
	case t != nil:
		if equal, diags := plan.StringSemanticEquals(ctx, state); !equal || diags.HasError() {
			return apiv1.Value(*t), diags
		}
	}
	return apiv1.Nullable[string]{}, nil
}
