package customtypes

import (
	"errors"
	"time"
)

// RFC3339Type is the type of RFC 3339 timestamps such as
// "2026-06-30T00:00:00Z".
type RFC3339Type = Type[rfc3339Format]

// RFC3339 is an RFC 3339 timestamp. Two values are semantically equal when
// they name the same instant ("2026-01-01T01:00:00+01:00" and
// "2026-01-01T00:00:00Z").
type RFC3339 = String[rfc3339Format]

// NewRFC3339TimeValue returns a known RFC3339 holding t in UTC, formatted with
// time.RFC3339Nano.
func NewRFC3339TimeValue(t time.Time) RFC3339 {
	return NewValue[RFC3339](t.UTC().Format(time.RFC3339Nano))
}

// NewRFC3339TimePointerValue returns t as an RFC3339, or a null one when t is nil.
func NewRFC3339TimePointerValue(t *time.Time) RFC3339 {
	if t == nil {
		return NewNull[RFC3339]()
	}
	return NewRFC3339TimeValue(*t)
}

// Time parses an RFC3339 value. It fails for null, unknown or malformed
// values.
func Time(v RFC3339) (time.Time, error) {
	if v.IsNull() || v.IsUnknown() {
		return time.Time{}, errors.New("value is null or unknown")
	}
	return time.Parse(time.RFC3339, v.ValueString())
}

type rfc3339Format struct{}

// spec: an instant means the same in every zone, so it is compared in UTC.
func (rfc3339Format) spec() formatSpec {
	return formatSpec{name: "customtypes.RFC3339Type", summary: "Invalid RFC 3339 timestamp",
		detail: "%s: %q is not an RFC 3339 timestamp; write it like \"2026-06-30T00:00:00Z\" (date, \"T\", time and a zone such as \"Z\" or \"+02:00\").",
		meaning: func(s string) (any, error) {
			t, err := time.Parse(time.RFC3339, s)
			return t.UTC(), err
		}}
}
