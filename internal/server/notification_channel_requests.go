package server

import (
	"fmt"
	"maps"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/delivery"
	"github.com/keymate/terraform-provider-keymate/internal/server/destination"
)

// channelChange is a validated channel request merged into a channel.
type channelChange struct {
	name    string
	enabled bool
	config  delivery.Channel
	changed []string // sorted names of the fields whose value changed
}

// validateChannel checks a create (creating) or update request and merges it
// into the channel's current name, enabled flag and configuration. Both
// carry the fields of apiv1.CreateNotificationChannelRequest (an update only
// some of them, its type only to repeat it); null is the same as absent.
func validateChannel(b apiv1.CreateNotificationChannelRequest, in presence, creating bool, name string, enabled bool, config delivery.Channel) (channelChange, error) {
	var f fieldErrors
	c := channelChange{name: name, enabled: enabled, config: config}
	switch {
	case creating && !in.value("name"):
		f.add("name", "is required")
	case in.value("name"):
		f.checkText("name", b.Name, apiv1.NameRule)
		track(&c.changed, "name", b.Name != c.name)
		c.name = b.Name
	}
	if b.Enabled != nil {
		track(&c.changed, "enabled", *b.Enabled != c.enabled)
		c.enabled = *b.Enabled
	}
	switch {
	case creating && !in.value("type"):
		f.add("type", "is required; one of %s", strings.Join(apiv1.ChannelTypes, ", "))
	case creating && !slices.Contains(apiv1.ChannelTypes, b.Type):
		f.add("type", "must be one of %s, got %q", strings.Join(apiv1.ChannelTypes, ", "), b.Type)
	case creating:
		c.config = delivery.Channel{Type: b.Type}
	case in.value("type") && b.Type != config.Type:
		f.add("type", "cannot change from %q to %q; create a new channel instead", config.Type, b.Type)
	}
	if err := f.err(); err != nil {
		return c, err
	}

	present := map[string]bool{
		apiv1.ChannelTypeWebhook: b.Webhook != nil, apiv1.ChannelTypeSlack: b.Slack != nil,
		apiv1.ChannelTypePagerDuty: b.PagerDuty != nil, apiv1.ChannelTypeEmail: b.Email != nil,
	}
	for _, typ := range apiv1.ChannelTypes {
		if present[typ] && typ != c.config.Type {
			f.add(typ, "must not be set for a %s channel; set %s instead", c.config.Type, c.config.Type)
		}
	}
	if creating && !present[c.config.Type] {
		f.add(c.config.Type, "is required for a %s channel", c.config.Type)
	}
	if err := f.err(); err != nil {
		return c, err
	}
	switch c.config.Type {
	case apiv1.ChannelTypeWebhook:
		c.changed = append(c.changed, f.mergeWebhook(b.Webhook, &c.config, creating)...)
	case apiv1.ChannelTypeSlack:
		c.changed = append(c.changed, f.mergeSlack(b.Slack, &c.config, creating)...)
	case apiv1.ChannelTypePagerDuty:
		c.changed = append(c.changed, f.mergePagerDuty(b.PagerDuty, &c.config, creating)...)
	case apiv1.ChannelTypeEmail:
		c.changed = append(c.changed, f.mergeEmail(b.Email, &c.config, creating)...)
	}
	slices.Sort(c.changed)
	return c, f.err()
}

// setField validates and stores one setting: a present value (non-nil)
// replaces the current one; an absent one is required when creating.
func (f *fieldErrors) setField(path string, value *string, creating bool, check func(string), dst *string, changed *[]string) {
	if value == nil {
		if creating {
			f.add(path, "is required")
		}
		return
	}
	check(*value)
	if *value != *dst {
		*changed = append(*changed, path)
	}
	*dst = *value
}

func (f *fieldErrors) mergeWebhook(b *apiv1.WebhookInput, cfg *delivery.Channel, creating bool) []string {
	if cfg.Webhook == nil {
		cfg.Webhook = &delivery.Webhook{}
	}
	if b == nil {
		return nil
	}
	w := cfg.Webhook
	if !creating && b.URL != nil && *b.URL != w.URL {
		if w.SigningSecret != "" && b.SigningSecret == nil {
			f.requireWithNewDestination("webhook.signing_secret", "webhook.url", `""`)
		}
		if len(w.Headers) > 0 && b.Headers == nil {
			f.requireWithNewDestination("webhook.headers", "webhook.url", "{}")
		}
	}
	if w.URLHidden && b.URLHidden != nil && !*b.URLHidden && b.URL == nil {
		f.add("webhook.url", "is required to show a hidden URL (url_hidden false): the API never reveals a hidden URL")
	}
	var changed []string
	f.setField("webhook.url", b.URL, creating, func(v string) { f.checkURL("webhook.url", v, false) }, &w.URL, &changed)
	if b.URLHidden != nil {
		if *b.URLHidden != w.URLHidden {
			changed = append(changed, "webhook.url_hidden")
		}
		w.URLHidden = *b.URLHidden
	}
	if b.Headers != nil {
		f.checkHeaders(*b.Headers)
		if apiv1.HeadersFingerprint(*b.Headers) != apiv1.HeadersFingerprint(w.Headers) {
			changed = append(changed, "webhook.headers")
		}
		w.Headers = *b.Headers
	}
	f.setField("webhook.signing_secret", b.SigningSecret, false, f.checkSigningSecret, &w.SigningSecret, &changed)
	return changed
}

