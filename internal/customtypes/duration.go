package customtypes

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// DurationType is the type of Go durations such as "24h" or "1h30m".
type DurationType = Type[durationFormat]

// Duration is a Go duration. Two values are semantically equal when they
// are the same length of time ("1440m", "24h" and "24h0m0s").
type Duration = String[durationFormat]

// NewDurationValue returns a known Duration.
func NewDurationValue(s string) Duration { return Duration{StringValue: basetypes.NewStringValue(s)} }

// NewDurationNull returns a null Duration.
func NewDurationNull() Duration { return Duration{StringValue: basetypes.NewStringNull()} }

type durationFormat struct{}

func (durationFormat) name() string { return "customtypes.DurationType" }

func (durationFormat) equal(a, b string) (bool, bool) {
	da, errA := time.ParseDuration(a)
	db, errB := time.ParseDuration(b)
	return da == db, errA == nil && errB == nil
}

func (durationFormat) check(path, s string) (string, string, bool) {
	if _, err := time.ParseDuration(s); err != nil {
		return "Invalid duration",
			fmt.Sprintf("%s: %q is not a duration; use a number with a unit such as \"90s\", \"15m\" or \"24h\" (units: s, m, h).", path, s), true
	}
	return "", "", false
}
