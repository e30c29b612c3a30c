package customtypes

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var (
	_ basetypes.StringTypable                    = RFC3339Type{}
	_ basetypes.StringValuableWithSemanticEquals = RFC3339{}
)

// RFC3339Type is a string attribute type holding an RFC 3339 timestamp.
type RFC3339Type struct {
	basetypes.StringType
}

// String returns a human-readable name of the type.
func (t RFC3339Type) String() string { return "customtypes.RFC3339Type" }

// ValueType returns the value type of this type.
func (t RFC3339Type) ValueType(context.Context) attr.Value { return RFC3339{} }

// Equal reports whether o is an RFC3339Type.
func (t RFC3339Type) Equal(o attr.Type) bool {
	other, ok := o.(RFC3339Type)
	if !ok {
		return false
	}
	return t.StringType.Equal(other.StringType)
}

// ValueFromString wraps a string value as an RFC3339.
func (t RFC3339Type) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return RFC3339{StringValue: in}, nil
}

// ValueFromTerraform converts a Terraform value into an RFC3339.
func (t RFC3339Type) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return RFC3339{StringValue: s}, nil
}

// RFC3339 is an RFC 3339 timestamp string. Two known values are semantically
// equal when they name the same instant ("2026-01-01T01:00:00+01:00" and
// "2026-01-01T00:00:00Z"). Format is checked by the validators package.
type RFC3339 struct {
	basetypes.StringValue
}

// NewRFC3339Value returns a known RFC3339 holding s.
func NewRFC3339Value(s string) RFC3339 { return RFC3339{StringValue: basetypes.NewStringValue(s)} }

// NewRFC3339TimeValue returns a known RFC3339 holding t in UTC, formatted with
// time.RFC3339Nano.
func NewRFC3339TimeValue(t time.Time) RFC3339 {
	return NewRFC3339Value(t.UTC().Format(time.RFC3339Nano))
}

// NewRFC3339TimePointerValue returns t as an RFC3339, or a null one when t is nil.
func NewRFC3339TimePointerValue(t *time.Time) RFC3339 {
	if t == nil {
		return NewRFC3339Null()
	}
	return NewRFC3339TimeValue(*t)
}

// NewRFC3339Null returns a null RFC3339.
func NewRFC3339Null() RFC3339 { return RFC3339{StringValue: basetypes.NewStringNull()} }

// Type returns RFC3339Type.
func (v RFC3339) Type(context.Context) attr.Type { return RFC3339Type{} }

// Equal reports whether o is an RFC3339 with exactly the same string.
func (v RFC3339) Equal(o attr.Value) bool {
	other, ok := o.(RFC3339)
	if !ok {
		return false
	}
	return v.StringValue.Equal(other.StringValue)
}

// Time parses the value. It fails for null, unknown or malformed values.
func (v RFC3339) Time() (time.Time, error) {
	if v.IsNull() || v.IsUnknown() {
		return time.Time{}, fmt.Errorf("value is null or unknown")
	}
	return time.Parse(time.RFC3339, v.ValueString())
}

// StringSemanticEquals reports whether both values name the same instant.
// Values that do not parse are equal only when identical.
func (v RFC3339) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	other, ok := newValuable.(RFC3339)
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("expected a customtypes.RFC3339, got %T; this is a bug in the provider", newValuable))
		return false, diags
	}
	a, errA := time.Parse(time.RFC3339, v.ValueString())
	b, errB := time.Parse(time.RFC3339, other.ValueString())
	if errA != nil || errB != nil {
		return v.ValueString() == other.ValueString(), diags
	}
	return a.Equal(b), diags
}
