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

// TestSemanticEquals proves that spellings of one duration or one instant
// are semantically equal, whatever the unit or zone, and that values that do
// not read are equal only when identical.
func TestSemanticEquals(t *testing.T) {
	type value = basetypes.StringValuableWithSemanticEquals
	dur := func(s string) value { return NewValue[Duration](s) }
	at := func(s string) value { return NewValue[RFC3339](s) }
	for _, tc := range []struct {
		a, b value
		want bool
	}{
		{dur("24h"), dur("24h0m0s"), true},
		{dur("1440m"), dur("24h"), true},
		{dur("86400s"), dur("24h0m0s"), true},
		{dur("0s"), dur("0"), true},
		{dur("24h"), dur("25h"), false},
		{dur("1h"), dur("bogus"), false},
		{dur("bogus"), dur("bogus"), true},
		{at("2026-01-01T00:00:00Z"), at("2026-01-01T01:00:00+01:00"), true},
		{at("2026-01-01T00:00:00.5Z"), at("2025-12-31T19:00:00.500-05:00"), true},
		{at("2026-01-01T00:00:00Z"), at("2026-01-01T00:00:00.000Z"), true},
		{at("2026-01-01T00:00:00Z"), at("2026-01-01T00:00:01Z"), false},
		{at("2026-01-01T00:00:00Z"), at("2026-01-01T00:00:00+01:00"), false},
		{at("2026-01-01"), at("2026-01-01T00:00:00Z"), false},
	} {
		got, diags := tc.a.StringSemanticEquals(context.Background(), tc.b)
		if diags.HasError() {
			t.Fatalf("%v vs %v: %v", tc.a, tc.b, diags)
		}
		if got != tc.want {
			t.Errorf("%v semantically equals %v = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestDurationEqualIsExact(t *testing.T) {
	if NewValue[Duration]("24h").Equal(NewValue[Duration]("1440m")) {
		t.Error("Equal must compare the exact string; semantic equality is separate")
	}
	if !NewValue[Duration]("24h").Equal(NewValue[Duration]("24h")) {
		t.Error("identical durations must be Equal")
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
	if _, err := Time(NewNull[RFC3339]()); err == nil {
		t.Error("Time() of a null value must fail")
	}
}

func TestTypesRoundTripTerraformValues(t *testing.T) {
	ctx := context.Background()
	d, err := DurationType{}.ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, "1h"))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Equal(NewValue[Duration]("1h")) {
		t.Errorf("DurationType.ValueFromTerraform = %v, want Duration 1h", d)
	}
	r, err := RFC3339Type{}.ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, nil))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Equal(NewNull[RFC3339]()) {
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
	for _, ok := range []xattr.ValidateableAttribute{NewValue[Duration]("90s"), NewValue[Duration]("1h30m"), NewNull[Duration](),
		Duration{StringValue: basetypes.NewStringUnknown()}, NewValue[RFC3339]("2026-06-30T02:00:00.5+02:00"), NewNull[RFC3339]()} {
		if diags := validate(ok); diags.HasError() {
			t.Errorf("%v: unexpected %v", ok, diags)
		}
	}
	for bad, want := range map[xattr.ValidateableAttribute]string{
		NewValue[Duration]("5x"):                 `condition.window: "5x" is not a duration`,
		NewValue[Duration]("1 day"):              `condition.window: "1 day" is not a duration`,
		NewValue[RFC3339]("next week"):           `condition.window: "next week" is not an RFC 3339 timestamp`,
		NewValue[RFC3339]("2026-06-30"):          `"2026-06-30" is not an RFC 3339 timestamp`,
		NewValue[RFC3339]("2026-06-30T00:00:00"): `is not an RFC 3339 timestamp`,
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
