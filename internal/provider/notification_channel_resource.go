package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ resource.Resource                     = (*notificationChannelResource)(nil)
	_ resource.ResourceWithConfigure        = (*notificationChannelResource)(nil)
	_ resource.ResourceWithConfigValidators = (*notificationChannelResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*notificationChannelResource)(nil)
	_ resource.ResourceWithImportState      = (*notificationChannelResource)(nil)
	_ resource.ResourceWithIdentity         = (*notificationChannelResource)(nil)
	_ apiModel[apiv1.NotificationChannel]   = (*notificationChannelResourceModel)(nil)
)

// privateChannelFingerprintsKey names the private-state entry holding, per
// secret attribute ("webhook.signing_secret", "webhook.headers",
// "slack.webhook_url", "pagerduty.routing_key"), the API's fingerprint of
// the value the provider last set ("" for none). Read compares it with the
// API's current fingerprint to notice a secret changed outside Terraform,
// also when the secret is write-only and so not in state.
const privateChannelFingerprintsKey = "applied_channel_fingerprints"

// Secret attributes of channels, as private-state keys.
const (
	secretWebhookURL           = "webhook.url"
	secretWebhookSigningSecret = "webhook.signing_secret"
	secretWebhookHeaders       = "webhook.headers"
	secretSlackWebhookURL      = "slack.webhook_url"
	secretPagerDutyRoutingKey  = "pagerduty.routing_key"
)

// notificationChannelFields maps API request fields to the attributes that
// set them, for validation errors.
var notificationChannelFields = map[string]string{
	"name": "name", "type": "type", "enabled": "enabled",
	"webhook": "webhook", "slack": "slack", "pagerduty": "pagerduty", "email": "email",
}

// notificationChannels are the notification channels. An imported channel
// has no secrets in state: the API never returns them. The next plan shows the
// configured secrets as an update, which sends them.
var notificationChannels = objectKind[apiv1.NotificationChannel]{
	typeName: "notification_channel", object: "notification channel", idPrefix: "nc_", collection: apiv1.CollectionNotificationChannels,
	readScope: apiv1.ScopeChannelsRead, writeScope: apiv1.ScopeChannelsWrite, removeVerb: "delete", fields: notificationChannelFields,
	id:   func(ch *apiv1.NotificationChannel) string { return ch.ID },
	name: func(ch *apiv1.NotificationChannel) string { return ch.Name },
	get:  (*client.Client).GetNotificationChannel, refresh: (*client.Client).RefreshNotificationChannel,
	remove: (*client.Client).DeleteNotificationChannel, removeFailed: channelDeleteFailed,
}

func newNotificationChannelResource() resource.Resource {
	return &notificationChannelResource{resourceBase[apiv1.NotificationChannel]{kind: notificationChannels}}
}

type notificationChannelResource struct {
	resourceBase[apiv1.NotificationChannel]
}

type notificationChannelResourceModel struct {
	ID              types.String           `tfsdk:"id"`
	Name            types.String           `tfsdk:"name"`
	Type            types.String           `tfsdk:"type"`
	Enabled         types.Bool             `tfsdk:"enabled"`
	Webhook         *webhookChannelModel   `tfsdk:"webhook"`
	Slack           *slackChannelModel     `tfsdk:"slack"`
	PagerDuty       *pagerDutyChannelModel `tfsdk:"pagerduty"`
	Email           *emailChannelModel     `tfsdk:"email"`
	SendTestOnApply types.Bool             `tfsdk:"send_test_on_apply"`
}

type webhookChannelModel struct {
	URL                    types.String `tfsdk:"url"`
	URLWO                  types.String `tfsdk:"url_wo"`
	URLWOVersion           types.Int64  `tfsdk:"url_wo_version"`
	Headers                types.Map    `tfsdk:"headers"`
	SigningSecret          types.String `tfsdk:"signing_secret"`
	SigningSecretWO        types.String `tfsdk:"signing_secret_wo"`
	SigningSecretWOVersion types.Int64  `tfsdk:"signing_secret_wo_version"`
}

type slackChannelModel struct {
	WebhookURL          types.String `tfsdk:"webhook_url"`
	WebhookURLWO        types.String `tfsdk:"webhook_url_wo"`
	WebhookURLWOVersion types.Int64  `tfsdk:"webhook_url_wo_version"`
	Channel             types.String `tfsdk:"channel"`
}

type pagerDutyChannelModel struct {
	RoutingKey          types.String `tfsdk:"routing_key"`
	RoutingKeyWO        types.String `tfsdk:"routing_key_wo"`
	RoutingKeyWOVersion types.Int64  `tfsdk:"routing_key_wo_version"`
	EventsURL           types.String `tfsdk:"events_url"`
}

type emailChannelModel struct {
	Addresses types.Set `tfsdk:"addresses"`
}

