package validators

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

var _ validator.String = email{}

type email struct{}

// Email checks that a string is a bare email address such as
// "oncall@example.com" with the rule the Keymate API applies
// (apiv1.CheckEmailAddress).
func Email() validator.String { return email{} }

func (email) Description(context.Context) string {
	return "value must be an email address such as \"oncall@example.com\""
}

func (v email) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (email) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if err := apiv1.CheckEmailAddress(s); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid email address", fmt.Sprintf("%s: %q %s.", req.Path, s, err))
	}
}
