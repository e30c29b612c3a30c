package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ datasource.DataSource              = (*apiKeyUsageDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*apiKeyUsageDataSource)(nil)
)

func newAPIKeyUsageDataSource() datasource.DataSource {
	return &apiKeyUsageDataSource{dataSourceBase{typeName: "api_key_usage"}}
}

type apiKeyUsageDataSource struct{ dataSourceBase }

type apiKeyUsageDataSourceModel struct {
	KeyID    types.String      `tfsdk:"key_id"`
	Window   types.String      `tfsdk:"window"`
	Since    types.String      `tfsdk:"since"`
	Until    types.String      `tfsdk:"until"`
	Requests types.Int64       `tfsdk:"requests"`
	Errors   types.Int64       `tfsdk:"errors"`
	Routes   []routeUsageModel `tfsdk:"routes"`
}

type routeUsageModel struct {
	Route    types.String `tfsdk:"route"`
	Requests types.Int64  `tfsdk:"requests"`
	Errors   types.Int64  `tfsdk:"errors"`
}

func (d *apiKeyUsageDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	count := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "What a Keymate API key did over a recent window: its requests per route, from the server's own " +
			"counters (the security guide's \"Monitor service usage\" and \"Monitor access patterns\"). The server counts every " +
			"request a key authenticates, also those refused for a missing scope or throttled, per route and hour, in its database " +
			"(the counts of every server sharing it add up); it writes them about once a minute and keeps them 90 days. " +
			"Needs the `keys:read` scope: what a key does is guarded like the key." + dataSourceStateNote,
		Attributes: map[string]schema.Attribute{
			"key_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the API key, such as `keymate_api_key.payments.id`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"window": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: fmt.Sprintf("How far back to count, as a Go duration from `%s` to `%s` (90 days); defaults to `%s`. "+
					"Counts are kept per hour, so the window starts at the beginning of the hour it reaches into (`since`).",
					shortDuration(apiv1.MinUsageWindow), shortDuration(apiv1.UsageRetention), shortDuration(apiv1.DefaultUsageWindow)),
				Validators: []validator.String{validators.DurationBetween(apiv1.MinUsageWindow, apiv1.UsageRetention)},
			},
			"since":    computedString("The start of the first hour counted (RFC 3339, UTC)."),
			"until":    computedString("The server's time of the reading (RFC 3339, UTC)."),
			"requests": count("Requests made with the key in the window."),
			"errors":   count("Of those, the requests answered with a status of 400 or more (a missing scope, a rate limit, an invalid request, a failure)."),
			"routes": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "One entry per route the key requested in the window, sorted by route.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"route":    computedString("The method and path pattern, such as `GET /v1/api-keys/{id}`."),
						"requests": count("Requests to the route."),
						"errors":   count("Of those, the requests answered with a status of 400 or more."),
					},
				},
			},
		},
	}
}

func (d *apiKeyUsageDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg apiKeyUsageDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	op := operation{verb: "read", object: "Keymate API key usage", scope: apiv1.ScopeKeysRead}
	if cfg.Window.IsNull() {
		cfg.Window = types.StringValue(shortDuration(apiv1.DefaultUsageWindow))
	}
	usage, err := d.data.client.GetAPIKeyUsage(ctx, cfg.KeyID.ValueString(), cfg.Window.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("key_id"), op.summary(),
			fmt.Sprintf("No Keymate API key has id %q. Check the id (it looks like %s...).", cfg.KeyID.ValueString(), apiKeys.idPrefix))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(op.diagnostics(err, map[string]string{"window": "window"})...)
		return
	}
	cfg.Since, cfg.Until = timeString(usage.Since), timeString(usage.Until)
	cfg.Requests, cfg.Errors = types.Int64Value(usage.Requests), types.Int64Value(usage.Errors)
	cfg.Routes = make([]routeUsageModel, len(usage.Routes))
	for i, r := range usage.Routes {
		cfg.Routes[i] = routeUsageModel{Route: types.StringValue(r.Route), Requests: types.Int64Value(r.Requests), Errors: types.Int64Value(r.Errors)}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