// secretAttributes returns the schema of a secret argument named name, its
// write-only alternative name_wo and the trigger name_wo_version; what
// describes the secret and v validates both spellings of it. At most one of
// name and name_wo may be set; ModifyPlan requires one where the channel type
// needs the secret (requiredChannelSecrets).
func secretAttributes(name, what string, v ...validator.String) map[string]schema.Attribute {
	wo, version := name+"_wo", name+"_wo_version"
	sibling := func(n string) path.Expression { return path.MatchRelative().AtParent().AtName(n) }
	oneOf := stringvalidator.ConflictsWith(sibling(wo))
	return map[string]schema.Attribute{
		name: schema.StringAttribute{
			Optional:  true,
			Sensitive: true,
			MarkdownDescription: fmt.Sprintf("%s Sensitive; stored in state. Conflicts with `%s`. The API never returns it, only "+
				"a fingerprint: when the secret is changed outside Terraform, the next plan shows an update that sets it back. "+
				"Null after `terraform import`.", what, wo),
			Validators: append([]validator.String{oneOf}, v...),
		},
		wo: schema.StringAttribute{
			Optional:  true,
			WriteOnly: true,
			MarkdownDescription: fmt.Sprintf("Write-only alternative to `%s`: never stored in state or plan (requires Terraform 1.11). "+
				"Sent on create and whenever `%s` changes; requires `%s`.", name, version, version),
			Validators: append([]validator.String{stringvalidator.AlsoRequires(sibling(version))}, v...),
		},
		version: schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Version of `%s`. Change it (for example increment it) to send the current `%s` value; "+
				"Terraform cannot see changes to a write-only value on its own. Requires `%s`. When the secret is changed outside "+
				"Terraform, the next plan shows this attribute changing so that the configured secret is sent again.", wo, wo, wo),
			Validators: []validator.Int64{int64validator.AlsoRequires(sibling(wo))},
		},
	}
}

// webhookURLAttributes returns the schema of a webhook's url and of its
// write-only alternative url_wo with url_wo_version (secretAttributes), for a
// URL whose path is its secret.
func webhookURLAttributes() map[string]schema.Attribute {
	attrs := secretAttributes("url", "", validators.HTTPURL())
	attrs["url"] = schema.StringAttribute{
		Optional:  true,
		Sensitive: true,
		MarkdownDescription: "URL the JSON notifications are posted to (http or https). It may carry credentials: a userinfo " +
			"password (`https://user:password@host/...`) or query values (`?token=...`). Sensitive, so that they stay out of " +
			"plan output; stored in state as written. The API treats the userinfo password and every query value as " +
			"secrets: it returns the URL with each of them replaced by `" + apiv1.URLMask + "`, and a fingerprint of the whole " +
			"URL, so a URL changed outside Terraform shows as an update that sets it back. Null after `terraform import`, " +
			"like every secret. Changing it sends the configured `headers` and signing secret again, which the API requires " +
			"with a new destination. One of `url` and `url_wo` is required, except on a channel imported without either: " +
			"Terraform then leaves the URL the API holds as it is until one is set. Conflicts with `url_wo`.",
		Validators: []validator.String{
			stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("url_wo")),
			validators.HTTPURL(),
		},
	}
	attrs["url_wo"] = withDescription(attrs["url_wo"], "Write-only alternative to `url`, for a URL whose path is its "+
		"secret (Discord, Microsoft Teams and other incoming webhook URLs): never stored in state or plan (requires "+
		"Terraform 1.11), and the API never returns it, only its host. Sent on create and whenever `url_wo_version` "+
		"changes; requires `url_wo_version`.")
	return attrs
}

// withDescription returns the string attribute a with another description.
func withDescription(a schema.Attribute, description string) schema.Attribute {
	s := a.(schema.StringAttribute) //nolint:forcetypeassert // secretAttributes makes string attributes.
	s.MarkdownDescription = description
	return s
}

