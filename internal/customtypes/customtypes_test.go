package customtypes

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestDurationSemanticEquals(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		a, b string
		want bool
	}{
		{"24h", "24h0m0s", true},
		{"1440m", "24h", true},
		{"86400s", "24h0m0s", true},
		{"0s", "0", true},
		{"24h", "25h", false},
		{"1h", "bogus", false},
		{"bogus", "bogus", true},
	}
	for _, tc := range tests {
		got, diags := NewDurationValue(tc.a).StringSemanticEquals(ctx, NewDurationValue(tc.b))
		if diags.HasError() {
			t.Fatalf("%q vs %q: %v", tc.a, tc.b, diags)
		}
		if got != tc.want {
			t.Errorf("%q semantically equals %q = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestDurationEqualIsExact(t *testing.T) {
	if NewDurationValue("24h").Equal(NewDurationValue("1440m")) {
		t.Error("Equal must compare the exact string; semantic equality is separate")
	}
	if !NewDurationValue("24h").Equal(NewDurationValue("24h")) {
		t.Error("identical durations must be Equal")
	}
}

func TestRFC3339SemanticEquals(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		a, b string
		want bool
	}{
		{"2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00", true},
		{"2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000Z", true},
		{"2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", false},
		{"2026-01-01", "2026-01-01T00:00:00Z", false},
	}
	for _, tc := range tests {
		got, diags := NewRFC3339Value(tc.a).StringSemanticEquals(ctx, NewRFC3339Value(tc.b))
		if diags.HasError() {
			t.Fatalf("%q vs %q: %v", tc.a, tc.b, diags)
		}
		if got != tc.want {
			t.Errorf("%q semantically equals %q = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestRFC3339TimeValues(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("X", 3600))
	v := NewRFC3339TimeValue(at)
	if v.ValueString() != "2026-03-01T11:00:00Z" {
		t.Errorf("NewRFC3339TimeValue = %q, want UTC form", v.ValueString())
	}
	got, err := Time(v)
	if err != nil || !got.Equal(at) {
		t.Errorf("Time() = %v, %v; want %v", got, err, at)
	}
	if !NewRFC3339TimePointerValue(nil).IsNull() {
		t.Error("nil time must give a null value")
	}
	if _, err := Time(NewRFC3339Null()); err == nil {
		t.Error("Time() of a null value must fail")
	}
}

func TestTypesRoundTripTerraformValues(t *testing.T) {
	ctx := context.Background()
	d, err := DurationType{}.ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, "1h"))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Equal(NewDurationValue("1h")) {
		t.Errorf("DurationType.ValueFromTerraform = %v, want Duration 1h", d)
	}
	r, err := RFC3339Type{}.ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, nil))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Equal(NewRFC3339Null()) {
		t.Errorf("RFC3339Type.ValueFromTerraform(null) = %v, want null RFC3339", r)
	}
	if (DurationType{}).Equal(RFC3339Type{}) {
		t.Error("different custom types must not be Equal")
	}
}

// TestValuesValidateThemselves proves that a malformed duration or timestamp
// is one error on the attribute's path, naming it and saying how to write
// one, while null, unknown and well-formed values (in any unit or zone) pass:
// attributes of these types need no format validator of their own.
func TestValuesValidateThemselves(t *testing.T) {
	p := path.Root("condition").AtName("window")
	validate := func(v xattr.ValidateableAttribute) diag.Diagnostics {
		var resp xattr.ValidateAttributeResponse
		v.ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: p}, &resp)
		return resp.Diagnostics
	}
	for _, ok := range []xattr.ValidateableAttribute{NewDurationValue("90s"), NewDurationValue("1h30m"), NewDurationNull(),
		Duration{StringValue: basetypes.NewStringUnknown()}, NewRFC3339Value("2026-06-30T02:00:00.5+02:00"), NewRFC3339Null()} {
		if diags := validate(ok); diags.HasError() {
			t.Errorf("%v: unexpected %v", ok, diags)
		}
	}
	for bad, want := range map[xattr.ValidateableAttribute]string{
		NewDurationValue("5x"):                 `condition.window: "5x" is not a duration`,
		NewDurationValue("1 day"):              `condition.window: "1 day" is not a duration`,
		NewRFC3339Value("next week"):           `condition.window: "next week" is not an RFC 3339 timestamp`,
		NewRFC3339Value("2026-06-30"):          `"2026-06-30" is not an RFC 3339 timestamp`,
		NewRFC3339Value("2026-06-30T00:00:00"): `is not an RFC 3339 timestamp`,
	} {
		diags := validate(bad)
		if diags.ErrorsCount() != 1 || !strings.Contains(diags[0].Detail(), want) {
			t.Errorf("%v: %v, want one error containing %q", bad, diags, want)
			continue
		}
		if d, ok := diags[0].(diag.DiagnosticWithPath); !ok || !d.Path().Equal(p) {
			t.Errorf("%v: the error must be on the attribute's path", bad)
		}
	}
}
