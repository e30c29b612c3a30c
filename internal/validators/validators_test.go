package validators

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func runString(v validator.String, value types.String) diag.Diagnostics {
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("attr"), ConfigValue: value}, resp)
	return resp.Diagnostics
}

// requireOneError checks that diags hold exactly one error, on attribute
// "attr", whose detail contains want.
func requireOneError(t *testing.T, diags diag.Diagnostics, want string) {
	t.Helper()
	if diags.ErrorsCount() != 1 {
		t.Fatalf("want 1 error, got %v", diags)
	}
	d := diags.Errors()[0]
	withPath, ok := d.(diag.DiagnosticWithPath)
	if !ok || !withPath.Path().Equal(path.Root("attr")) {
		t.Errorf("error %v is not attached to attribute attr", d)
	}
	if !strings.Contains(d.Detail(), want) {
		t.Errorf("detail %q does not contain %q", d.Detail(), want)
	}
}

func TestDurationBetween(t *testing.T) {
	v := DurationBetween(0, 720*time.Hour)
	for _, ok := range []string{"0s", "24h", "1440m", "720h", "1h30m"} {
		if diags := runString(v, types.StringValue(ok)); diags.HasError() {
			t.Errorf("%q: unexpected error %v", ok, diags)
		}
	}
	requireOneError(t, runString(v, types.StringValue("1 day")), "is not a duration")
	requireOneError(t, runString(v, types.StringValue("721h")), "between 0s and 720h0m0s")
	requireOneError(t, runString(v, types.StringValue("-1s")), "between 0s and 720h0m0s")
	if diags := runString(v, types.StringUnknown()); diags.HasError() {
		t.Errorf("unknown values must be skipped, got %v", diags)
	}
	if diags := runString(v, types.StringNull()); diags.HasError() {
		t.Errorf("null values must be skipped, got %v", diags)
	}
}

func TestCheckNotInPast(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := CheckNotInPast(now.Add(time.Second), now); err != nil {
		t.Errorf("a future time must pass: %v", err)
	}
	if err := CheckNotInPast(now, now); err != nil {
		t.Errorf("now itself is not in the past: %v", err)
	}
	err := CheckNotInPast(now.Add(-time.Hour), now)
	if err == nil || !strings.Contains(err.Error(), "2025-12-31T23:00:00Z is in the past") {
		t.Errorf("a past time must fail naming it, got %v", err)
	}
}