// withAttributes merges attribute maps.
func withAttributes(maps ...map[string]schema.Attribute) map[string]schema.Attribute {
	out := map[string]schema.Attribute{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func (r *notificationChannelResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Keymate notification channel: where alert rules send their notifications (a signed webhook, " +
			"Slack, PagerDuty or email).\n\n" +
			"Set `type` and exactly the settings object of that type. Secrets (the webhook's `signing_secret` and `headers`, " +
			"Slack's `webhook_url`, PagerDuty's `routing_key`) are sensitive and each has a write-only alternative " +
			"(`<secret>_wo` with `<secret>_wo_version`), so that no channel secret need be stored in state. The API never " +
			"returns secrets, only fingerprints; a secret changed outside Terraform shows as an update in the next plan. " +
			"A webhook's `url` may carry credentials (a userinfo password, query values): it is sensitive, and the API " +
			"returns it with those parts masked; a URL whose path is its secret goes in `url_wo` (with `url_wo_version`), " +
			"of which the API shows only the host.\n\n" +
			"Webhook deliveries are JSON `POST`s carrying `" + apiv1.HeaderEvent + "` (`test`, `alert.opened`, `alert.renotify`, " +
			"`alert.resolved`) and, with a signing secret, `" + apiv1.HeaderSignature + ": t=<unix seconds>,v1=<hex HMAC-SHA256 of " +
			"\"<t>.<body>\" under the secret>`. Receivers should verify the signature and reject timestamps older than " +
			"5 minutes.\n\n" +
			"With `send_test_on_apply = true` every create and update sends a test notification and fails the apply, naming " +
			"the delivery error, when it does not arrive.\n\n" +
			"The server delivers only to destinations its policy allows, checked when it connects, after resolving the host " +
			"name: loopback, private, link-local, unique-local, multicast and unspecified addresses are refused unless the " +
			"server runs with `--destination-allow CIDR,...` or `--allow-private-destinations`. A URL whose host is such an " +
			"address fails the apply with an error naming the attribute. Redirects are not followed, and a failed test " +
			"reports the receiver's status code, never its answer.\n\n" +
			"A new destination takes the secrets again: the API refuses to change a webhook's `url` or a PagerDuty " +
			"`events_url` unless the same request sends the channel's secrets (signing secret and headers, routing key), so " +
			"that a stored secret never reaches a destination set after it. The provider does this for you: when a " +
			"destination changes, it sends the configured secrets along, write-only ones (`*_wo`) read from the " +
			"configuration, so keep them in the configuration. A webhook's signing secret or headers that the configuration " +
			"leaves out (for example on an imported channel) are removed when its `url` changes, as unsigned deliveries " +
			"without headers are what such a configuration describes. Slack's destination is its `webhook_url`, itself the secret." +
			resourceStateNote,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Channel id, such as `nc_...`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: fmt.Sprintf("Name of the channel, 1 to %d characters. Can be changed in place.", apiv1.MaxNameLength),
				Validators:          []validator.String{validators.Text(apiv1.NameRule)},
			},
			"type": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "One of `webhook`, `slack`, `pagerduty` and `email`; the settings object of the same name must be " +
					"set and no other. The API cannot change a channel's type: changing it replaces the channel.",
				Validators:    []validator.String{stringvalidator.OneOf(apiv1.ChannelTypes...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"enabled": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Whether alert notifications are delivered through the channel. Defaults to `true`.",
			},
			"webhook": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Settings of a `webhook` channel.",
				Attributes: withAttributes(webhookURLAttributes(), map[string]schema.Attribute{
					"headers": schema.MapAttribute{
						Optional:    true,
						Sensitive:   true,
						ElementType: types.StringType,
						MarkdownDescription: fmt.Sprintf("Extra HTTP headers sent with every delivery, for example an `Authorization` "+
							"header, at most %d. Sensitive; stored in state. The API returns only the header names and a fingerprint of "+
							"the values; headers changed outside Terraform show as an update in the next plan. The headers the "+
							"server sets itself (`%s`) cannot be configured. Null after `terraform import`.",
							apiv1.MaxWebhookHeaders, strings.Join(apiv1.ReservedWebhookHeaders, "`, `")),
						Validators: []validator.Map{
							mapvalidator.SizeAtMost(apiv1.MaxWebhookHeaders),
							mapvalidator.KeysAre(validators.HeaderName()),
							validators.DistinctHeaderNames(),
							mapvalidator.ValueStringsAre(validators.HeaderValue()),
						},
					},
				}, secretAttributes("signing_secret", fmt.Sprintf("Secret the server signs every delivery with "+
					"(header `%s`), at least %d characters without whitespace. Leave it and `signing_secret_wo` out for unsigned "+
					"deliveries.", apiv1.HeaderSignature, apiv1.MinSigningSecretLength),
					validators.Secret(apiv1.MinSigningSecretLength))),
			},
			"slack": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Settings of a `slack` channel, posting to a Slack incoming webhook.",
				Attributes: withAttributes(map[string]schema.Attribute{
					"channel": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "Slack channel such as `#alerts`, or user such as `@oncall`: 2 to 80 characters, no spaces.",
						Validators:          []validator.String{validators.Text(apiv1.SlackChannelRule)},
					},
				}, secretAttributes("webhook_url", "Slack incoming webhook URL (https; plain http only for loopback hosts). "+
					"One of `webhook_url` and `webhook_url_wo` is required, except on a channel imported without either: Terraform "+
					"then leaves the URL the API holds as it is until one is set.",
					validators.HTTPSURL(),
				)),
			},
			"pagerduty": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Settings of a `pagerduty` channel, sending PagerDuty Events API v2 events (trigger on open, resolve on resolve).",
				Attributes: withAttributes(map[string]schema.Attribute{
					"events_url": schema.StringAttribute{
						Optional:  true,
						Computed:  true,
						Sensitive: true,
						Default:   stringdefault.StaticString(apiv1.DefaultPagerDutyEventURL),
						MarkdownDescription: "Events API v2 endpoint (https; plain http only for loopback hosts). Defaults to `" + apiv1.DefaultPagerDutyEventURL + "`. " +
							"Changing it sends the configured routing key again, which the API requires with a new destination. Sensitive, as " +
							"credentials in it (the userinfo's password, query values) are secrets: the API shows them masked, and Terraform " +
							"compares the fingerprint of the whole URL to see a change made outside it. After import it is the URL the API " +
							"shows, masked, so that a plan sends a configured URL with credentials again.",
						Validators: []validator.String{validators.HTTPSURL()},
					},
				}, secretAttributes("routing_key", fmt.Sprintf("PagerDuty integration (routing) key, %d letters and digits. "+
					"One of `routing_key` and `routing_key_wo` is required, except on a channel imported without either: Terraform "+
					"then leaves the key the API holds as it is until one is set.", apiv1.PagerDutyRoutingKeyLen),
					validators.RoutingKey(),
				)),
			},
			"email": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Settings of an `email` channel, sent through the server's SMTP relay (`--smtp-addr`).",
				Attributes: map[string]schema.Attribute{
					"addresses": schema.SetAttribute{
						Required:            true,
						ElementType:         types.StringType,
						MarkdownDescription: fmt.Sprintf("Recipients, 1 to %d email addresses such as `oncall@example.com`.", apiv1.MaxEmailAddresses),
						Validators: []validator.Set{
							setvalidator.SizeBetween(1, apiv1.MaxEmailAddresses),
							setvalidator.ValueStringsAre(validators.Email()),
						},
					},
				},
			},
			"send_test_on_apply": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "When `true`, every create and update sends a test notification through the channel and fails " +
					"the apply with the delivery error when it is not delivered (the channel is saved either way; a channel that " +
					"failed its test on create is tainted and replaced by the next apply). Defaults to `false`. Terraform-side only.",
			},
		},
	}
}

