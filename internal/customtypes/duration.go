package customtypes

import "time"

// DurationType is the type of Go durations such as "24h" or "1h30m".
type DurationType = Type[durationFormat]

// Duration is a Go duration. Two values are semantically equal when they
// are the same length of time ("1440m", "24h" and "24h0m0s").
type Duration = String[durationFormat]

type durationFormat struct{}

func (durationFormat) spec() formatSpec {
	return formatSpec{name: "customtypes.DurationType", summary: "Invalid duration",
		detail: "%s: %q is not a duration; use a number with a unit such as \"90s\", \"15m\" or \"24h\" (units: s, m, h).",
		meaning: func(s string) (any, error) {
			d, err := time.ParseDuration(s)
			return d, err
		}}
}
