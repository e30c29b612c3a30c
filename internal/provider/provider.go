// Package provider is the Terraform surface of Keymate: the provider, its
// resources and data sources. It talks to the API only through
// internal/client.
package provider

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ provider.Provider                       = (*keymateProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*keymateProvider)(nil)
	_ provider.ProviderWithListResources      = (*keymateProvider)(nil)
)

// Environment variables read when the matching argument is not set.
const (
	envEndpoint = "KEYMATE_ENDPOINT"
	envAPIKey   = "KEYMATE_API_KEY"
	envPolicy   = "KEYMATE_POLICY"
)

// Provider defaults and limits.
const (
	defaultMaxRetries     = 4
	maxMaxRetries         = 10
	defaultRequestTimeout = "30s"
	minRequestTimeout     = time.Second
	maxRequestTimeout     = 10 * time.Minute
)

// New returns a constructor of the provider for providerserver.Serve. It
// uses the wall clock and the process environment.
func New(version string) func() provider.Provider {
	return newProvider(version, clock.Real{}, os.Getenv)
}

// newProvider is New with the clock and the environment injected, so that
// tests can move time and point the provider at a test server.
func newProvider(version string, clk clock.Clock, getenv func(string) string) func() provider.Provider {
	return func() provider.Provider {
		return &keymateProvider{version: version, clock: clk, getenv: getenv}
	}
}

type keymateProvider struct {
	version string
	clock   clock.Clock
	getenv  func(string) string
}

// providerData is what Configure hands to every resource, data source and
// ephemeral resource: the API client and the clock that decides rotations
// and expiries.
type providerData struct {
	client *client.Client
	clock  clock.Clock
	policy policyMode
}

type providerModel struct {
	Endpoint       types.String `tfsdk:"endpoint"`
	APIKey         types.String `tfsdk:"api_key"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	Policy         types.String `tfsdk:"policy"`
}

func (p *keymateProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "keymate"
	resp.Version = p.version
}

func (p *keymateProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Keymate provider manages API keys and the other objects of a Keymate API server. " +
			"Every argument may be left out and set through the environment instead, so that configurations carry no credentials.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Base URL of the Keymate API, for example `https://keymate.example.com`. " +
					"Defaults to the `" + envEndpoint + "` environment variable; one of the two is required. A plain `http://` " +
					"endpoint to a host that is not loopback gives a warning: the API key would cross the network unencrypted.",
			},
			"api_key": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Secret of the Keymate API key the provider authenticates with. It needs the scopes of the " +
					"objects it manages (`keys:read` and `keys:write` for `keymate_api_key`). Defaults to the `" + envAPIKey +
					"` environment variable; one of the two is required. Prefer the environment variable: a value written here ends up in plan files.",
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after a rate limit (429), a server error (5xx) "+
					"or a connection error, with exponential backoff. 0 to %d; defaults to %d.", maxMaxRetries, defaultMaxRetries),
				Validators: []validator.Int64{int64validator.Between(0, maxMaxRetries)},
			},
			"request_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Time limit of each HTTP attempt, as a Go duration such as `30s` or `2m`. "+
					"%s to %s; defaults to `%s`.", minRequestTimeout, maxRequestTimeout, defaultRequestTimeout),
				Validators: []validator.String{validators.DurationBetween(minRequestTimeout, maxRequestTimeout)},
			},
			"policy": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "What a plan does when a configuration breaks the security guide (for example a key rotated " +
					"less often than every 90 days, or an admin grant without expiry): `off` says nothing, `warn` adds a warning " +
					"that names the control id (such as `KM-KEY-002`), `enforce` makes it an error so that a CI plan fails. " +
					"Defaults to the `" + envPolicy + "` environment variable, else `warn`.",
				Validators: []validator.String{stringvalidator.OneOf(policyModes...)},
			},
		},
	}
}