func (r *notificationChannelResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{channelSettingsValidator{
		"exactly the settings object named by type (webhook, slack, pagerduty or email) must be set"}}
}

// ModifyPlan requires the secret a channel cannot work without (a webhook's
// url, Slack's webhook_url, PagerDuty's routing_key, or its write-only
// alternative), unless
// the state holds the channel without it: a channel imported without it, whose
// secret Terraform leaves as the API holds it until one is configured. A
// PagerDuty channel held so cannot change its events_url without its key,
// which the API requires with a new destination.
func (r *notificationChannelResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	// An email channel has no secret to require: it is not converted at all,
	// and of the others only the settings object is.
	var webhook, stateWebhook *webhookChannelModel
	var slack, stateSlack *slackChannelModel
	var pagerDuty, statePagerDuty *pagerDutyChannelModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("webhook"), &webhook)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("slack"), &slack)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("pagerduty"), &pagerDuty)...)
	if resp.Diagnostics.HasError() || (webhook == nil && slack == nil && pagerDuty == nil) {
		return
	}
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("webhook"), &stateWebhook)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("slack"), &stateSlack)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("pagerduty"), &statePagerDuty)...)
	}
	var eventsURL types.String
	if pagerDuty != nil {
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("pagerduty").AtName("events_url"), &eventsURL)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	// heldWithout says whether the state holds the channel without the secret
	// and the plan keeps its destination.
	require := func(settings, name, what string, value, writeOnly types.String, heldWithout bool) {
		if !value.IsNull() || !writeOnly.IsNull() || heldWithout {
			return
		}
		resp.Diagnostics.AddAttributeError(path.Root(settings).AtName(name), "Missing "+what,
			fmt.Sprintf("A %s channel needs its %s: set %s, or %s_wo with %s_wo_version. Only a channel imported without "+
				"either may leave both out, while its destination stays; Terraform then keeps the %s the API holds.",
				settings, what, name, name, name, what))
	}
	if c, s := webhook, stateWebhook; c != nil {
		require("webhook", "url", "URL", c.URL, c.URLWO, s != nil && s.URL.IsNull() && s.URLWOVersion.IsNull())
	}
	if c, s := slack, stateSlack; c != nil {
		require("slack", "webhook_url", "webhook URL", c.WebhookURL, c.WebhookURLWO,
			s != nil && s.WebhookURL.IsNull() && s.WebhookURLWOVersion.IsNull())
	}
	if c, s := pagerDuty, statePagerDuty; c != nil {
		require("pagerduty", "routing_key", "routing key", c.RoutingKey, c.RoutingKeyWO,
			s != nil && s.RoutingKey.IsNull() && s.RoutingKeyWOVersion.IsNull() && eventsURL.Equal(s.EventsURL))
	}
}

