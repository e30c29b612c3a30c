package validators

import (
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// HTTPURL checks that a string is an absolute http or https URL with a host,
// such as "https://hooks.example.com/keymate" (apiv1.CheckChannelURL). The
// error never quotes the URL: a URL may carry a secret (a Slack webhook URL
// does).
func HTTPURL() validator.String {
	return apiRule{summary: "Invalid URL", description: "value must be an http or https URL such as \"https://hooks.example.com/keymate\"",
		check: func(s string) error { return apiv1.CheckChannelURL(s, false) }}
}

// HTTPSURL checks that a string is an absolute https URL with a host. Plain
// http is accepted only for loopback hosts (localhost, 127.0.0.0/8, ::1), so
// that a receiver on the same machine can be used in tests.
func HTTPSURL() validator.String {
	return apiRule{summary: "Invalid URL", description: "value must be an https URL such as \"https://hooks.example.com/services/...\" (http only for loopback hosts)",
		check: func(s string) error { return apiv1.CheckChannelURL(s, true) }}
}
