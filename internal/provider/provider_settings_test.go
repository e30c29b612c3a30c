package provider

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
)

// settingsWith resolves a provider model whose unset arguments are null,
// with env as the environment.
func settingsWith(t *testing.T, cfg providerModel, env map[string]string) (providerSettings, diag.Diagnostics) {
	t.Helper()
	for _, a := range cfg.arguments() {
		if a.text != nil && *a.text == (types.String{}) {
			*a.text = types.StringNull()
		}
		if a.num != nil && *a.num == (types.Int64{}) {
			*a.num = types.Int64Null()
		}
	}
	p, ok := newProvider("1.2.3", clock.Real{}, func(k string) string { return env[k] })().(*keymateProvider)
	if !ok {
		t.Fatal("newProvider did not return a *keymateProvider")
	}
	return p.settings(context.Background(), cfg, "1.11.4")
}

// Every provider argument has a KEYMATE_* environment variable, and its
// description names it.
func TestProviderArgumentsEachHaveAnEnvironmentVariable(t *testing.T) {
	var resp provider.SchemaResponse
	newProvider("test", clock.Real{}, func(string) string { return "" })().Schema(context.Background(), provider.SchemaRequest{}, &resp)
	var m providerModel
	var names []string
	for _, a := range m.arguments() {
		names = append(names, a.name)
		attr, ok := resp.Schema.Attributes[a.name]
		if !ok {
			t.Errorf("argument %s is not in the schema", a.name)
			continue
		}
		if !strings.HasPrefix(a.env, "KEYMATE_") || !strings.Contains(attr.GetMarkdownDescription(), "`"+a.env+"`") {
			t.Errorf("argument %s: environment variable %q is not a KEYMATE_* variable named in its description", a.name, a.env)
		}
	}
	for name := range resp.Schema.Attributes {
		if !slices.Contains(names, name) {
			t.Errorf("provider argument %s has no environment variable", name)
		}
	}
}

// Each argument comes from the configuration, else from its environment
// variable, else from its default; the User-Agent names the provider's and
// Terraform's versions.
func TestProviderSettingsFromConfigurationEnvironmentAndDefaults(t *testing.T) {
	creds := map[string]string{envEndpoint: "http://127.0.0.1:1", envAPIKey: "km_env_key"}
	allEnv := map[string]string{envEndpoint: "http://127.0.0.1:2", envAPIKey: "km_env_key", envMaxRetries: "7",
		envRequestTimeout: "45s", envMaxRetryWait: "5m", envPolicy: "enforce"}
	for name, tc := range map[string]struct {
		cfg    providerModel
		env    map[string]string
		want   client.Config
		policy policyMode
	}{
		"defaults": {env: creds, policy: policyWarn, want: client.Config{Endpoint: "http://127.0.0.1:1", APIKey: "km_env_key",
			MaxRetries: defaultMaxRetries, RequestTimeout: 30 * time.Second, MaxRetryWait: time.Minute}},
		"environment": {env: allEnv, policy: policyEnforce, want: client.Config{Endpoint: "http://127.0.0.1:2", APIKey: "km_env_key",
			MaxRetries: 7, RequestTimeout: 45 * time.Second, MaxRetryWait: 5 * time.Minute}},
		"configuration wins": {env: allEnv, policy: policyOff,
			cfg: providerModel{Endpoint: types.StringValue("http://127.0.0.1:3"), APIKey: types.StringValue("km_cfg_key"),
				MaxRetries: types.Int64Value(0), RequestTimeout: types.StringValue("2m"), MaxRetryWait: types.StringValue("10s"),
				Policy: types.StringValue("off")},
			want: client.Config{Endpoint: "http://127.0.0.1:3", APIKey: "km_cfg_key", MaxRetries: 0,
				RequestTimeout: 2 * time.Minute, MaxRetryWait: 10 * time.Second}},
	} {
		t.Run(name, func(t *testing.T) {
			got, diags := settingsWith(t, tc.cfg, tc.env)
			if diags.HasError() {
				t.Fatalf("settings: %v", diags)
			}
			tc.want.UserAgent = "terraform-provider-keymate/1.2.3 (+https://registry.terraform.io/providers/keymate/keymate) Terraform/1.11.4"
			if got.client != tc.want || got.policy != tc.policy {
				t.Errorf("settings = %+v, policy %q\nwant       %+v, policy %q", got.client, got.policy, tc.want, tc.policy)
			}
		})
	}
}

// A bad value in an environment variable is an error on its argument that
// gives the argument's own rule and names the variable; nothing is built.
func TestProviderSettingsRejectABadEnvironmentNamingTheVariable(t *testing.T) {
	for _, tc := range []struct {
		env, value, arg, want string
	}{
		{envMaxRetries, "many", "max_retries", `"many" is not a whole number`},
		{envMaxRetries, "11", "max_retries", "between 0 and 10"},
		{envRequestTimeout, "forever", "request_timeout", "is not a duration"},
		{envMaxRetryWait, "2h", "max_retry_wait", "must be between 1s and 1h0m0s"},
		{envPolicy, "strict", "policy", `value must be one of`},
	} {
		env := map[string]string{envEndpoint: "http://127.0.0.1:1", envAPIKey: "km_env_key", tc.env: tc.value}
		_, diags := settingsWith(t, providerModel{}, env)
		errs := diags.Errors()
		if len(errs) != 1 {
			t.Errorf("%s=%q: %d errors %v, want one", tc.env, tc.value, len(errs), errs)
			continue
		}
		withPath, ok := errs[0].(diag.DiagnosticWithPath)
		if !ok || !withPath.Path().Equal(path.Root(tc.arg)) || !strings.Contains(errs[0].Detail(), tc.want) ||
			!strings.Contains(errs[0].Detail(), "the "+tc.env+" environment variable") {
			t.Errorf("%s=%q: error %q: %q, want one on %s that says %q and names %s",
				tc.env, tc.value, errs[0].Summary(), errs[0].Detail(), tc.arg, tc.want, tc.env)
		}
	}
}
