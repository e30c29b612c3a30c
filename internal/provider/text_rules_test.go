package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// schemaAccepts runs the plan-time validators of the string attribute at
// attrPath (nested attributes separated by "."; for a map of strings, the
// value of one entry, or with asKey its key) of resource r on value.
func schemaAccepts(t *testing.T, r resource.Resource, attrPath, value string, asKey bool) bool {
	t.Helper()
	ctx := context.Background()
	var resp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &resp)
	attrs := resp.Schema.Attributes
	names := strings.Split(attrPath, ".")
	for _, name := range names[:len(names)-1] {
		nested, ok := attrs[name].(rschema.SingleNestedAttribute)
		if !ok {
			t.Fatalf("%s is not a single nested attribute", name)
		}
		attrs = nested.Attributes
	}
	p := path.Root(attrPath)
	switch a := attrs[names[len(names)-1]].(type) {
	case rschema.StringAttribute:
		for _, v := range a.Validators {
			if strings.Contains(fmt.Sprintf("%T", v), "schemavalidator.") {
				continue // ConflictsWith, AlsoRequires: about other attributes, not this value
			}
			var vresp validator.StringResponse
			v.ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: types.StringValue(value)}, &vresp)
			if vresp.Diagnostics.HasError() {
				return false
			}
		}
	case rschema.MapAttribute:
		m := types.MapValueMust(types.StringType, map[string]attr.Value{"team": types.StringValue(value)})
		if asKey {
			m = types.MapValueMust(types.StringType, map[string]attr.Value{value: types.StringValue("x")})
		}
		for _, v := range a.Validators {
			var vresp validator.MapResponse
			v.ValidateMap(ctx, validator.MapRequest{Path: p, ConfigValue: m}, &vresp)
			if vresp.Diagnostics.HasError() {
				return false
			}
		}
	default:
		t.Fatalf("%s is a %T, not a string or map attribute", attrPath, a)
	}
	return true
}

// TestWhatTheAPIAcceptsTheProviderAccepts proves that every name and text
// field follows one rule on both sides: for values that probe every part of
// the rules (characters counted, not bytes; no control, bidirectional or
// zero-width characters; the API key name pattern), the server creates the
// object exactly when the provider's plan-time validators accept the value,
// and otherwise answers 422 naming the field. So an object made through the
// API can always be written in a configuration and managed by Terraform, and
// a configuration that plans is never refused by the API for its text.
func TestWhatTheAPIAcceptsTheProviderAccepts(t *testing.T) {
	inst := servertest.Start(t)
	values := []string{
		"deploy-bot", "deploy bot 2", "Équipe SRE", "日本語", strings.Repeat("é", apiv1.MaxNameLength),
		strings.Repeat("é", apiv1.MaxNameLength+1), strings.Repeat("a", apiv1.MaxNameLength+1), "   ", "",
		"<b>boss</b>", "evil\u202egnp.exe", "zero\u200bwidth", "bom\ufeff", "isolate\u2066x\u2069", "tab\tx",
		"line\nbreak", "para\u2029sep", "nul\x00", "bell\a", "-leading-dash", ".env",
	}
	// Each field is reached by a create request that is valid but for it.
	n := 0
	unique := func() string { n++; return fmt.Sprintf("u%d", n) }
	grant := func(principalID, justification, ticket string) map[string]any {
		return map[string]any{"principal": map[string]any{"type": "user", "id": principalID}, "role": "viewer",
			"resource": "*", "justification": justification, "ticket": ticket}
	}
	rule := func(name, description string, labels map[string]string) map[string]any {
		return map[string]any{"name": name, "description": description, "severity": "info", "metric": "api.request_rate",
			"condition": map[string]any{"operator": "gt", "threshold": 1, "window": "5m"}, "notification_channel_ids": []string{},
			"labels": labels}
	}
	fields := []struct {
		resource      resource.Resource
		attr, apiPath string
		endpoint      string
		body          func(v string) any
	}{
		{newAPIKeyResource(), "name", "name", "/v1/api-keys",
			func(v string) any { return map[string]any{"name": v, "scopes": []string{"keys:read"}} }},
		{newAPIKeyResource(), "description", "description", "/v1/api-keys",
			func(v string) any {
				return map[string]any{"name": unique(), "scopes": []string{"keys:read"}, "description": v}
			}},
		{newNotificationChannelResource(), "name", "name", "/v1/notification-channels", func(v string) any {
			return map[string]any{"name": v, "type": "email", "email": map[string]any{"addresses": []string{"ops@example.com"}}}
		}},
		{newAlertRuleResource(), "name", "name", "/v1/alert-rules", func(v string) any { return rule(v, "", nil) }},
		{newAlertRuleResource(), "description", "description", "/v1/alert-rules", func(v string) any { return rule(unique(), v, nil) }},
		{newAlertRuleResource(), "labels", "labels.team", "/v1/alert-rules",
			func(v string) any { return rule(unique(), "", map[string]string{"team": v}) }},
		{newBackupScheduleResource(), "name", "name", "/v1/backup-schedules",
			func(v string) any { return map[string]any{"name": v, "cron": "0 3 * * *"} }},
		{newAccessGrantResource(), "principal.id", "principal.id", "/v1/access-grants",
			func(v string) any { return grant(v, "needed", "") }},
		{newAccessGrantResource(), "justification", "justification", "/v1/access-grants",
			func(v string) any { return grant(unique(), v, "") }},
		{newAccessGrantResource(), "ticket", "ticket", "/v1/access-grants",
			func(v string) any { return grant(unique(), "needed", v) }},
	}
	for _, f := range fields {
		for _, v := range values {
			sameVerdict(t, inst, ruleProbe{f.resource, f.attr, f.apiPath, f.endpoint, f.body, false}, v)
		}
	}
}