func (r *notificationChannelResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config notificationChannelResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := apiv1.CreateNotificationChannelRequest{
		Name:    plan.Name.ValueString(),
		Type:    plan.Type.ValueString(),
		Enabled: plan.Enabled.ValueBoolPointer(),
	}
	switch {
	case plan.Webhook != nil:
		headers, diags := stringMap(ctx, plan.Webhook.Headers)
		resp.Diagnostics.Append(diags...)
		url, hidden := webhookURLToSend(config.Webhook, plan.Webhook)
		body.Webhook = &apiv1.WebhookInput{URL: &url, URLHidden: &hidden, Headers: &headers}
		if s := secretToSend(config.Webhook.SigningSecretWO, plan.Webhook.SigningSecret); s != "" {
			body.Webhook.SigningSecret = &s
		}
	case plan.Slack != nil:
		url := secretToSend(config.Slack.WebhookURLWO, plan.Slack.WebhookURL)
		body.Slack = &apiv1.SlackInput{WebhookURL: &url, Channel: plan.Slack.Channel.ValueStringPointer()}
	case plan.PagerDuty != nil:
		key := secretToSend(config.PagerDuty.RoutingKeyWO, plan.PagerDuty.RoutingKey)
		body.PagerDuty = &apiv1.PagerDutyInput{RoutingKey: &key, EventsURL: plan.PagerDuty.EventsURL.ValueStringPointer()}
	case plan.Email != nil:
		addresses, diags := setStrings(ctx, plan.Email.Addresses)
		resp.Diagnostics.Append(diags...)
		body.Email = &apiv1.EmailInput{Addresses: &addresses}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	ch, err := r.data.client.CreateNotificationChannel(ctx, body)
	if err != nil {
		createFailed(ctx, req.Plan, resp, r.kind.op("create"), err, notificationChannelFields)
		return
	}
	saveWritten(ctx, &resp.State, resp.Identity, &resp.Diagnostics, &plan, ch, ch.ID)
	resp.Diagnostics.Append(setAppliedChannelFingerprints(ctx, resp.Private, ch, nil)...)
	if !resp.Diagnostics.HasError() && plan.SendTestOnApply.ValueBool() {
		resp.Diagnostics.Append(r.sendTest(ctx, ch)...)
	}
}

func (r *notificationChannelResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state notificationChannelResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ch, err := getObject(ctx, &r.resourceBase, req.Private, state.ID)
	if stopRead(ctx, resp, r.kind.op("read"), err) {
		return
	}
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, ch.ID)...)
	applied := map[string]string{} // stays empty when unknown, for example after import
	_, diags := getPrivateJSON(ctx, req.Private, privateChannelFingerprintsKey, &applied)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(state.fromAPI(ctx, ch)...)
	drifted, diags := state.planSecretResends(ctx, ch, applied)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	for _, name := range drifted {
		tflog.Info(ctx, "Keymate notification channel secret changed outside Terraform; planning to set it again",
			map[string]any{"id": ch.ID, "attribute": name})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *notificationChannelResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, config notificationChannelResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	// A URL configured on a channel held without one (imported) is a new
	// destination only when it is not the URL the API holds.
	var heldURL string
	if p, s := plan.Webhook, state.Webhook; p != nil && s != nil && s.URL.IsNull() && s.URLWOVersion.IsNull() &&
		(!p.URL.IsNull() || !p.URLWOVersion.IsNull()) {
		ch, err := r.kind.get(r.data.client, ctx, id)
		if err != nil {
			resp.Diagnostics.Append(r.kind.op("read").diagnostics(err, nil)...)
			return
		}
		if ch.Webhook != nil {
			heldURL = ch.Webhook.URLFingerprint
		}
	}
	patch, changed, diags := channelUpdateRequest(ctx, plan, state, config, heldURL)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ch := updated(ctx, &r.resourceBase, id, changed, patch, r.data.client.UpdateNotificationChannel, &resp.Diagnostics)
	if ch == nil {
		return
	}
	saveWritten(ctx, &resp.State, resp.Identity, &resp.Diagnostics, &plan, ch, ch.ID)
	previous := map[string]string{}
	_, diags = getPrivateJSON(ctx, req.Private, privateChannelFingerprintsKey, &previous)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setAppliedChannelFingerprints(ctx, resp.Private, ch, func(name string) bool {
		_, recorded := previous[name]
		return recorded || plan.secretConfigured(name)
	})...)
	if !resp.Diagnostics.HasError() && plan.SendTestOnApply.ValueBool() {
		resp.Diagnostics.Append(r.sendTest(ctx, ch)...)
	}
}

