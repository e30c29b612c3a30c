package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
)

var (
	_ datasource.DataSource                     = (*notificationChannelDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*notificationChannelDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*notificationChannelDataSource)(nil)
)

func newNotificationChannelDataSource() datasource.DataSource {
	return &notificationChannelDataSource{lookupBase[apiv1.NotificationChannel]{dataSourceBase{typeName: "notification_channel"}, notificationChannels}}
}

type notificationChannelDataSource struct {
	lookupBase[apiv1.NotificationChannel]
}

type notificationChannelDataSourceModel struct {
	ID             types.String            `tfsdk:"id"`
	Name           types.String            `tfsdk:"name"`
	Type           types.String            `tfsdk:"type"`
	Enabled        types.Bool              `tfsdk:"enabled"`
	Webhook        *webhookSettingsModel   `tfsdk:"webhook"`
	Slack          *slackSettingsModel     `tfsdk:"slack"`
	PagerDuty      *pagerDutySettingsModel `tfsdk:"pagerduty"`
	Email          *emailChannelModel      `tfsdk:"email"`
	LastTestAt     types.String            `tfsdk:"last_test_at"`
	LastTestStatus types.String            `tfsdk:"last_test_status"`
	LastTestError  types.String            `tfsdk:"last_test_error"`
	CreatedAt      types.String            `tfsdk:"created_at"`
	UpdatedAt      types.String            `tfsdk:"updated_at"`
	Version        types.Int64             `tfsdk:"version"`
}

type webhookSettingsModel struct {
	URL                      types.String `tfsdk:"url"`
	URLFingerprint           types.String `tfsdk:"url_fingerprint"`
	URLHidden                types.Bool   `tfsdk:"url_hidden"`
	Host                     types.String `tfsdk:"host"`
	HeaderNames              types.List   `tfsdk:"header_names"`
	HeadersFingerprint       types.String `tfsdk:"headers_fingerprint"`
	SigningSecretFingerprint types.String `tfsdk:"signing_secret_fingerprint"`
}

type slackSettingsModel struct {
	Channel               types.String `tfsdk:"channel"`
	WebhookURLFingerprint types.String `tfsdk:"webhook_url_fingerprint"`
}

type pagerDutySettingsModel struct {
	EventsURL             types.String `tfsdk:"events_url"`
	EventsURLFingerprint  types.String `tfsdk:"events_url_fingerprint"`
	RoutingKeyFingerprint types.String `tfsdk:"routing_key_fingerprint"`
}

func (d *notificationChannelDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	fingerprint := func(what string) schema.StringAttribute {
		return computedString("`sha256:` and the first 16 hex digits of the SHA-256 of the " + what + "; `\"\"` when there is none. " +
			"Changes when the secret changes.")
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a Keymate notification channel by `id` or by `name` (exactly one), with the outcome of its " +
			"last test notification. Secrets are never returned, only their fingerprints." + dataSourceStateNote,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Channel id, such as `nc_...`. Set exactly one of `id` and `name`.",
			},
			"name": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Channel name, matched exactly. Set exactly one of `id` and `name`; several channels with the name are an error.",
			},
			"type":    computedString("`webhook`, `slack`, `pagerduty` or `email`."),
			"enabled": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether alert notifications are delivered through the channel."},
			"webhook": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Settings of a `webhook` channel; null for other types.",
				Attributes: map[string]schema.Attribute{
					"url": computedString("URL the notifications are posted to, with its credentials masked: the userinfo " +
						"password and every query value read `" + apiv1.URLMask + "`. Empty when `url_hidden`."),
					"url_fingerprint": fingerprint("whole URL, masked parts included"),
					"url_hidden": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the URL is hidden " +
						"(set through the resource's `url_wo`): the API then shows only its `host`."},
					"host": computedString("Host (and port) of the URL."),
					"header_names": schema.ListAttribute{
						Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Names of the configured extra headers, sorted (their values are secret).",
					},
					"headers_fingerprint":        fingerprint("canonical JSON of the headers"),
					"signing_secret_fingerprint": fingerprint("signing secret"),
				},
			},
			"slack": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Settings of a `slack` channel; null for other types.",
				Attributes: map[string]schema.Attribute{
					"channel":                 computedString("Slack channel or user."),
					"webhook_url_fingerprint": fingerprint("incoming webhook URL"),
				},
			},
			"pagerduty": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Settings of a `pagerduty` channel; null for other types.",
				Attributes: map[string]schema.Attribute{
					"events_url":              computedString("Events API v2 endpoint, its credentials masked: the userinfo's password and every query value read `*****`."),
					"events_url_fingerprint":  fingerprint("whole endpoint, masked parts included"),
					"routing_key_fingerprint": fingerprint("routing key"),
				},
			},
			"email": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Settings of an `email` channel; null for other types.",
				Attributes: map[string]schema.Attribute{
					"addresses": schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Recipients."},
				},
			},
			"last_test_at":     computedString("When the last test notification was sent (RFC 3339, UTC); null if never."),
			"last_test_status": computedString("Outcome of the last test notification: `never`, `succeeded` or `failed`."),
			"last_test_error":  computedString("Why the last test notification failed; `\"\"` unless it failed."),
			"created_at":       computedString("When the channel was created (RFC 3339, UTC)."),
			"updated_at":       computedString("When the channel last changed (RFC 3339, UTC)."),
			"version":          schema.Int64Attribute{Computed: true, MarkdownDescription: "Object version, incremented by every change."},
		},
	}
}

