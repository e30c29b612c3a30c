// Package customtypes holds the Terraform string types whose values the
// Keymate API normalises: Go durations and RFC 3339 timestamps. A value is
// semantically equal to another that means the same ("1440m" and "24h";
// "2026-01-01T01:00:00+01:00" and "2026-01-01T00:00:00Z"), so a different
// spelling never shows as a diff, and it validates itself, with an error on
// the attribute's path that says how to write one.
//
// terraform-plugin-framework-timetypes was weighed and does not fit: its
// RFC3339 compares values at whole seconds in the zone they are written in
// (the two spellings above would differ), and its GoDuration reports a
// malformed value without naming the attribute, which in a nested attribute
// (an alert rule's condition.window) leaves the user to guess which one.
//
// Both types are one implementation, String[F], told apart by their format F.
package customtypes

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// format is what a custom string type holds (F of Type[F] and String[F]).
type format interface{ spec() formatSpec }

// formatSpec describes a format: the type's name, as in
// "customtypes.DurationType"; what a value means (meaning: the same, by ==,
// for every spelling of one value; an error when it does not read); and the
// error on a value that does not read: its summary, and its detail as a
// format of the attribute's path and the value.
type formatSpec struct {
	name            string
	meaning         func(string) (any, error)
	summary, detail string
}

// NewValue returns a known value of V (Duration or RFC3339) holding s.
func NewValue[V ~struct{ basetypes.StringValue }](s string) V {
	return V{StringValue: basetypes.NewStringValue(s)}
}

// NewNull returns a null value of V (Duration or RFC3339).
func NewNull[V ~struct{ basetypes.StringValue }]() V {
	return V{StringValue: basetypes.NewStringNull()}
}

// Type is the attribute type of values in format F.
type Type[F format] struct {
	basetypes.StringType
}

// String is a value in format F. Equal compares the written strings;
// StringSemanticEquals compares what they mean.
type String[F format] struct {
	basetypes.StringValue
}

var (
	_ basetypes.StringTypable                    = Type[durationFormat]{}
	_ basetypes.StringValuableWithSemanticEquals = String[durationFormat]{}
	_ xattr.ValidateableAttribute                = String[durationFormat]{}
)

// String returns a human-readable name of the type.
func (t Type[F]) String() string {
	var f F
	return f.spec().name
}

// ValueType returns the value type of this type.
func (t Type[F]) ValueType(context.Context) attr.Value { return String[F]{} }

// Equal reports whether o is the same type.
func (t Type[F]) Equal(o attr.Type) bool {
	other, ok := o.(Type[F])
	return ok && t.StringType.Equal(other.StringType)
}

// ValueFromString wraps a string value.
func (t Type[F]) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return String[F]{StringValue: in}, nil
}

// ValueFromTerraform converts a Terraform value.
func (t Type[F]) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return String[F]{StringValue: s}, nil
}

// Type returns the value's type.
func (v String[F]) Type(context.Context) attr.Type { return Type[F]{} }

// Equal reports whether o is a value of the same type with exactly the same
// string.
func (v String[F]) Equal(o attr.Value) bool {
	other, ok := o.(String[F])
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals reports whether both values mean the same. Values
// that do not read are equal only when identical.
func (v String[F]) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	other, ok := newValuable.(String[F])
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("expected a %s value, got %T; this is a bug in the provider", v.Type(context.Background()), newValuable))
		return false, diags
	}
	var f F
	meaning := f.spec().meaning
	a, errA := meaning(v.ValueString())
	b, errB := meaning(other.ValueString())
	if errA == nil && errB == nil {
		return a == b, diags
	}
	return v.ValueString() == other.ValueString(), diags
}

// ValidateAttribute reports a known value that does not read, on the
// attribute's path.
func (v String[F]) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	var f F
	spec := f.spec()
	if _, err := spec.meaning(v.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, spec.summary, fmt.Sprintf(spec.detail, req.Path.String(), v.ValueString()))
	}
}