// channelUpdateRequest builds the merge patch holding the API fields that
// differ between plan and state; changed is false when there is none. A
// secret is sent when its value or its _wo_version changed (Read changes one
// of them when the secret was changed outside Terraform), and every secret of
// the channel is sent with a new destination (webhook url, PagerDuty
// events_url), because the API never sends a stored secret to a new
// destination; write-only secrets come from the configuration. Otherwise the
// API keeps the stored secret. heldURL is the fingerprint of the URL the API
// holds for a webhook channel held without one in state, else "": sending
// that URL is no new destination.
func channelUpdateRequest(ctx context.Context, plan, state, config notificationChannelResourceModel, heldURL string) (patch apiv1.UpdateNotificationChannelRequest, changed bool, diags diag.Diagnostics) {
	if !plan.Name.Equal(state.Name) {
		patch.Name, changed = plan.Name.ValueStringPointer(), true
	}
	if !plan.Enabled.Equal(state.Enabled) {
		patch.Enabled, changed = plan.Enabled.ValueBoolPointer(), true
	}
	switch {
	case plan.Webhook != nil && state.Webhook != nil:
		p, s, in := plan.Webhook, state.Webhook, apiv1.WebhookInput{}
		newDestination := secretChanged(p.URL, s.URL, p.URLWOVersion, s.URLWOVersion)
		if newDestination {
			url, hidden := webhookURLToSend(config.Webhook, p)
			in.URL, in.URLHidden = &url, &hidden
			newDestination = apiv1.Fingerprint(url) != heldURL
		}
		if newDestination || !p.Headers.Equal(s.Headers) {
			headers, d := stringMap(ctx, p.Headers)
			diags.Append(d...)
			in.Headers = &headers // an empty map removes every header
		}
		if newDestination || secretChanged(p.SigningSecret, s.SigningSecret, p.SigningSecretWOVersion, s.SigningSecretWOVersion) {
			secret := secretToSend(config.Webhook.SigningSecretWO, p.SigningSecret) // "" removes the secret
			in.SigningSecret = &secret
		}
		if in != (apiv1.WebhookInput{}) {
			patch.Webhook, changed = &in, true
		}
	case plan.Slack != nil && state.Slack != nil:
		p, s, in := plan.Slack, state.Slack, apiv1.SlackInput{}
		if !p.Channel.Equal(s.Channel) {
			in.Channel = p.Channel.ValueStringPointer()
		}
		if secretChanged(p.WebhookURL, s.WebhookURL, p.WebhookURLWOVersion, s.WebhookURLWOVersion) {
			url := secretToSend(config.Slack.WebhookURLWO, p.WebhookURL)
			in.WebhookURL = &url
		}
		if in != (apiv1.SlackInput{}) {
			patch.Slack, changed = &in, true
		}
	case plan.PagerDuty != nil && state.PagerDuty != nil:
		p, s, in := plan.PagerDuty, state.PagerDuty, apiv1.PagerDutyInput{}
		newDestination := !p.EventsURL.Equal(s.EventsURL)
		if newDestination {
			in.EventsURL = p.EventsURL.ValueStringPointer()
		}
		if newDestination || secretChanged(p.RoutingKey, s.RoutingKey, p.RoutingKeyWOVersion, s.RoutingKeyWOVersion) {
			key := secretToSend(config.PagerDuty.RoutingKeyWO, p.RoutingKey)
			in.RoutingKey = &key
		}
		if in != (apiv1.PagerDutyInput{}) {
			patch.PagerDuty, changed = &in, true
		}
	case plan.Email != nil && state.Email != nil:
		if !plan.Email.Addresses.Equal(state.Email.Addresses) {
			addresses, d := setStrings(ctx, plan.Email.Addresses)
			diags.Append(d...)
			patch.Email, changed = &apiv1.EmailInput{Addresses: &addresses}, true
		}
	}
	return patch, changed, diags
}

// secretChanged reports whether a secret must be sent: its value in the plan
// differs from state, or its write-only version changed.
func secretChanged(planValue, stateValue types.String, planVersion, stateVersion types.Int64) bool {
	return !planValue.Equal(stateValue) || !planVersion.Equal(stateVersion)
}

// webhookURLToSend returns the URL to send, the write-only one from the
// configuration when set (hidden: the API then shows only its host), else
// the plan's.
func webhookURLToSend(config, plan *webhookChannelModel) (url string, hidden bool) {
	return secretToSend(config.URLWO, plan.URL), !config.URLWO.IsNull()
}

// secretToSend returns the write-only value when configured, else the
// sensitive value, else "" (no secret).
func secretToSend(writeOnly, value types.String) string {
	if !writeOnly.IsNull() {
		return writeOnly.ValueString()
	}
	return value.ValueString()
}

// sendTest sends a test notification through ch and returns an error
// diagnostic naming the channel and the delivery error when it failed.
func (r *notificationChannelResource) sendTest(ctx context.Context, ch *apiv1.NotificationChannel) diag.Diagnostics {
	var diags diag.Diagnostics
	res, err := r.data.client.TestNotificationChannel(ctx, ch.ID)
	if err != nil {
		return r.kind.op("test").diagnostics(err, nil)
	}
	if res.Status != apiv1.TestStatusSucceeded {
		last := fmt.Sprintf("%d ms", res.LatencyMS)
		if res.HTTPStatus != 0 {
			last = fmt.Sprintf("HTTP status %d in %s", res.HTTPStatus, last)
		}
		diags.AddError(fmt.Sprintf("Test notification through Keymate notification channel %q failed", ch.Name),
			fmt.Sprintf("The %s channel %s (%s) was saved, but its test notification was not delivered after %d attempt(s) "+
				"(the last one: %s): %s\n\n"+
				"Fix the receiver or the channel's settings and apply again, or set send_test_on_apply = false.",
				ch.Type, ch.ID, ch.Name, res.Attempts, last, res.Error))
	}
	return diags
}

// channelDeleteFailed explains a failed delete (op) of channel id: a 409
// says which alert rules still notify it and how to free it.
func channelDeleteFailed(op operation, id string, err error) diag.Diagnostics {
	var apiErr *client.APIError
	if !errors.Is(err, client.ErrConflict) || !errors.As(err, &apiErr) {
		return op.diagnostics(err, nil)
	}
	var diags diag.Diagnostics
	diags.AddError(op.summary(),
		fmt.Sprintf("Alert rules still notify channel %s: %s (request id %s).\n\nRemove the channel from their "+
			"notification_channel_ids first. When the rules are managed by Terraform, reference the channel as "+
			"keymate_notification_channel.<name>.id so that Terraform updates them before deleting it.",
			id, apiErr.Message, requestID(apiErr)))
	return diags
}