func (f *fieldErrors) mergeSlack(b *apiv1.SlackInput, cfg *delivery.Channel, creating bool) []string {
	if cfg.Slack == nil {
		cfg.Slack = &delivery.Slack{}
	}
	if b == nil {
		return nil
	}
	var changed []string
	f.setField("slack.webhook_url", b.WebhookURL, creating, func(v string) { f.checkURL("slack.webhook_url", v, true) }, &cfg.Slack.WebhookURL, &changed)
	f.setField("slack.channel", b.Channel, creating, func(v string) { f.checkText("slack.channel", v, apiv1.SlackChannelRule) }, &cfg.Slack.Channel, &changed)
	return changed
}

func (f *fieldErrors) mergePagerDuty(b *apiv1.PagerDutyInput, cfg *delivery.Channel, creating bool) []string {
	if cfg.PagerDuty == nil {
		cfg.PagerDuty = &delivery.PagerDuty{EventsURL: apiv1.DefaultPagerDutyEventURL}
	}
	if b == nil {
		return nil
	}
	p := cfg.PagerDuty
	if !creating && b.EventsURL != nil && *b.EventsURL != p.EventsURL && p.RoutingKey != "" && b.RoutingKey == nil {
		f.requireWithNewDestination("pagerduty.routing_key", "pagerduty.events_url", "")
	}
	var changed []string
	f.setField("pagerduty.routing_key", b.RoutingKey, creating, func(v string) { f.check("pagerduty.routing_key", apiv1.CheckRoutingKey(v)) }, &cfg.PagerDuty.RoutingKey, &changed)
	f.setField("pagerduty.events_url", b.EventsURL, false, func(v string) { f.checkURL("pagerduty.events_url", v, true) }, &cfg.PagerDuty.EventsURL, &changed)
	return changed
}

func (f *fieldErrors) mergeEmail(b *apiv1.EmailInput, cfg *delivery.Channel, creating bool) []string {
	if cfg.Email == nil {
		cfg.Email = &delivery.Email{}
	}
	if b == nil {
		return nil
	}
	if b.Addresses == nil {
		if creating {
			f.add("email.addresses", "is required")
		}
		return nil
	}
	addresses := *b.Addresses
	f.checkAddresses(addresses)
	var changed []string
	if !slices.Equal(addresses, cfg.Email.Addresses) {
		changed = append(changed, "email.addresses")
	}
	cfg.Email.Addresses = addresses
	return changed
}

// requireWithNewDestination reports that the secret at path must be sent
// again because the request changes the destination at destinationPath: a
// stored secret is never sent to a new destination, or whoever may change
// the URL could collect it. removal names the value that removes the
// secret, "" when it cannot be removed.
func (f *fieldErrors) requireWithNewDestination(path, destinationPath, removal string) {
	msg := "is required in a request that changes " + destinationPath + ": the stored secret is never sent to a new destination; send it again"
	if removal != "" {
		msg += ", or " + removal + " to remove it"
	}
	f.add(path, "%s", msg)
}

// checkURL validates a destination URL (apiv1.CheckChannelURL).
func (f *fieldErrors) checkURL(path, raw string, httpsOnly bool) {
	f.check(path, apiv1.CheckChannelURL(raw, httpsOnly))
}

// destinationFields maps the request paths of the channel's destination
// URLs to their values.
func (c channelChange) destinationFields() map[string]string {
	switch {
	case c.config.Webhook != nil:
		return map[string]string{"webhook.url": c.config.Webhook.URL}
	case c.config.Slack != nil:
		return map[string]string{"slack.webhook_url": c.config.Slack.WebhookURL}
	case c.config.PagerDuty != nil:
		return map[string]string{"pagerduty.events_url": c.config.PagerDuty.EventsURL}
	}
	return nil
}

// checkDestinations refuses a new destination URL whose host is an address
// that policy denies, naming the field: its deliveries would be refused.
// The URL is not echoed (Slack's holds a secret). A host name is checked
// when a delivery dials it, as it may resolve differently by then.
func checkDestinations(policy destination.Policy, c channelChange) error {
	var f fieldErrors
	for path, raw := range c.destinationFields() {
		u, err := url.Parse(raw)
		if err != nil || !slices.Contains(c.changed, path) {
			continue
		}
		if addr, err := netip.ParseAddr(u.Hostname()); err == nil {
			if err := policy.Check(addr); err != nil {
				f.add(path, "%v", err)
			}
		}
	}
	return f.err()
}

func (f *fieldErrors) checkHeaders(headers map[string]string) {
	if len(headers) > apiv1.MaxWebhookHeaders {
		f.add("webhook.headers", "must hold at most %d headers, got %d", apiv1.MaxWebhookHeaders, len(headers))
	}
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		path := "webhook.headers." + name
		if err := apiv1.CheckHeaderName(name); err != nil {
			f.add(path, "the header name %v", err)
			continue
		}
		f.check(path, apiv1.CheckHeaderValue(headers[name]))
	}
	f.check("webhook.headers", apiv1.CheckHeaderNamesDistinct(slices.Collect(maps.Keys(headers))))
}

// checkSigningSecret validates a signing secret without echoing it; ""
// removes the secret.
func (f *fieldErrors) checkSigningSecret(s string) {
	if s != "" {
		f.check("webhook.signing_secret", apiv1.CheckSecret(s, apiv1.MinSigningSecretLength))
	}
}

func (f *fieldErrors) checkAddresses(addresses []string) {
	if len(addresses) == 0 || len(addresses) > apiv1.MaxEmailAddresses {
		f.add("email.addresses", "must hold 1 to %d addresses, got %d", apiv1.MaxEmailAddresses, len(addresses))
	}
	seen := map[string]bool{}
	for i, a := range addresses {
		path := fmt.Sprintf("email.addresses[%d]", i)
		err := apiv1.CheckEmailAddress(a)
		switch {
		case err != nil:
			f.add(path, "%v, got %q", err, a)
		case seen[strings.ToLower(a)]:
			f.add(path, "duplicate address %q", a)
		}
		seen[strings.ToLower(a)] = true
	}
}
