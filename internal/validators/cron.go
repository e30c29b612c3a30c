package validators

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/keymate/terraform-provider-keymate/internal/schedule"
)

var _ validator.String = cronExpression{}

type cronExpression struct{}

// Cron checks that a string is a standard 5-field cron expression, such as
// "0 3 * * *", with the parser the Keymate server uses (package schedule), so
// that plan and API accept exactly the same expressions.
func Cron() validator.String { return cronExpression{} }

func (cronExpression) Description(context.Context) string {
	return "value must be a 5-field cron expression \"minute hour day-of-month month day-of-week\", such as \"0 3 * * *\""
}

func (v cronExpression) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (cronExpression) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := schedule.CheckCron(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid cron expression", fmt.Sprintf("%s: %s.", req.Path, err))
	}
}