// fromAPI copies the API's view of the channel into m: the non-secret
// settings. Secrets and their write-only versions are left as they are (the
// API returns only fingerprints); after import they are null, and
// send_test_on_apply false.
func (m *notificationChannelResourceModel) fromAPI(ctx context.Context, ch *apiv1.NotificationChannel) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(ch.ID)
	m.Name = types.StringValue(ch.Name)
	m.Type = types.StringValue(ch.Type)
	m.Enabled = types.BoolValue(ch.Enabled)
	if m.SendTestOnApply.IsNull() { // after import
		m.SendTestOnApply = types.BoolValue(false)
	}
	webhook, slack, pagerDuty := m.Webhook, m.Slack, m.PagerDuty
	m.Webhook, m.Slack, m.PagerDuty, m.Email = nil, nil, nil, nil
	switch {
	case ch.Webhook != nil:
		if webhook == nil {
			webhook = &webhookChannelModel{Headers: types.MapNull(types.StringType)}
		}
		webhook.keepURL(ch.Webhook)
		m.Webhook = webhook
	case ch.Slack != nil:
		if slack == nil {
			slack = &slackChannelModel{}
		}
		slack.Channel = types.StringValue(ch.Slack.Channel)
		m.Slack = slack
	case ch.PagerDuty != nil:
		if pagerDuty == nil {
			pagerDuty = &pagerDutyChannelModel{}
		}
		pagerDuty.EventsURL = urlInState(pagerDuty.EventsURL, ch.PagerDuty.EventsURL, ch.PagerDuty.EventsURLFingerprint)
		m.PagerDuty = pagerDuty
	case ch.Email != nil:
		addresses, d := types.SetValueFrom(ctx, types.StringType, ch.Email.Addresses)
		diags.Append(d...)
		m.Email = &emailChannelModel{Addresses: addresses}
	}
	return diags
}

// keepURL sets w's url from the API's view of it, keeping the URL in state
// as written while the API's masked URL is its mask (planSecretResends
// compares the fingerprints of the hidden parts). A channel held without a
// URL (after import) keeps none, as with every secret: generated
// configuration shows a sensitive url as null, and Terraform leaves the URL
// the API holds alone until one is configured. A URL hidden, shown or
// changed outside Terraform changes the state so that the next plan sends
// the configured one again.
func (w *webhookChannelModel) keepURL(api *apiv1.WebhookSettings) {
	switch {
	case api.URLHidden:
		w.URL = types.StringNull()
	case w.URL.IsNull() && !w.URLWOVersion.IsNull(): // shown outside Terraform
		w.URLWOVersion = types.Int64Null()
	case !w.URL.IsNull() && apiv1.MaskURL(w.URL.ValueString()) != api.URL:
		w.URL = types.StringValue(api.URL)
	}
}

// urlInState is what state holds of a URL that the API shows masked: the URL in
// state while its fingerprint is the API's, else the API's masked URL,
// which then differs from the configuration (a change outside Terraform).
func urlInState(state types.String, masked, fingerprint string) types.String {
	if !state.IsNull() && !state.IsUnknown() && apiv1.Fingerprint(state.ValueString()) == fingerprint {
		return state
	}
	return types.StringValue(masked)
}

// planSecretResends compares the API's fingerprint of every secret of the
// channel with the fingerprint of the value Terraform last set (of the value
// in state, else the one recorded in private state) and, for each secret that
// no longer matches, changes the state so that the next plan shows an update
// sending the configured secret again: a secret held in state becomes null,
// else its _wo_version becomes null, else (a secret added outside Terraform to
// a channel configured without one) it becomes empty, which plans its removal.
// It returns the names of the secrets that changed outside Terraform.
func (m *notificationChannelResourceModel) planSecretResends(ctx context.Context, ch *apiv1.NotificationChannel, applied map[string]string) ([]string, diag.Diagnostics) {
	var drifted []string
	var diags diag.Diagnostics
	check := func(name, stateFingerprint string, inState bool, apiFingerprint string) bool {
		expected, known := applied[name]
		if inState {
			expected, known = stateFingerprint, true
		}
		if known && expected != apiFingerprint {
			drifted = append(drifted, name)
			return true
		}
		return false
	}
	switch {
	case m.Webhook != nil && ch.Webhook != nil:
		w := m.Webhook
		if check(secretWebhookURL, apiv1.Fingerprint(w.URL.ValueString()), !w.URL.IsNull(), ch.Webhook.URLFingerprint) {
			resend(&w.URL, &w.URLWOVersion)
		}
		if check(secretWebhookSigningSecret, apiv1.Fingerprint(w.SigningSecret.ValueString()), !w.SigningSecret.IsNull(),
			ch.Webhook.SigningSecretFingerprint) {
			resend(&w.SigningSecret, &w.SigningSecretWOVersion)
		}
		headers, d := stringMap(ctx, w.Headers)
		diags.Append(d...)
		if check(secretWebhookHeaders, apiv1.HeadersFingerprint(headers), !w.Headers.IsNull(), ch.Webhook.HeadersFingerprint) {
			if w.Headers.IsNull() {
				w.Headers = types.MapValueMust(types.StringType, nil)
			} else {
				w.Headers = types.MapNull(types.StringType)
			}
		}
	case m.Slack != nil && ch.Slack != nil:
		s := m.Slack
		if check(secretSlackWebhookURL, apiv1.Fingerprint(s.WebhookURL.ValueString()), !s.WebhookURL.IsNull(),
			ch.Slack.WebhookURLFingerprint) {
			resend(&s.WebhookURL, &s.WebhookURLWOVersion)
		}
	case m.PagerDuty != nil && ch.PagerDuty != nil:
		p := m.PagerDuty
		if check(secretPagerDutyRoutingKey, apiv1.Fingerprint(p.RoutingKey.ValueString()), !p.RoutingKey.IsNull(),
			ch.PagerDuty.RoutingKeyFingerprint) {
			resend(&p.RoutingKey, &p.RoutingKeyWOVersion)
		}
	}
	return drifted, diags
}