func (p *keymateProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	for _, a := range []struct {
		name  string
		value types.String
		env   string
	}{{"endpoint", cfg.Endpoint, envEndpoint}, {"api_key", cfg.APIKey, envAPIKey}} {
		if a.value.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(a.name), "Unknown Keymate provider "+a.name,
				fmt.Sprintf("The provider cannot create the Keymate API client because %s is unknown until apply "+
					"(it comes from another resource). Set it to a known value, or leave it out and use the %s environment variable.",
					a.name, a.env))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	endpoint := valueOrEnv(cfg.Endpoint, p.getenv(envEndpoint))
	apiKey := valueOrEnv(cfg.APIKey, p.getenv(envAPIKey))
	if endpoint == "" {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Missing Keymate API endpoint",
			"Set the endpoint argument or the "+envEndpoint+" environment variable to the base URL of the Keymate API, "+
				"for example https://keymate.example.com.")
	}
	if apiKey == "" {
		resp.Diagnostics.AddAttributeError(path.Root("api_key"), "Missing Keymate API key",
			"Set the api_key argument or the "+envAPIKey+" environment variable to the secret of a Keymate API key.")
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if plaintextRemote(endpoint) {
		resp.Diagnostics.AddAttributeWarning(path.Root("endpoint"), "Keymate endpoint without TLS",
			"The endpoint is a plain http:// URL to a host that is not loopback: the API key and every secret the provider "+
				"sends or receives cross the network unencrypted. Use an https:// endpoint (start keymate-server with "+
				"--tls-cert and --tls-key, or put it behind a TLS-terminating proxy).")
	}

	maxRetries := int64(defaultMaxRetries)
	if !cfg.MaxRetries.IsNull() && !cfg.MaxRetries.IsUnknown() {
		maxRetries = cfg.MaxRetries.ValueInt64()
	}
	timeout, _ := time.ParseDuration(defaultRequestTimeout)
	if !cfg.RequestTimeout.IsNull() && !cfg.RequestTimeout.IsUnknown() {
		d, err := time.ParseDuration(cfg.RequestTimeout.ValueString())
		if err != nil { // the schema validator has already reported it
			return
		}
		timeout = d
	}

	c, err := client.New(client.Config{
		Endpoint:       endpoint,
		APIKey:         apiKey,
		UserAgent:      "terraform-provider-keymate/" + p.version,
		MaxRetries:     int(maxRetries),
		RequestTimeout: timeout,
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to create Keymate API client",
			err.Error()+". Check the provider's endpoint argument or the "+envEndpoint+" environment variable.")
		return
	}
	policy := policyMode(valueOrEnv(cfg.Policy, p.getenv(envPolicy)))
	if policy == "" {
		policy = policyWarn
	}
	if !slices.Contains(policyModes, string(policy)) {
		resp.Diagnostics.AddAttributeError(path.Root("policy"), "Invalid Keymate policy",
			fmt.Sprintf("The %s environment variable is %q; set it to one of %s.", envPolicy, policy, strings.Join(policyModes, ", ")))
		return
	}
	data := &providerData{client: c, clock: p.clock, policy: policy}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ListResourceData = data
}

// plaintextRemote reports whether endpoint sends requests unencrypted to
// another host: an http:// URL whose host is not loopback.
func plaintextRemote(endpoint string) bool {
	u, err := url.Parse(endpoint)
	return err == nil && strings.EqualFold(u.Scheme, "http") && !validators.IsLoopbackHost(u.Hostname())
}

// valueOrEnv returns the configured value when set, else the environment's.
func valueOrEnv(v types.String, env string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return env
}

func (p *keymateProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newAPIKeyResource, newAccessGrantResource, newBackupScheduleResource, newNotificationChannelResource, newAlertRuleResource}
}

func (p *keymateProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newAPIKeyDataSource, newAccessGrantsDataSource, newBackupRunsDataSource, newAuditEventsDataSource, newNotificationChannelDataSource, newAlertRulesDataSource, newComplianceReportDataSource}
}

func (p *keymateProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{newAPIKeyEphemeralResource}
}

func (p *keymateProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{newAPIKeyListResource, newAccessGrantListResource, newBackupScheduleListResource, newNotificationChannelListResource, newAlertRuleListResource}
}

// configuredData extracts the providerData passed to a resource's or data
// source's Configure. It returns nil, without error, before the provider is
// configured (Terraform calls Configure early during validation).
func configuredData(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", raw))
		return nil
	}
	return data
}

// What each docs page says its state holds, appended to every resource's
// and data source's description so that auditors read it on every page.
const (
	resourceStateNote = "\n\n**In state:** every attribute on this page is stored in the Terraform state: in plain text " +
		"unless marked Sensitive (hidden from plan output, but still stored). Write-only arguments (`*_wo`) are never stored."
	dataSourceStateNote = "\n\n**In state:** every attribute on this page is stored in the Terraform state; none holds a secret " +
		"(secrets appear only as fingerprints)."
)
