package validators

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = email{}

type email struct{}

// Email checks that a string is a bare email address such as
// "oncall@example.com": no display name, no angle brackets, and a domain with
// a dot, as the Keymate API requires.
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
	if !isEmail(s) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid email address",
			fmt.Sprintf("%s: %q is not an email address; write a bare address with a domain such as \"oncall@example.com\" (no display name or angle brackets).", req.Path, s))
	}
}

// isEmail reports whether s is a bare address accepted by net/mail whose
// domain contains a dot.
func isEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return false
	}
	domain := s[strings.LastIndex(s, "@")+1:]
	return strings.Contains(domain, ".")
}
