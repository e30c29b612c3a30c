// Package customtypes holds Terraform string types whose values the Keymate
// API normalises, with semantic equality so that a different spelling of the
// same value never shows as a diff.
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
	_ basetypes.StringTypable                    = DurationType{}
	_ basetypes.StringValuableWithSemanticEquals = Duration{}
)

// DurationType is a string attribute type holding a Go duration such as "24h"
// or "1h30m".
type DurationType struct {
	basetypes.StringType
}

// String returns a human-readable name of the type.
func (t DurationType) String() string { return "customtypes.DurationType" }

// ValueType returns the value type of this type.
func (t DurationType) ValueType(context.Context) attr.Value { return Duration{} }

// Equal reports whether o is a DurationType.
func (t DurationType) Equal(o attr.Type) bool {
	other, ok := o.(DurationType)
	if !ok {
		return false
	}
	return t.StringType.Equal(other.StringType)
}

// ValueFromString wraps a string value as a Duration.
func (t DurationType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return Duration{StringValue: in}, nil
}

// ValueFromTerraform converts a Terraform value into a Duration.
func (t DurationType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return Duration{StringValue: s}, nil
}

// Duration is a Go duration string. Two known values are semantically equal
// when they parse to the same length of time ("1440m", "24h" and "24h0m0s").
// Format and range are checked by the validators package.
type Duration struct {
	basetypes.StringValue
}

// NewDurationValue returns a known Duration.
func NewDurationValue(s string) Duration { return Duration{StringValue: basetypes.NewStringValue(s)} }

// NewDurationNull returns a null Duration.
func NewDurationNull() Duration { return Duration{StringValue: basetypes.NewStringNull()} }

// Type returns DurationType.
func (v Duration) Type(context.Context) attr.Type { return DurationType{} }

// Equal reports whether o is a Duration with exactly the same string.
func (v Duration) Equal(o attr.Value) bool {
	other, ok := o.(Duration)
	if !ok {
		return false
	}
	return v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals reports whether both values parse to the same duration.
// Values that do not parse are equal only when identical.
func (v Duration) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	other, ok := newValuable.(Duration)
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("expected a customtypes.Duration, got %T; this is a bug in the provider", newValuable))
		return false, diags
	}
	a, errA := time.ParseDuration(v.ValueString())
	b, errB := time.ParseDuration(other.ValueString())
	if errA != nil || errB != nil {
		return v.ValueString() == other.ValueString(), diags
	}
	return a == b, diags
}
