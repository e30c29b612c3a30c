// Package validators holds the provider's schema validators: the rules of
// internal/apiv1 and internal/schedule applied at plan time, duration
// ranges, and the check that an expiry lies ahead. The formats of durations
// and timestamps are checked by their types (internal/customtypes).
package validators

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/keymate/terraform-provider-keymate/internal/customtypes"
)

var _ validator.String = durationBetween{}

type durationBetween struct {
	min, max time.Duration
}

// DurationBetween checks that a string is a Go duration ("90s", "1h30m")
// between minimum and maximum, inclusive.
func DurationBetween(minimum, maximum time.Duration) validator.String {
	return durationBetween{min: minimum, max: maximum}
}

func (v durationBetween) Description(context.Context) string {
	return fmt.Sprintf("value must be a duration such as \"90s\", \"15m\" or \"24h\" between %s and %s", v.min, v.max)
}

func (v durationBetween) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationBetween) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	// A malformed value is reported as a customtypes.Duration reports it
	// (which attributes of that type have done before any validator runs).
	var format xattr.ValidateAttributeResponse
	customtypes.NewValue[customtypes.Duration](s).ValidateAttribute(ctx, xattr.ValidateAttributeRequest{Path: req.Path}, &format)
	if resp.Diagnostics.Append(format.Diagnostics...); format.Diagnostics.HasError() {
		return
	}
	d, _ := time.ParseDuration(s)
	if d < v.min || d > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Duration out of range",
			fmt.Sprintf("%s: %q must be between %s and %s.", req.Path, s, v.min, v.max))
	}
}
