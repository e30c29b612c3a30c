package validators

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Email accepts bare addresses and rejects display names, missing parts,
// domains without a dot (as the API does), lists and invisible characters.
func TestEmail(t *testing.T) {
	v := Email()
	for _, ok := range []string{"oncall@example.com", "first.last+alerts@sub.example.co.uk"} {
		if diags := runString(v, types.StringValue(ok)); diags.HasError() {
			t.Errorf("%q: unexpected error %v", ok, diags)
		}
	}
	for _, bad := range []string{"oncall", "root@localhost", "oncall@", "@example.com", "On Call <oncall@example.com>", "<oncall@example.com>",
		"a@example.com, b@example.com", " oncall@example.com"} {
		requireOneError(t, runString(v, types.StringValue(bad)), "must be a bare email address")
	}
	requireOneError(t, runString(v, types.StringValue("on\u202ecall@example.com")), "U+202E")
	if diags := runString(v, types.StringUnknown()); diags.HasError() {
		t.Errorf("unknown values must be skipped, got %v", diags)
	}
}
