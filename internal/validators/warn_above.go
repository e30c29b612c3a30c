package validators

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.Int64 = warnAbove{}

type warnAbove struct {
	limit  int64
	reason string
}

// WarnAbove adds a plan-time warning, not an error, when an integer exceeds
// limit. reason explains the limit, for example the guide that sets it.
func WarnAbove(limit int64, reason string) validator.Int64 {
	return warnAbove{limit: limit, reason: reason}
}

func (v warnAbove) Description(context.Context) string {
	return fmt.Sprintf("values above %d give a warning: %s", v.limit, v.reason)
}

func (v warnAbove) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v warnAbove) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if n := req.ConfigValue.ValueInt64(); n > v.limit {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Value above recommended limit",
			fmt.Sprintf("%s is %d, above the recommended %d: %s", req.Path, n, v.limit, v.reason))
	}
}
