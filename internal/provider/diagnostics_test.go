package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
)

func TestOperationDiagnosticsForbiddenNamesScopeAndRequestID(t *testing.T) {
	err := &client.APIError{StatusCode: 403, Code: apiv1.CodeForbidden, Message: "missing scope keys:write",
		RequestID: "req_42", Method: "POST", Path: "/v1/api-keys/key_1/rotate"}
	diags := apiKeys.op("rotate").diagnostics(err, apiKeyFields)
	if diags.ErrorsCount() != 1 {
		t.Fatalf("want one error, got %v", diags)
	}
	d := diags.Errors()[0]
	if d.Summary() != "Unable to rotate Keymate API key" {
		t.Errorf("summary = %q", d.Summary())
	}
	for _, want := range []string{"403 forbidden: missing scope keys:write", "req_42", "needs scope keys:write", envAPIKey} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("detail %q lacks %q", d.Detail(), want)
		}
	}
}

// A request ended because the API asked for a longer wait than
// max_retry_wait says so, with the wait, the limit, and the argument and
// variable to raise; one that would outlast the deadline says that instead.
func TestOperationDiagnosticsRetryWaitHint(t *testing.T) {
	rateLimited := &client.APIError{StatusCode: 429, Code: apiv1.CodeRateLimited, Message: "slow down", RequestID: "req_7"}
	for _, tc := range []struct {
		wait *client.RetryWaitError
		want []string
	}{
		{&client.RetryWaitError{Wait: 90 * time.Second, Limit: time.Minute},
			[]string{"429", "wait 1m30s", "max_retry_wait (1m0s)", envMaxRetryWait}},
		{&client.RetryWaitError{Wait: 90 * time.Second, Limit: 20 * time.Second, Deadline: true},
			[]string{"429", "wait 1m30s", "deadline was 20s away"}},
	} {
		err := fmt.Errorf("%w; last attempt: %w", tc.wait, rateLimited)
		d := apiKeys.op("read").diagnostics(err, nil).Errors()[0]
		for _, want := range tc.want {
			if !strings.Contains(d.Detail(), want) {
				t.Errorf("detail %q lacks %q", d.Detail(), want)
			}
		}
	}
}

func TestOperationDiagnosticsUnauthorizedHint(t *testing.T) {
	err := &client.APIError{StatusCode: 401, Code: apiv1.CodeUnauthorized, Message: "unknown API key", RequestID: "req_1"}
	d := apiKeys.op("read").diagnostics(err, nil).Errors()[0]
	if !strings.Contains(d.Detail(), "api_key argument or the KEYMATE_API_KEY environment variable") {
		t.Errorf("401 detail must say how to fix the credentials, got %q", d.Detail())
	}
}

func TestOperationDiagnosticsMapsFieldsToAttributes(t *testing.T) {
	err := &client.APIError{StatusCode: 422, Code: apiv1.CodeValidation, Message: "invalid request", RequestID: "req_7",
		Fields: []apiv1.FieldError{
			{Path: "scopes[1]", Message: `unknown scope "x"`},
			{Path: "secret", Message: "too short"},
			{Path: "weird", Message: "not an attribute"},
		}}
	diags := apiKeys.op("create").diagnostics(err, apiKeyFields)
	onPath := map[string]string{}
	var general []diag.Diagnostic
	for _, d := range diags.Errors() {
		if p, ok := d.(diag.DiagnosticWithPath); ok {
			onPath[p.Path().String()] = d.Detail()
			continue
		}
		general = append(general, d)
	}
	if !strings.Contains(onPath[path.Root("scopes").String()], `scopes[1]: unknown scope "x"`) {
		t.Errorf("scopes error not on attribute scopes: %v", diags)
	}
	if !strings.Contains(onPath[path.Root("secret_wo").String()], "too short") {
		t.Errorf("API field secret must be reported on secret_wo: %v", diags)
	}
	if len(general) != 1 || !strings.Contains(general[0].Detail(), "weird: not an attribute") {
		t.Errorf("unmatched fields must be listed in one general error, got %v", general)
	}
}

func TestOperationDiagnosticsNetworkError(t *testing.T) {
	d := apiKeys.op("create").diagnostics(errors.New("dial tcp 127.0.0.1:1: connection refused"), nil).Errors()[0]
	if !strings.Contains(d.Detail(), "connection refused") || !strings.Contains(d.Detail(), envEndpoint) {
		t.Errorf("network error detail must carry the cause and point at the endpoint, got %q", d.Detail())
	}
}
