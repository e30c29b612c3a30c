package validators

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/keymate/terraform-provider-keymate/internal/schedule"
)

var _ validator.String = timezone{}

type timezone struct{}

// Timezone checks that a string is an IANA time zone name such as "UTC" or
// "Europe/Berlin", as the Keymate server resolves it (package schedule, with
// the time zone database built in).
func Timezone() validator.String { return timezone{} }

func (timezone) Description(context.Context) string {
	return "value must be an IANA time zone name such as \"UTC\" or \"Europe/Berlin\""
}

func (v timezone) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (timezone) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := schedule.LoadTimezone(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid time zone", fmt.Sprintf("%s: %s.", req.Path, err))
	}
}