// resend changes the state of a secret so that the next plan differs from
// the configuration and Update sends the configured value again.
func resend(value *types.String, version *types.Int64) {
	switch {
	case !value.IsNull():
		*value = types.StringNull()
	case !version.IsNull():
		*version = types.Int64Null()
	default:
		*value = types.StringValue("")
	}
}

// setAppliedChannelFingerprints records in private state the API's
// fingerprints of the channel's secrets right after the provider set them:
// of every secret on create (managed is nil), else of those managed accepts.
// A secret left unrecorded (one of a channel imported without it and still
// not configured) is not Terraform's: Read never plans to set it back.
func setAppliedChannelFingerprints(ctx context.Context, private privateData, ch *apiv1.NotificationChannel, managed func(name string) bool) diag.Diagnostics {
	applied := map[string]string{}
	record := func(name, fingerprint string) {
		if managed == nil || managed(name) {
			applied[name] = fingerprint
		}
	}
	switch {
	case ch.Webhook != nil:
		record(secretWebhookURL, ch.Webhook.URLFingerprint)
		record(secretWebhookSigningSecret, ch.Webhook.SigningSecretFingerprint)
		record(secretWebhookHeaders, ch.Webhook.HeadersFingerprint)
	case ch.Slack != nil:
		record(secretSlackWebhookURL, ch.Slack.WebhookURLFingerprint)
	case ch.PagerDuty != nil:
		record(secretPagerDutyRoutingKey, ch.PagerDuty.RoutingKeyFingerprint)
	}
	return setPrivateJSON(ctx, private, privateChannelFingerprintsKey, applied)
}

// secretConfigured reports whether m sets the secret called name (a
// privateChannelFingerprintsKey name): its value, or its write-only version.
func (m *notificationChannelResourceModel) secretConfigured(name string) bool {
	switch {
	case name == secretWebhookURL && m.Webhook != nil:
		return !m.Webhook.URL.IsNull() || !m.Webhook.URLWOVersion.IsNull()
	case name == secretWebhookSigningSecret && m.Webhook != nil:
		return !m.Webhook.SigningSecret.IsNull() || !m.Webhook.SigningSecretWOVersion.IsNull()
	case name == secretWebhookHeaders && m.Webhook != nil:
		return !m.Webhook.Headers.IsNull()
	case name == secretSlackWebhookURL && m.Slack != nil:
		return !m.Slack.WebhookURL.IsNull() || !m.Slack.WebhookURLWOVersion.IsNull()
	case name == secretPagerDutyRoutingKey && m.PagerDuty != nil:
		return !m.PagerDuty.RoutingKey.IsNull() || !m.PagerDuty.RoutingKeyWOVersion.IsNull()
	}
	return false
}

var _ resource.ConfigValidator = channelSettingsValidator{}

// channelSettingsValidator requires exactly the settings object matching
// type: an object of another type is an error on that object ("slack
// settings on a webhook channel"), a missing one an error on type.
type channelSettingsValidator struct{ fixedDescription }

func (channelSettingsValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var typ types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("type"), &typ)...)
	if resp.Diagnostics.HasError() || typ.IsNull() || typ.IsUnknown() {
		return
	}
	channelType := typ.ValueString()
	matching := false
	for _, name := range apiv1.ChannelTypes {
		var settings types.Object
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), &settings)...)
		if settings.IsNull() {
			continue
		}
		if name == channelType {
			matching = true
			continue
		}
		resp.Diagnostics.AddAttributeError(path.Root(name), "Settings do not match the channel type",
			fmt.Sprintf("%s settings on a %s channel: a channel takes only the settings object named by its type. "+
				"Remove %s, or set type = %q.", name, channelType, name, name))
	}
	if !matching && slices.Contains(apiv1.ChannelTypes, channelType) {
		resp.Diagnostics.AddAttributeError(path.Root("type"), "Missing channel settings",
			fmt.Sprintf("A %s channel needs its settings: add %s = { ... }.", channelType, channelType))
	}
}
