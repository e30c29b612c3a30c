package validators

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/schedule"
)

// The validators in this file apply a rule of internal/apiv1 or
// internal/schedule, the function the Keymate server validates the same field
// with, so that what plans is never refused for it and what the API accepts
// can be configured.

var _ validator.String = apiRule{}

// apiRule is a string validator made of one rule of the API.
type apiRule struct {
	summary     string // the diagnostic's summary
	description string // what a valid value is
	check       func(string) error
}

func (v apiRule) Description(context.Context) string { return v.description }

func (v apiRule) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v apiRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("%s: %s.", req.Path, err))
	}
}

// Text checks a string with one of the API's name and text rules
// (apiv1.KeyNameRule, apiv1.NameRule, ...).
func Text(rule apiv1.TextRule) validator.String {
	d := fmt.Sprintf("value must be at most %d characters without control or invisible formatting characters", rule.MaxLength)
	if rule.Required {
		d += ", and not blank"
	}
	return apiRule{summary: "Invalid value", description: d, check: rule.Check}
}

// Email checks that a string is a bare email address such as
// "oncall@example.com" (apiv1.CheckEmailAddress).
func Email() validator.String {
	return apiRule{summary: "Invalid email address", description: `value must be an email address such as "oncall@example.com"`,
		check: apiv1.CheckEmailAddress}
}

// ResourcePattern checks that a string is an access grant resource pattern:
// "*", "<collection>/*" or "<collection>/<id>" (apiv1.CheckResourcePattern).
func ResourcePattern() validator.String {
	return apiRule{summary: "Invalid resource pattern",
		description: fmt.Sprintf(`value must be "*", "<collection>/*" or "<collection>/<id>" with a collection among %s`,
			strings.Join(apiv1.Collections, ", ")),
		check: apiv1.CheckResourcePattern}
}

// BackupDestination checks that a string can name a directory inside the
// server's backup root (apiv1.CheckBackupDestination). Whether a symbolic
// link on the server leads out of the root only the server can tell.
func BackupDestination() validator.String {
	return apiRule{summary: "Invalid backup destination",
		description: `value must be a directory relative to the server's backup root, such as "nightly"`,
		check:       apiv1.CheckBackupDestination}
}

// Secret checks a supplied secret at least minLength characters long
// (apiv1.CheckSecret). The error never quotes the value.
func Secret(minLength int) validator.String {
	return apiRule{summary: "Invalid secret",
		description: fmt.Sprintf("value must be %d to %d characters without whitespace or control characters", minLength, apiv1.MaxSecretLength),
		check:       func(s string) error { return apiv1.CheckSecret(s, minLength) }}
}

// RoutingKey checks a PagerDuty routing key (apiv1.CheckRoutingKey).
func RoutingKey() validator.String {
	return apiRule{summary: "Invalid routing key",
		description: fmt.Sprintf("value must be %d letters and digits", apiv1.PagerDutyRoutingKeyLen), check: apiv1.CheckRoutingKey}
}

// HeaderName checks the name of a configured webhook header
// (apiv1.CheckHeaderName).
func HeaderName() validator.String {
	return apiRule{summary: "Invalid header name",
		description: "value must be an HTTP header name that the server does not set itself", check: apiv1.CheckHeaderName}
}

// DistinctHeaderNames checks that no two keys of a map of webhook headers
// name the same header (apiv1.CheckHeaderNamesDistinct).
func DistinctHeaderNames() validator.Map { return distinctHeaderNames{} }

type distinctHeaderNames struct{}

func (distinctHeaderNames) Description(context.Context) string {
	return "keys must name distinct headers; header names ignore case"
}

func (v distinctHeaderNames) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (distinctHeaderNames) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := apiv1.CheckHeaderNamesDistinct(slices.Collect(maps.Keys(req.ConfigValue.Elements()))); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid header names", fmt.Sprintf("%s: %s.", req.Path, err))
	}
}

// HeaderValue checks the value of a webhook header (apiv1.CheckHeaderValue).
// The error never quotes the value.
func HeaderValue() validator.String {
	return apiRule{summary: "Invalid header value",
		description: "value must not contain line breaks or NUL", check: apiv1.CheckHeaderValue}
}

// Cron checks that a string is a standard 5-field cron expression, such as
// "0 3 * * *", with the parser the Keymate server uses (schedule.CheckCron),
// so that plan and API accept exactly the same expressions.
func Cron() validator.String {
	return apiRule{summary: "Invalid cron expression",
		description: "value must be a 5-field cron expression \"minute hour day-of-month month day-of-week\", such as \"0 3 * * *\"",
		check:       schedule.CheckCron}
}

// Timezone checks that a string is an IANA time zone name such as "UTC" or
// "Europe/Berlin", as the Keymate server resolves it (schedule.LoadTimezone,
// with the time zone database built in).
func Timezone() validator.String {
	return apiRule{summary: "Invalid time zone", description: "value must be an IANA time zone name such as \"UTC\" or \"Europe/Berlin\"",
		check: func(s string) error {
			_, err := schedule.LoadTimezone(s)
			return err
		}}
}
