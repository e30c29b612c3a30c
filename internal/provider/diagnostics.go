package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/keymate/terraform-provider-keymate/internal/client"
)

// operation names an API call the provider makes, for its error messages:
// verb "rotate", object "Keymate API key", scope "keys:write" give the summary
// "Unable to rotate Keymate API key" and, on 403, the scope to grant.
type operation struct {
	verb   string
	object string
	scope  string
}

func (o operation) summary() string { return "Unable to " + o.verb + " " + o.object }

// diagnostics turns err into diagnostics. The detail carries the API's
// message, its field errors, the request id and what to do next. A field
// error whose path starts with a key of fields (API field name to attribute
// name, for example "scopes" for "scopes[1]") is reported on that attribute,
// so that Terraform points at the offending line.
func (o operation) diagnostics(err error, fields map[string]string) diag.Diagnostics {
	var diags diag.Diagnostics
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		diags.AddError(o.summary(), fmt.Sprintf("%s.\n\nCheck that the Keymate API is reachable at the provider's endpoint "+
			"(argument endpoint or the %s environment variable).", err, envEndpoint))
		return diags
	}

	var b strings.Builder
	fmt.Fprintf(&b, "The Keymate API answered %d", apiErr.StatusCode)
	if apiErr.Code != "" {
		fmt.Fprintf(&b, " %s", apiErr.Code)
	}
	if apiErr.Message != "" {
		fmt.Fprintf(&b, ": %s", apiErr.Message)
	}
	b.WriteString(".")
	var unmatched []string
	for _, f := range apiErr.Fields {
		if attr := matchAttribute(f.Path, fields); attr != "" {
			diags.AddAttributeError(path.Root(attr), o.summary(),
				fmt.Sprintf("%s: %s (request id %s).", f.Path, f.Message, requestID(apiErr)))
			continue
		}
		unmatched = append(unmatched, fmt.Sprintf("- %s: %s", f.Path, f.Message))
	}
	if len(unmatched) > 0 {
		b.WriteString("\n\nInvalid fields:\n" + strings.Join(unmatched, "\n"))
	}
	fmt.Fprintf(&b, "\n\nRequest id: %s.", requestID(apiErr))
	if hint := o.hint(err); hint != "" {
		b.WriteString("\n\n" + hint)
	}
	if len(unmatched) > 0 || len(apiErr.Fields) == 0 {
		diags.AddError(o.summary(), b.String())
	}
	return diags
}

func (o operation) hint(err error) string {
	var waitErr *client.RetryWaitError
	switch {
	case errors.As(err, &waitErr) && waitErr.Deadline:
		return fmt.Sprintf("The API asked the provider to wait %s before retrying, but the operation's deadline was %s away, "+
			"so the provider stopped instead of retrying early. Run again later.", waitErr.Wait, waitErr.Limit)
	case errors.As(err, &waitErr):
		return fmt.Sprintf("The API asked the provider to wait %s before retrying, longer than the provider's max_retry_wait (%s), "+
			"so it stopped instead of retrying early. Raise max_retry_wait (or %s), or run again later.", waitErr.Wait, waitErr.Limit, envMaxRetryWait)
	case errors.Is(err, client.ErrUnauthorized):
		return "The API did not accept the provider's key: check the api_key argument or the " + envAPIKey +
			" environment variable (the key may be unknown, revoked or expired)."
	case errors.Is(err, client.ErrForbidden):
		return fmt.Sprintf("The provider's API key is not allowed to %s this %s: the key needs scope %s "+
			"(and may only grant scopes it holds itself). Check %s or grant the scope.", o.verb, o.object, o.scope, envAPIKey)
	case errors.Is(err, client.ErrRateLimited):
		return "The API's rate limit was still exceeded after retrying; raise the provider's max_retries (or " + envMaxRetries +
			") or run with less parallelism."
	case errors.Is(err, client.ErrConflict):
		return "The request conflicts with the object's current state, for example a name already used by another active " +
			"key, or a key revoked in the meantime (run terraform plan to see it)."
	}
	return ""
}

func requestID(e *client.APIError) string {
	if e.RequestID == "" {
		return "none"
	}
	return e.RequestID
}

// matchAttribute returns the attribute a field path such as "scopes[1]" or
// "rotation_days" refers to, or "" when fields has no entry for it.
func matchAttribute(fieldPath string, fields map[string]string) string {
	root := fieldPath
	if i := strings.IndexAny(root, ".["); i >= 0 {
		root = root[:i]
	}
	return fields[root]
}
