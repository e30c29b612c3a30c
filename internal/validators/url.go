package validators

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = httpURL{}

type httpURL struct {
	httpsOnly bool
}

// HTTPURL checks that a string is an absolute http or https URL with a host,
// such as "https://hooks.example.com/keymate".
func HTTPURL() validator.String { return httpURL{} }

// HTTPSURL checks that a string is an absolute https URL with a host. Plain
// http is accepted only for loopback hosts (localhost, 127.0.0.0/8, ::1), so
// that a receiver on the same machine can be used in tests.
func HTTPSURL() validator.String { return httpURL{httpsOnly: true} }

func (v httpURL) Description(context.Context) string {
	if v.httpsOnly {
		return "value must be an https URL such as \"https://hooks.example.com/services/...\" (http only for loopback hosts)"
	}
	return "value must be an http or https URL such as \"https://hooks.example.com/keymate\""
}

func (v httpURL) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v httpURL) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL", fmt.Sprintf("%s: %s.", req.Path, err))
	}
}

// check returns why s is not an acceptable URL, or nil. Error messages never
// quote s: a URL may carry a secret (a Slack webhook URL does).
func (v httpURL) check(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || !u.IsAbs():
		return fmt.Errorf("not an absolute URL; write it like \"https://hooks.example.com/keymate\"")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("the scheme is %q; use https (or http)", u.Scheme)
	case u.Hostname() == "":
		return fmt.Errorf("the URL has no host")
	case v.httpsOnly && u.Scheme == "http" && !IsLoopbackHost(u.Hostname()):
		return fmt.Errorf("must use https; plain http is accepted only for loopback hosts such as 127.0.0.1")
	}
	return nil
}

// IsLoopbackHost reports whether host is "localhost" or a loopback IP
// address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
