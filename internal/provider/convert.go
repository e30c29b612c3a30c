package provider

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/customtypes"
)

// The conversions every resource, data source and list resource shares,
// between the API's Go values and the framework's: sets and maps of strings,
// times as RFC 3339 strings, durations in the short form people write, and
// lists for documentation.

// setStrings returns a set of strings as a sorted slice.
func setStrings(ctx context.Context, s types.Set) ([]string, diag.Diagnostics) {
	var out []string
	diags := s.ElementsAs(ctx, &out, false)
	slices.Sort(out)
	return out, diags
}

// stringMap returns a map of strings; null is an empty map.
func stringMap(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out, nil
	}
	diags := m.ElementsAs(ctx, &out, false)
	return out, diags
}

// timeString formats t as RFC 3339 in UTC, with fractional seconds only when
// present.
func timeString(t time.Time) types.String {
	return types.StringValue(t.UTC().Format(time.RFC3339Nano))
}

// timePointerString formats t like timeString, or returns null when t is nil.
func timePointerString(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return timeString(*t)
}

// timePointer returns the instant v names, or nil when v is null (or, which
// the schema validator has already reported, malformed).
func timePointer(v customtypes.RFC3339) *time.Time {
	t, err := customtypes.Time(v)
	if err != nil {
		return nil
	}
	return &t
}

// timeText returns the instant v names as a request carries it
// (apiv1.TimeText), or nil when v is null (or malformed, as timePointer).
func timeText(v customtypes.RFC3339) *string {
	t := timePointer(v)
	if t == nil {
		return nil
	}
	text := apiv1.TimeText(*t)
	return &text
}

// shortDuration formats d like time.Duration.String without zero trailing
// units: "24h" rather than "24h0m0s", so that imported values match the way
// people write durations.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// durationValue returns an API duration ("5m0s") as a Duration in short
// form ("5m").
func durationValue(s string) customtypes.Duration {
	if d, err := time.ParseDuration(s); err == nil {
		return customtypes.NewValue[customtypes.Duration](shortDuration(d))
	}
	return customtypes.NewValue[customtypes.Duration](s)
}

// quotedList formats values as a comma-separated list of code spans.
func quotedList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, ", ")
}
