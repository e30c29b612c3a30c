package validators

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

var _ validator.String = text{}

type text struct{ rule apiv1.TextRule }

// Text checks a string with one of the API's name and text rules
// (apiv1.KeyNameRule, apiv1.NameRule, ...), the rule the Keymate server
// applies to the same field: what plans is never refused for its text, and
// what the API accepts can be written in a configuration.
func Text(rule apiv1.TextRule) validator.String { return text{rule: rule} }

func (v text) Description(context.Context) string {
	d := fmt.Sprintf("value must be at most %d characters without control or invisible formatting characters", v.rule.MaxLength)
	if v.rule.Required {
		d += ", and not blank"
	}
	return d
}

func (v text) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v text) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.rule.Check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value", fmt.Sprintf("%s %s.", req.Path, err))
	}
}
