// Package validators holds schema validators for values the Keymate API
// constrains: Go durations, RFC 3339 timestamps and advisory limits.
package validators

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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

func (v durationBetween) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(s)
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%s: %q is not a duration; use a number with a unit such as \"90s\", \"15m\" or \"24h\" (units: s, m, h).", req.Path, s))
		return
	}
	if d < v.min || d > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Duration out of range",
			fmt.Sprintf("%s: %q must be between %s and %s.", req.Path, s, v.min, v.max))
	}
}
