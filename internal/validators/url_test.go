package validators

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// HTTPURL accepts absolute http and https URLs with a host and names what is
// wrong with anything else, without quoting the URL.
func TestHTTPURL(t *testing.T) {
	v := HTTPURL()
	for _, ok := range []string{"https://hooks.example.com/keymate", "http://10.0.0.5:8080/alerts?x=1", "http://127.0.0.1:1234/"} {
		if diags := runString(v, types.StringValue(ok)); diags.HasError() {
			t.Errorf("%q: unexpected error %v", ok, diags)
		}
	}
	for bad, want := range map[string]string{
		"alerts.example.org/hook": "not an absolute URL",
		"ftp://example.com/x":     `the scheme is "ftp"`,
		"https:///path-only":      "has no host",
		"https://exa mple.com":    "not an absolute URL",
	} {
		diags := runString(v, types.StringValue(bad))
		requireOneError(t, diags, want)
		if strings.Contains(diags.Errors()[0].Detail(), bad) {
			t.Errorf("%q: the error must not quote the URL: %s", bad, diags.Errors()[0].Detail())
		}
	}
	if diags := runString(v, types.StringUnknown()); diags.HasError() {
		t.Errorf("unknown values must be skipped, got %v", diags)
	}
}

// HTTPSURL requires https except for loopback hosts.
func TestHTTPSURL(t *testing.T) {
	v := HTTPSURL()
	for _, ok := range []string{"https://hooks.slack.com/services/T0/B0/x", "http://127.0.0.1:4000/hook", "http://localhost/x", "http://[::1]:80/"} {
		if diags := runString(v, types.StringValue(ok)); diags.HasError() {
			t.Errorf("%q: unexpected error %v", ok, diags)
		}
	}
	requireOneError(t, runString(v, types.StringValue("http://hooks.slack.com/services/T0/B0/x")), "must use https")
	requireOneError(t, runString(v, types.StringValue("http://10.1.2.3/x")), "must use https")
	if diags := runString(v, types.StringNull()); diags.HasError() {
		t.Errorf("null values must be skipped, got %v", diags)
	}
}
