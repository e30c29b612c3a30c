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
// value of one entry) of resource r on value.
func schemaAccepts(t *testing.T, r resource.Resource, attrPath, value string) bool {
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
			var vresp validator.StringResponse
			v.ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: types.StringValue(value)}, &vresp)
			if vresp.Diagnostics.HasError() {
				return false
			}
		}
	case rschema.MapAttribute:
		m := types.MapValueMust(types.StringType, map[string]attr.Value{"team": types.StringValue(value)})
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
			body, err := json.Marshal(f.body(v))
			if err != nil {
				t.Fatal(err)
			}
			status, apiErr := post(t, inst, f.endpoint, body)
			apiAccepts := status == http.StatusCreated
			if !apiAccepts && (status != http.StatusUnprocessableEntity || len(apiErr.Fields) == 0 || apiErr.Fields[0].Path != f.apiPath) {
				t.Errorf("%s %q: status %d %+v, want 201 or 422 naming %s", f.apiPath, v, status, apiErr, f.apiPath)
				continue
			}
			if providerAccepts := schemaAccepts(t, f.resource, f.attr, v); providerAccepts != apiAccepts {
				t.Errorf("%T.%s %q: the API accepts it: %v; the provider's validators accept it: %v", f.resource, f.attr, v, apiAccepts, providerAccepts)
			}
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
