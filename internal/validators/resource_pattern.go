package validators

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

var _ validator.String = resourcePattern{}

type resourcePattern struct{}

// ResourcePattern checks that a string is an access grant resource pattern:
// "*", "<collection>/*" or "<collection>/<id>", with the rule the Keymate
// server applies (apiv1.CheckResourcePattern).
func ResourcePattern() validator.String { return resourcePattern{} }

func (resourcePattern) Description(context.Context) string {
	return fmt.Sprintf("value must be \"*\", \"<collection>/*\" or \"<collection>/<id>\" with a collection among %s",
		strings.Join(apiv1.Collections, ", "))
}

func (v resourcePattern) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (resourcePattern) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := apiv1.CheckResourcePattern(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid resource pattern", fmt.Sprintf("%s: %s.", req.Path, err))
	}
}