func (d *notificationChannelDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg notificationChannelDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	op := d.kind.op("read")
	var ch *apiv1.NotificationChannel
	if !cfg.ID.IsNull() {
		if ch = d.readByID(ctx, cfg.ID, &resp.Diagnostics); ch == nil {
			return
		}
	} else {
		channels, err := d.data.client.ListNotificationChannels(ctx, client.ListNotificationChannelsOptions{})
		if err != nil {
			resp.Diagnostics.Append(op.diagnostics(err, nil)...)
			return
		}
		var ids []string
		for i := range channels {
			if channels[i].Name == cfg.Name.ValueString() {
				ch = &channels[i]
				ids = append(ids, channels[i].ID)
			}
		}
		switch {
		case len(ids) == 0:
			resp.Diagnostics.AddAttributeError(path.Root("name"), op.summary(),
				fmt.Sprintf("No Keymate notification channel is named %q. Names are matched exactly.", cfg.Name.ValueString()))
			return
		case len(ids) > 1:
			resp.Diagnostics.AddAttributeError(path.Root("name"), op.summary(),
				fmt.Sprintf("%d Keymate notification channels are named %q (%s); look the channel up by id instead.",
					len(ids), cfg.Name.ValueString(), strings.Join(ids, ", ")))
			return
		}
	}
	state, diags := notificationChannelDataSourceModelFrom(ctx, ch)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// notificationChannelDataSourceModelFrom maps a channel into the data
// source model.
func notificationChannelDataSourceModelFrom(ctx context.Context, ch *apiv1.NotificationChannel) (notificationChannelDataSourceModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	m := notificationChannelDataSourceModel{
		ID:             types.StringValue(ch.ID),
		Name:           types.StringValue(ch.Name),
		Type:           types.StringValue(ch.Type),
		Enabled:        types.BoolValue(ch.Enabled),
		LastTestAt:     timePointerString(ch.LastTestAt),
		LastTestStatus: types.StringValue(ch.LastTestStatus),
		LastTestError:  types.StringValue(ch.LastTestError),
		CreatedAt:      timeString(ch.CreatedAt),
		UpdatedAt:      timeString(ch.UpdatedAt),
		Version:        types.Int64Value(ch.Version),
	}
	switch {
	case ch.Webhook != nil:
		names, d := types.ListValueFrom(ctx, types.StringType, ch.Webhook.HeaderNames)
		diags.Append(d...)
		m.Webhook = &webhookSettingsModel{
			URL:                      types.StringValue(ch.Webhook.URL),
			URLFingerprint:           types.StringValue(ch.Webhook.URLFingerprint),
			URLHidden:                types.BoolValue(ch.Webhook.URLHidden),
			Host:                     types.StringValue(ch.Webhook.Host),
			HeaderNames:              names,
			HeadersFingerprint:       types.StringValue(ch.Webhook.HeadersFingerprint),
			SigningSecretFingerprint: types.StringValue(ch.Webhook.SigningSecretFingerprint),
		}
	case ch.Slack != nil:
		m.Slack = &slackSettingsModel{
			Channel:               types.StringValue(ch.Slack.Channel),
			WebhookURLFingerprint: types.StringValue(ch.Slack.WebhookURLFingerprint),
		}
	case ch.PagerDuty != nil:
		m.PagerDuty = &pagerDutySettingsModel{
			EventsURL:             types.StringValue(ch.PagerDuty.EventsURL),
			EventsURLFingerprint:  types.StringValue(ch.PagerDuty.EventsURLFingerprint),
			RoutingKeyFingerprint: types.StringValue(ch.PagerDuty.RoutingKeyFingerprint),
		}
	case ch.Email != nil:
		addresses, d := types.SetValueFrom(ctx, types.StringType, ch.Email.Addresses)
		diags.Append(d...)
		m.Email = &emailChannelModel{Addresses: addresses}
	}
	return m, diags
}
