// Package provider is the Terraform surface of Keymate: the provider, its
// resources and data sources. It talks to the API only through
// internal/client.
package provider

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ provider.Provider                       = (*keymateProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*keymateProvider)(nil)
	_ provider.ProviderWithListResources      = (*keymateProvider)(nil)
	_ provider.ProviderWithActions            = (*keymateProvider)(nil)
	_ provider.ProviderWithFunctions          = (*keymateProvider)(nil)
)

// Environment variables, one per provider argument, read when the argument
// is not set (providerModel.arguments pairs them).
const (
	envEndpoint       = "KEYMATE_ENDPOINT"
	envAPIKey         = "KEYMATE_API_KEY"
	envMaxRetries     = "KEYMATE_MAX_RETRIES"
	envRequestTimeout = "KEYMATE_REQUEST_TIMEOUT"
	envMaxRetryWait   = "KEYMATE_MAX_RETRY_WAIT"
	envPolicy         = "KEYMATE_POLICY"
)

// Provider defaults and limits. The durations' defaults are the client's.
const (
	defaultMaxRetries = 4
	maxMaxRetries     = 10
	minRequestTimeout = time.Second
	maxRequestTimeout = 10 * time.Minute
	minMaxRetryWait   = time.Second
	maxMaxRetryWait   = time.Hour
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
// ephemeral resource: the API client, the clock that decides rotations
// and expiries, the policy, and the keys' use as this run read it.
type providerData struct {
	client   *client.Client
	clock    clock.Clock
	policy   policyMode
	keyUsage *keyUsage
}

type providerModel struct {
	Endpoint       types.String `tfsdk:"endpoint"`
	APIKey         types.String `tfsdk:"api_key"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	MaxRetryWait   types.String `tfsdk:"max_retry_wait"`
	Policy         types.String `tfsdk:"policy"`
}

// argument is one provider argument: its name, its environment variable
// and its value in the model (text, or num for max_retries).
type argument struct {
	name, env string
	text      *types.String
	num       *types.Int64
}

// arguments lists every argument of m with its environment variable.
func (m *providerModel) arguments() []argument {
	return []argument{
		{name: "endpoint", env: envEndpoint, text: &m.Endpoint},
		{name: "api_key", env: envAPIKey, text: &m.APIKey},
		{name: "max_retries", env: envMaxRetries, num: &m.MaxRetries},
		{name: "request_timeout", env: envRequestTimeout, text: &m.RequestTimeout},
		{name: "max_retry_wait", env: envMaxRetryWait, text: &m.MaxRetryWait},
		{name: "policy", env: envPolicy, text: &m.Policy},
	}
}

func (p *keymateProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "keymate"
	resp.Version = p.version
}

func (p *keymateProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Keymate provider manages API keys and the other objects of a Keymate API server. " +
			"Every argument may be left out and set through its `KEYMATE_*` environment variable instead, so that " +
			"configurations carry no credentials and CI sets its own values; an argument in the configuration wins.",
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
					"or a connection error, with exponential backoff. 0 to %d; defaults to the `%s` environment variable, else %d.",
					maxMaxRetries, envMaxRetries, defaultMaxRetries),
				Validators: []validator.Int64{int64validator.Between(0, maxMaxRetries)},
			},
			"request_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Time limit of each HTTP attempt, as a Go duration such as `30s` or `2m`. "+
					"%s to %s; defaults to the `%s` environment variable, else `%s`.",
					minRequestTimeout, maxRequestTimeout, envRequestTimeout, client.DefaultRequestTimeout),
				Validators: []validator.String{validators.DurationBetween(minRequestTimeout, maxRequestTimeout)},
			},
			"max_retry_wait": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The longest wait before retrying a request, as a Go duration such as `30s` or `5m`. "+
					"The exponential backoff never waits longer. When the server asks for a wait (`Retry-After` or `X-RateLimit-Reset` "+
					"on 429 and 503), the provider waits exactly that long, never less; when it asks for more than `max_retry_wait`, "+
					"or for more than is left before the operation's deadline, the request fails at once with an error that says "+
					"so, instead of retrying early. %s to %s; defaults to the `%s` environment variable, else `%s`.",
					minMaxRetryWait, maxMaxRetryWait, envMaxRetryWait, client.DefaultMaxRetryWait),
				Validators: []validator.String{validators.DurationBetween(minMaxRetryWait, maxMaxRetryWait)},
			},
			"policy": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "What a plan does when a configuration breaks the security guide (for example a key rotated " +
					"less often than every 90 days, or an admin grant without expiry): `off` says nothing, `warn` adds a warning " +
					"that names the control id (such as `KM-KEY-002`), `enforce` makes it an error so that a CI plan fails. " +
					"Defaults to the `" + envPolicy + "` environment variable, else `warn`. One check does not follow the policy: " +
					"a `critical` alert rule without a notification channel (`KM-ALERT-001`) is an error under every policy, " +
					"because the Keymate API refuses such a rule (422) whatever the provider does; the plan reports it before apply would fail.",
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
	settings, diags := p.settings(ctx, cfg, req.TerraformVersion)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := client.New(settings.client)
	if err != nil {
		resp.Diagnostics.AddError("Unable to create Keymate API client",
			err.Error()+". Check the provider's endpoint argument or the "+envEndpoint+" environment variable.")
		return
	}
	data := &providerData{client: c, clock: p.clock, policy: settings.policy, keyUsage: newKeyUsage()}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ListResourceData = data
	resp.ActionData = data
}

// providerSettings are the provider's arguments, resolved: the API client's
// configuration and the policy.
type providerSettings struct {
	client client.Config
	policy policyMode
}

// settings resolves every argument of cfg: the configured value, else its
// environment variable's (checked by the argument's own validators, with
// errors that name the variable), else the default. terraformVersion goes
// into the User-Agent beside the provider's version.
func (p *keymateProvider) settings(ctx context.Context, cfg providerModel, terraformVersion string) (providerSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	for _, a := range []struct {
		name  string
		value types.String
		env   string
	}{{"endpoint", cfg.Endpoint, envEndpoint}, {"api_key", cfg.APIKey, envAPIKey}} {
		if a.value.IsUnknown() {
			diags.AddAttributeError(path.Root(a.name), "Unknown Keymate provider "+a.name,
				fmt.Sprintf("The provider cannot create the Keymate API client because %s is unknown until apply "+
					"(it comes from another resource). Set it to a known value, or leave it out and use the %s environment variable.",
					a.name, a.env))
		}
	}
	if diags.HasError() {
		return providerSettings{}, diags
	}
	p.fromEnvironment(ctx, &cfg, &diags)
	if cfg.Endpoint.ValueString() == "" {
		diags.AddAttributeError(path.Root("endpoint"), "Missing Keymate API endpoint",
			"Set the endpoint argument or the "+envEndpoint+" environment variable to the base URL of the Keymate API, "+
				"for example https://keymate.example.com.")
	}
	if cfg.APIKey.ValueString() == "" {
		diags.AddAttributeError(path.Root("api_key"), "Missing Keymate API key",
			"Set the api_key argument or the "+envAPIKey+" environment variable to the secret of a Keymate API key.")
	}
	if diags.HasError() {
		return providerSettings{}, diags
	}
	if plaintextRemote(cfg.Endpoint.ValueString()) {
		diags.AddAttributeWarning(path.Root("endpoint"), "Keymate endpoint without TLS",
			"The endpoint is a plain http:// URL to a host that is not loopback: the API key and every secret the provider "+
				"sends or receives cross the network unencrypted. Use an https:// endpoint (start keymate-server with "+
				"--tls-cert and --tls-key, or put it behind a TLS-terminating proxy).")
	}

	userAgent := "terraform-provider-keymate/" + p.version + " (+https://registry.terraform.io/providers/keymate/keymate)"
	if terraformVersion != "" {
		userAgent += " Terraform/" + terraformVersion
	}
	maxRetries := int64(defaultMaxRetries)
	if !cfg.MaxRetries.IsNull() && !cfg.MaxRetries.IsUnknown() {
		maxRetries = cfg.MaxRetries.ValueInt64()
	}
	policy := policyWarn
	if !cfg.Policy.IsNull() && !cfg.Policy.IsUnknown() {
		policy = policyMode(cfg.Policy.ValueString())
	}
	return providerSettings{
		client: client.Config{
			Endpoint:       cfg.Endpoint.ValueString(),
			APIKey:         cfg.APIKey.ValueString(),
			UserAgent:      userAgent,
			MaxRetries:     int(maxRetries),
			RequestTimeout: durationOr(cfg.RequestTimeout, client.DefaultRequestTimeout),
			MaxRetryWait:   durationOr(cfg.MaxRetryWait, client.DefaultMaxRetryWait),
		},
		policy: policy,
	}, diags
}

// fromEnvironment sets every argument that cfg leaves null to its
// environment variable's value, when that is not empty, and checks it with
// the argument's own validators: an error names the variable.
func (p *keymateProvider) fromEnvironment(ctx context.Context, cfg *providerModel, diags *diag.Diagnostics) {
	var schemaResp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &schemaResp)
	for _, a := range cfg.arguments() {
		raw := p.getenv(a.env)
		if raw == "" {
			continue
		}
		var found diag.Diagnostics
		attrPath := path.Root(a.name)
		switch attribute := schemaResp.Schema.Attributes[a.name].(type) {
		case schema.StringAttribute:
			if !a.text.IsNull() {
				continue
			}
			*a.text = types.StringValue(raw)
			for _, v := range attribute.Validators {
				var r validator.StringResponse
				v.ValidateString(ctx, validator.StringRequest{Path: attrPath, PathExpression: attrPath.Expression(), ConfigValue: *a.text}, &r)
				found.Append(r.Diagnostics...)
			}
		case schema.Int64Attribute:
			if !a.num.IsNull() {
				continue
			}
			n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
			if err != nil {
				found.AddAttributeError(attrPath, "Invalid "+a.name, fmt.Sprintf("%q is not a whole number.", raw))
				break
			}
			*a.num = types.Int64Value(n)
			for _, v := range attribute.Validators {
				var r validator.Int64Response
				v.ValidateInt64(ctx, validator.Int64Request{Path: attrPath, PathExpression: attrPath.Expression(), ConfigValue: *a.num}, &r)
				found.Append(r.Diagnostics...)
			}
		}
		for _, d := range found.Errors() {
			diags.AddAttributeError(attrPath, d.Summary(), fmt.Sprintf("%s\n\nThe value comes from the %s environment variable "+
				"(the provider block does not set %s): correct or unset the variable.", d.Detail(), a.env, a.name))
		}
	}
}

// durationOr returns the duration v holds, or def when v is null, unknown
// or not a duration (which the argument's validator reports).
func durationOr(v types.String, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(v.ValueString()); err == nil && !v.IsNull() && !v.IsUnknown() {
		return d
	}
	return def
}

// plaintextRemote reports whether endpoint sends requests unencrypted to
// another host: an http:// URL whose host is not loopback.
func plaintextRemote(endpoint string) bool {
	u, err := url.Parse(endpoint)
	return err == nil && strings.EqualFold(u.Scheme, "http") && !apiv1.IsLoopbackHost(u.Hostname())
}

func (p *keymateProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newAPIKeyResource, newAccessGrantResource, newBackupScheduleResource, newNotificationChannelResource, newAlertRuleResource}
}

func (p *keymateProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newAPIKeyDataSource, newAccessGrantsDataSource, newBackupRunsDataSource, newAuditEventsDataSource, newNotificationChannelDataSource, newAlertRulesDataSource, newComplianceReportDataSource,
		newAPIKeyUsageDataSource, newAlertIncidentsDataSource}
}

func (p *keymateProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{newAPIKeyEphemeralResource}
}

func (p *keymateProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{newAPIKeyListResource, newAccessGrantListResource, newBackupScheduleListResource, newNotificationChannelListResource, newAlertRuleListResource}
}

func (p *keymateProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{newAPIKeyRotateAction, newNotificationChannelTestAction, newBackupRunAction, newAccessReviewAction}
}

func (p *keymateProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{newSecretFingerprintFunction}
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

// What each docs page says its state holds and which Terraform it needs,
// appended to every resource's and data source's description so that
// auditors and operators read it on every page.
const (
	resourceStateNote = "\n\n**In state:** every attribute on this page is stored in the Terraform state: in plain text " +
		"unless marked Sensitive (hidden from plan output, but still stored). Write-only arguments (`*_wo`) are never stored." +
		"\n\n**Requires** Terraform 1.11 or later, or OpenTofu 1.11 or later (write-only arguments). Importing by resource " +
		"identity (`import { identity = { id = \"...\" } }`) requires Terraform 1.12 or later, or OpenTofu 1.12 or later; " +
		"listing existing objects with `terraform query` requires Terraform 1.14 or later."
	dataSourceStateNote = "\n\n**In state:** every attribute on this page is stored in the Terraform state; none holds a secret " +
		"(secrets appear only as fingerprints).\n\n**Requires** Terraform 1.11 or later, or OpenTofu 1.11 or later."
)
