package validators

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The cron validator accepts what the server's parser accepts and names the
// attribute and the fault otherwise.
func TestCron(t *testing.T) {
	v := Cron()
	for _, ok := range []string{"0 3 * * *", "*/15 * * * *", "30 2 * * 1-5", "0 0 1 */3 *", "0  3 * * *"} {
		if diags := runString(v, types.StringValue(ok)); diags.HasError() {
			t.Errorf("%q: unexpected error %v", ok, diags)
		}
	}
	for bad, want := range map[string]string{
		"61 * * * *":  "above maximum",
		"0 3 * *":     "must have 5 fields",
		"0 0 3 * * *": "must have 5 fields",
		"@daily":      "must have 5 fields",
		"0 0 30 2 *":  "never fires",
		"a b c d e":   "invalid cron expression",
	} {
		requireOneError(t, runString(v, types.StringValue(bad)), want)
	}
	if diags := runString(v, types.StringUnknown()); diags.HasError() {
		t.Errorf("unknown values must be skipped, got %v", diags)
	}
	if diags := runString(v, types.StringNull()); diags.HasError() {
		t.Errorf("null values must be skipped, got %v", diags)
	}
}