// ruleProbe reaches one field through the API (a create request to endpoint
// that body makes valid but for the field) and through the schema of
// resource (attr; asKey for a map's keys).
type ruleProbe struct {
	resource      resource.Resource
	attr, apiPath string
	endpoint      string
	body          func(v string) any
	asKey         bool
}

// sameVerdict fails the test unless the API creates the object with v
// exactly when the provider's validators accept v, and otherwise answers
// 422 naming the field (apiPath, or a path inside it).
func sameVerdict(t *testing.T, inst *servertest.Instance, p ruleProbe, v string) {
	t.Helper()
	body, err := json.Marshal(p.body(v))
	if err != nil {
		t.Fatal(err)
	}
	status, apiErr := post(t, inst, p.endpoint, body)
	apiAccepts := status == http.StatusCreated
	names := func(path string) bool { return path == p.apiPath || strings.HasPrefix(path, p.apiPath+".") }
	if !apiAccepts && (status != http.StatusUnprocessableEntity || len(apiErr.Fields) == 0 || !names(apiErr.Fields[0].Path)) {
		t.Errorf("%s %q: status %d %+v, want 201 or 422 naming %s", p.apiPath, v, status, apiErr, p.apiPath)
		return
	}
	if providerAccepts := schemaAccepts(t, p.resource, p.attr, v, p.asKey); providerAccepts != apiAccepts {
		t.Errorf("%T.%s %q: the API accepts it: %v; the provider's validators accept it: %v", p.resource, p.attr, v, apiAccepts, providerAccepts)
	}
}

