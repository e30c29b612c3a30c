package validators

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource patterns follow the server's rule: everything, a whole
// collection, or one object of a known collection.
func TestResourcePattern(t *testing.T) {
	v := ResourcePattern()
	for _, ok := range []string{"*", "api-keys/*", "alert-rules/ar_123", "backup-schedules/bs_0a1.b-2", "access-grants/*"} {
		if diags := runString(v, types.StringValue(ok)); diags.HasError() {
			t.Errorf("%q: unexpected error %v", ok, diags)
		}
	}
	for bad, want := range map[string]string{
		"api-keys":         `must be "*", "<collection>/*" or "<collection>/<id>"`,
		"widgets/*":        `unknown collection "widgets"`,
		"api-keys/a b":     "must be 1 or more letters",
		"api-keys/":        "must be 1 or more letters",
		"api-keys/key_1/x": "must be 1 or more letters",
		"**":               `must be "*"`,
	} {
		requireOneError(t, runString(v, types.StringValue(bad)), want)
	}
	if diags := runString(v, types.StringNull()); diags.HasError() {
		t.Errorf("null values must be skipped, got %v", diags)
	}
}
