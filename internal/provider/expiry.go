package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

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
	t, err := v.Time()
	if err != nil {
		return // the schema validator reports malformed values
	}
	if err := validators.CheckNotInPast(t, now); err != nil {
		diags.AddAttributeError(path.Root("expires_at"), "Invalid expires_at", "expires_at: "+err.Error()+".")
	}
}