// TestChannelAndSecretRulesAreTheAPIs does for channel settings and
// supplied secrets what TestWhatTheAPIAcceptsTheProviderAccepts does for
// text: Slack channels, webhook header names and values, PagerDuty routing
// keys, destination URLs (https only, but for loopback hosts in any case),
// signing secrets and API key secrets are each judged by one apiv1 rule, so
// the plan and the API agree on every probe.
func TestChannelAndSecretRulesAreTheAPIs(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	n := 0
	unique := func() string { n++; return fmt.Sprintf("u%d", n) }
	channel := func(typ string, settings map[string]any) map[string]any {
		return map[string]any{"name": unique(), "type": typ, typ: settings}
	}
	webhook := func(settings map[string]any) any {
		settings["url"] = "https://hooks.example.com/keymate"
		return channel("webhook", settings)
	}
	key32 := strings.Repeat("a1", 16)
	probes := []struct {
		probe  ruleProbe
		values []string
	}{
		{ruleProbe{newNotificationChannelResource(), "slack.channel", "slack.channel", "/v1/notification-channels", func(v string) any {
			return channel("slack", map[string]any{"webhook_url": "https://hooks.slack.com/services/T0/B0/x", "channel": v})
		}, false}, []string{"#alerts", "@oncall", "alerts", "# x", "#", "#" + strings.Repeat("a", apiv1.MaxSlackChannelLength), "#évé"}},
		{ruleProbe{newNotificationChannelResource(), "slack.webhook_url", "slack.webhook_url", "/v1/notification-channels", func(v string) any {
			return channel("slack", map[string]any{"webhook_url": v, "channel": "#a"})
		}, false}, []string{"https://hooks.slack.com/services/T0/B0/x", "http://hooks.slack.com/x", "http://LOCALHOST:4000/x",
			"http://127.0.0.1:4000/x", "ftp://hooks.slack.com/x", "hooks.slack.com/x", "https:///x",
			"https://hooks.slack.com/" + strings.Repeat("a", apiv1.MaxChannelValueLength)}},
		{ruleProbe{newNotificationChannelResource(), "webhook.url", "webhook.url", "/v1/notification-channels", func(v string) any {
			return channel("webhook", map[string]any{"url": v})
		}, false}, []string{"https://hooks.example.com/x", "http://hooks.example.com/x", "ftp://example.com/x", "example.com/x"}},
		{ruleProbe{newNotificationChannelResource(), "webhook.headers", "webhook.headers", "/v1/notification-channels", func(v string) any {
			return webhook(map[string]any{"headers": map[string]string{"X-Team": v}})
		}, false}, []string{"Bearer abc", "", "a\nb", "a\rb", "nul\x00", "tab\tx", strings.Repeat("v", apiv1.MaxChannelValueLength+1)}},
		{ruleProbe{newNotificationChannelResource(), "webhook.headers", "webhook.headers", "/v1/notification-channels", func(v string) any {
			return webhook(map[string]any{"headers": map[string]string{v: "x"}})
		}, true}, []string{"Authorization", "x-api-key", "X-Keymate-Signature", "host", "content-type", "bad header", "é", "a:b"}},
		{ruleProbe{newNotificationChannelResource(), "webhook.signing_secret", "webhook.signing_secret", "/v1/notification-channels", func(v string) any {
			return webhook(map[string]any{"signing_secret": v})
		}, false}, []string{strings.Repeat("s", apiv1.MinSigningSecretLength), strings.Repeat("s", apiv1.MinSigningSecretLength-1),
			strings.Repeat("s", 20) + " x", strings.Repeat("t", apiv1.MaxSecretLength+1), strings.Repeat("é", 8)}},
		{ruleProbe{newNotificationChannelResource(), "pagerduty.routing_key", "pagerduty.routing_key", "/v1/notification-channels", func(v string) any {
			return channel("pagerduty", map[string]any{"routing_key": v})
		}, false}, []string{key32, key32[:31], key32[:31] + " ", strings.Repeat("é", 16), key32 + "b"}},
		{ruleProbe{newAPIKeyResource(), "secret_wo", "secret", "/v1/api-keys", func(v string) any {
			return map[string]any{"name": unique(), "scopes": []string{"keys:read"}, "secret": v}
		}, false}, []string{strings.Repeat("k", apiv1.MinSecretLength), strings.Repeat("m", apiv1.MinSecretLength-1),
			strings.Repeat("n", 40) + "\t", strings.Repeat("p", 40) + " q", strings.Repeat("r", apiv1.MaxSecretLength+1)}},
	}
	for _, p := range probes {
		for _, v := range p.values {
			sameVerdict(t, inst, p.probe, v)
		}
	}
}

// post sends a create request as the admin and returns the status and, for
// an error, the error body.
func post(t *testing.T, inst *servertest.Instance, endpoint string, body []byte) (int, apiv1.ErrorBody) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, inst.URL+endpoint, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+inst.AdminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env apiv1.ErrorEnvelope
	if resp.StatusCode >= 300 {
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, env.Error
}
