package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
)

// TestPlaintextRemote proves which endpoints count as unencrypted traffic
// to another host: http:// to anything but loopback. plaintextRemote only
// parses the endpoint, so no address here is dialled.
func TestPlaintextRemote(t *testing.T) {
	for endpoint, want := range map[string]bool{
		"http://keymate.example.com":       true,
		"HTTP://keymate.example.com:8080/": true,
		"http://0.0.0.0:8080":              true,
		"http://[2001:db8::1]:8080":        true,
		"https://keymate.example.com":      false,
		"http://127.0.0.1:8080":            false,
		"http://127.8.9.10":                false,
		"http://localhost:8080":            false,
		"http://[::1]:8080":                false,
		"":                                 false,
	} {
		if got := plaintextRemote(endpoint); got != want {
			t.Errorf("plaintextRemote(%q) = %t, want %t", endpoint, got, want)
		}
	}
}

// configure runs the provider's Configure with endpoint and a key, from
// the configuration or, with fromEnv, from the environment. Nothing is
// dialled: Configure only builds the client.
func configure(t *testing.T, endpoint string, fromEnv bool) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	env := map[string]string{}
	values := map[string]tftypes.Value{}
	if fromEnv {
		env[envEndpoint], env[envAPIKey] = endpoint, "km_configure_test_key_0123456789abcdef"
	} else {
		values["endpoint"] = tftypes.NewValue(tftypes.String, endpoint)
		values["api_key"] = tftypes.NewValue(tftypes.String, "km_configure_test_key_0123456789abcdef")
	}
	p := newProvider("test", clock.Real{}, func(k string) string { return env[k] })()
	var schemaResp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &schemaResp)
	typ, ok := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("the provider schema is not an object")
	}
	for name, attrType := range typ.AttributeTypes {
		if _, set := values[name]; !set {
			values[name] = tftypes.NewValue(attrType, nil)
		}
	}
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: schemaResp.Schema, Raw: tftypes.NewValue(typ, values)}}, &resp)
	return resp.Diagnostics
}

// TestConfigureWarnsOnPlaintextRemoteEndpoint proves that a plain http://
// endpoint to a host that is not loopback, from the argument or from
// KEYMATE_ENDPOINT, gives a warning naming endpoint (and no error), and
// that https:// and loopback endpoints give none.
func TestConfigureWarnsOnPlaintextRemoteEndpoint(t *testing.T) {
	warnsOnEndpoint := func(diags diag.Diagnostics) bool {
		for _, d := range diags.Warnings() {
			if withPath, ok := d.(diag.DiagnosticWithPath); ok && withPath.Path().Equal(path.Root("endpoint")) &&
				d.Summary() == "Keymate endpoint without TLS" {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		endpoint string
		fromEnv  bool
		warn     bool
	}{
		{"http://keymate.example.com:8080", false, true},
		{"http://keymate.example.com:8080", true, true},
		{"https://keymate.example.com", false, false},
		{"http://127.0.0.1:8080", false, false},
		{"http://localhost:8080", true, false},
	} {
		diags := configure(t, tc.endpoint, tc.fromEnv)
		if diags.HasError() {
			t.Fatalf("Configure(%s): %v", tc.endpoint, diags)
		}
		if got := warnsOnEndpoint(diags); got != tc.warn {
			t.Errorf("Configure(%s, from env %t): warning on endpoint %t, want %t (%v)", tc.endpoint, tc.fromEnv, got, tc.warn, diags)
		}
	}
}
