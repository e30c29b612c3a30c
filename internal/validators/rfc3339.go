package validators

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = rfc3339{}

type rfc3339 struct{}

// RFC3339 checks that a string is an RFC 3339 timestamp with a time zone, such
// as "2026-06-30T00:00:00Z".
func RFC3339() validator.String { return rfc3339{} }

func (rfc3339) Description(context.Context) string {
	return "value must be an RFC 3339 timestamp such as \"2026-06-30T00:00:00Z\""
}

func (v rfc3339) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (rfc3339) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid RFC 3339 timestamp",
			fmt.Sprintf("%s: %q is not an RFC 3339 timestamp; write it like \"2026-06-30T00:00:00Z\" (date, \"T\", time and a zone such as \"Z\" or \"+02:00\").", req.Path, s))
	}
}

// CheckNotInPast returns an error when t is before now. The provider calls it
// at plan time with its clock, for values that must lie in the future when
// sent to the API (an expiry on create or change).
func CheckNotInPast(t, now time.Time) error {
	if t.Before(now) {
		return fmt.Errorf("%s is in the past (the time is now %s); choose a future time or remove the attribute",
			t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}
