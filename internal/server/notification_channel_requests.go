package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/delivery"
	"github.com/keymate/terraform-provider-keymate/internal/server/destination"
)

// maxChannelValueLength bounds URLs, header values and secrets of channels.
const maxChannelValueLength = 2048

// channelBody is the body of a channel create or update as the server
// decodes it; absent fields are nil.
type channelBody struct {
	Name      *string        `json:"name"`
	Type      *string        `json:"type"`
	Enabled   *bool          `json:"enabled"`
	Webhook   *webhookBody   `json:"webhook"`
	Slack     *slackBody     `json:"slack"`
	PagerDuty *pagerDutyBody `json:"pagerduty"`
	Email     *emailBody     `json:"email"`
}

type webhookBody struct {
	URL           *string            `json:"url"`
	Headers       *map[string]string `json:"headers"`
	SigningSecret *string            `json:"signing_secret"`
}

type slackBody struct {
	WebhookURL *string `json:"webhook_url"`
	Channel    *string `json:"channel"`
}

type pagerDutyBody struct {
	RoutingKey *string `json:"routing_key"`
	EventsURL  *string `json:"events_url"`
}

type emailBody struct {
	Addresses *[]string `json:"addresses"`
}

// channelChange is a validated channel request merged into a channel.
type channelChange struct {
	name    string
	enabled bool
	config  delivery.Channel
	changed []string // sorted names of the fields whose value changed
}

// validateChannel checks a create (creating) or update request and merges it
// into the channel's current name, enabled flag and configuration.
func validateChannel(b channelBody, creating bool, name string, enabled bool, config delivery.Channel) (channelChange, error) {
	var f fieldErrors
	c := channelChange{name: name, enabled: enabled, config: config}
	track := func(field string, differs bool) {
		if differs {
			c.changed = append(c.changed, field)
		}
	}
	switch {
	case creating && b.Name == nil:
		f.add("name", "is required")
	case b.Name != nil:
		f.checkText("name", *b.Name, apiv1.NameRule)
		track("name", *b.Name != c.name)
		c.name = *b.Name
	}
	if b.Enabled != nil {
		track("enabled", *b.Enabled != c.enabled)
		c.enabled = *b.Enabled
	}
	switch {
	case creating && b.Type == nil:
		f.add("type", "is required; one of %s", strings.Join(apiv1.ChannelTypes, ", "))
	case creating && !slices.Contains(apiv1.ChannelTypes, *b.Type):
		f.add("type", "must be one of %s, got %q", strings.Join(apiv1.ChannelTypes, ", "), *b.Type)
	case creating:
		c.config = delivery.Channel{Type: *b.Type}
	case b.Type != nil && *b.Type != config.Type:
		f.add("type", "cannot change from %q to %q; create a new channel instead", config.Type, *b.Type)
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

func (f *fieldErrors) mergeWebhook(b *webhookBody, cfg *delivery.Channel, creating bool) []string {
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
	var changed []string
	f.setField("webhook.url", b.URL, creating, func(v string) { f.checkURL("webhook.url", v, false) }, &w.URL, &changed)
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

func (f *fieldErrors) mergeSlack(b *slackBody, cfg *delivery.Channel, creating bool) []string {
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

func (f *fieldErrors) mergePagerDuty(b *pagerDutyBody, cfg *delivery.Channel, creating bool) []string {
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
	f.setField("pagerduty.routing_key", b.RoutingKey, creating, f.checkRoutingKey, &cfg.PagerDuty.RoutingKey, &changed)
	f.setField("pagerduty.events_url", b.EventsURL, false, func(v string) { f.checkURL("pagerduty.events_url", v, true) }, &cfg.PagerDuty.EventsURL, &changed)
	return changed
}

func (f *fieldErrors) mergeEmail(b *emailBody, cfg *delivery.Channel, creating bool) []string {
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

// checkURL accepts an absolute http or https URL; with httpsOnly, http is
// accepted only for loopback hosts (so that tests can use local receivers).
func (f *fieldErrors) checkURL(path, raw string, httpsOnly bool) {
	u, err := url.Parse(raw)
	switch {
	case len(raw) > maxChannelValueLength:
		f.add(path, "must be at most %d characters, got %d", maxChannelValueLength, len(raw))
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		f.add(path, "must be an absolute http or https URL")
	case httpsOnly && u.Scheme == "http" && !isLoopback(u.Hostname()):
		f.add(path, "must be an https URL (http is accepted only for loopback hosts)")
	}
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

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (f *fieldErrors) checkHeaders(headers map[string]string) {
	if len(headers) > apiv1.MaxWebhookHeaders {
		f.add("webhook.headers", "must hold at most %d headers, got %d", apiv1.MaxWebhookHeaders, len(headers))
	}
	reserved := []string{"Content-Type", "Content-Length", "Host", "User-Agent", apiv1.HeaderSignature, apiv1.HeaderEvent}
	names := make([]string, 0, len(headers))
	for name := range headers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		path := "webhook.headers." + name
		value := headers[name]
		nameErr := apiv1.HeaderNameRule.Check(name)
		switch {
		case nameErr != nil:
			f.add(path, "the header name %v", nameErr)
		case slices.Contains(reserved, http.CanonicalHeaderKey(name)):
			f.add(path, "is set by the server and cannot be configured")
		case len(value) > maxChannelValueLength:
			f.add(path, "must be at most %d characters", maxChannelValueLength)
		case strings.ContainsAny(value, "\r\n\x00"):
			f.add(path, "must not contain line breaks or NUL")
		}
	}
}

// checkSigningSecret validates a signing secret without echoing it; ""
// removes the secret.
func (f *fieldErrors) checkSigningSecret(s string) {
	switch {
	case s == "":
	case len(s) < apiv1.MinSigningSecretLength:
		f.add("webhook.signing_secret", "must be at least %d characters, got %d", apiv1.MinSigningSecretLength, len(s))
	case len(s) > maxSecretLength:
		f.add("webhook.signing_secret", "must be at most %d characters, got %d", maxSecretLength, len(s))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		f.add("webhook.signing_secret", "must not contain whitespace or control characters")
	}
}

// checkRoutingKey validates a PagerDuty routing key without echoing it.
func (f *fieldErrors) checkRoutingKey(s string) {
	alnum := strings.IndexFunc(s, func(r rune) bool { return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) }) < 0
	if len(s) != apiv1.PagerDutyRoutingKeyLen || !alnum {
		f.add("pagerduty.routing_key", "must be %d letters and digits, got %d characters", apiv1.PagerDutyRoutingKeyLen, len(s))
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
