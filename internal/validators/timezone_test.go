package validators

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// IANA names pass; unknown names, the empty name and the host-dependent
// "Local" fail naming the attribute.
func TestTimezone(t *testing.T) {
	v := Timezone()
	for _, ok := range []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"} {
		if diags := runString(v, types.StringValue(ok)); diags.HasError() {
			t.Errorf("%q: unexpected error %v", ok, diags)
		}
	}
	requireOneError(t, runString(v, types.StringValue("Mars/Olympus")), `unknown time zone "Mars/Olympus"`)
	requireOneError(t, runString(v, types.StringValue("Local")), "must be an IANA time zone name")
	requireOneError(t, runString(v, types.StringValue("")), "must be an IANA time zone name")
	if diags := runString(v, types.StringUnknown()); diags.HasError() {
		t.Errorf("unknown values must be skipped, got %v", diags)
	}
}
