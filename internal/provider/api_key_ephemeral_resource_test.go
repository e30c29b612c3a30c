package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

const echoAddr = "echo.test"

const ephemeralKeyConfig = `
ephemeral "keymate_api_key" "ci" {
  name_prefix = "ci-run"
  scopes      = ["keys:read"]
  ttl         = "30m"
}

provider "echo" {
  data = ephemeral.keymate_api_key.ci
}

resource "echo" "test" {}
`

// openedKey is a short-lived key as the echo provider received it during a
// run, and whether the API accepted its secret at that moment.
type openedKey struct {
	id, secret    string
	authenticated bool
	err           error
}

// echoRecorder wraps terraform-plugin-testing's echo provider and records
// every short-lived key handed to its configuration, checking the secret
// against the API right then, while the run that opened it is still going.
type echoRecorder struct {
	inst *servertest.Instance
	mu   sync.Mutex
	keys []openedKey
}

func (r *echoRecorder) factory() (tfprotov6.ProviderServer, error) {
	inner, err := echoprovider.NewProviderServer()()
	if err != nil {
		return nil, err
	}
	return &recordingEcho{ProviderServer: inner, recorder: r}, nil
}

func (r *echoRecorder) opened() []openedKey {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]openedKey(nil), r.keys...)
}

func (r *echoRecorder) secrets() []string {
	var out []string
	for _, k := range r.opened() {
		out = append(out, k.secret)
	}
	return out
}

type recordingEcho struct {
	tfprotov6.ProviderServer
	recorder *echoRecorder
}

func (e *recordingEcho) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	if id, secret, ok := echoConfigKey(req.Config); ok {
		authenticated, err := acceptsSecret(e.recorder.inst, secret)
		e.recorder.mu.Lock()
		e.recorder.keys = append(e.recorder.keys, openedKey{id: id, secret: secret, authenticated: authenticated, err: err})
		e.recorder.mu.Unlock()
	}
	return e.ProviderServer.ConfigureProvider(ctx, req)
}

// echoConfigKey reads the id and secret from the echo provider's
// configuration ({data = ephemeral.keymate_api_key.x}), if known.
func echoConfigKey(config *tfprotov6.DynamicValue) (id, secret string, ok bool) {
	v, err := config.Unmarshal(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"data": tftypes.DynamicPseudoType}})
	if err != nil {
		return "", "", false
	}
	var cfg, data map[string]tftypes.Value
	if v.As(&cfg) != nil || !cfg["data"].IsFullyKnown() || cfg["data"].IsNull() || cfg["data"].As(&data) != nil {
		return "", "", false
	}
	if data["id"].As(&id) != nil || data["secret"].As(&secret) != nil || secret == "" {
		return "", "", false
	}
	return id, secret, true
}

// acceptsSecret reports whether the API accepts secret as a bearer key, with
// raw HTTP. Unlike authenticates it may run outside the test's goroutine.
func acceptsSecret(inst *servertest.Instance, secret string) (bool, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, inst.URL+"/v1/api-keys?limit=1", nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	return resp.StatusCode != http.StatusUnauthorized, nil
}

// checkRunKeysClosed proves what happened to every short-lived key opened so
// far (by plan and by apply): its secret worked while its run was going, and
// its run revoked it when done, so the secret no longer works.
func (r *echoRecorder) checkRunKeysClosed(t *testing.T) error {
	opened := r.opened()
	if len(opened) == 0 {
		return errors.New("the echo provider never received a short-lived key")
	}
	c := testClient(t, r.inst)
	for _, k := range opened {
		if k.err != nil {
			return fmt.Errorf("checking key %s during the run: %w", k.id, k.err)
		}
		if !k.authenticated {
			return fmt.Errorf("the API rejected the secret of key %s while the run that opened it was going", k.id)
		}
		key, err := c.GetAPIKey(context.Background(), k.id)
		if err != nil {
			return fmt.Errorf("reading key %s: %w", k.id, err)
		}
		if key.Status != apiv1.KeyStatusRevoked {
			return fmt.Errorf("key %s has status %q after its run ended, want revoked", k.id, key.Status)
		}
		ok, err := acceptsSecret(r.inst, k.secret)
		if err != nil {
			return err
		}
		if ok {
			return fmt.Errorf("the secret of key %s still works after its run ended", k.id)
		}
	}
	return nil
}

// stateCheckFunc adapts a function to statecheck.StateCheck.
type stateCheckFunc func(*tfjson.State) error

func (f stateCheckFunc) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req.State)
}

// planCheckFunc adapts a function to plancheck.PlanCheck.
type planCheckFunc func(*tfjson.Plan) error

func (f planCheckFunc) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan)
}

// noSecretIn fails when what (a plan, or a resource's state) holds any of
// the recorded secrets anywhere.
func (r *echoRecorder) noSecretIn(name string, what any) error {
	raw, err := json.Marshal(what)
	if err != nil {
		return err
	}
	secrets := r.secrets()
	if len(secrets) == 0 {
		return errors.New("no short-lived key was recorded, so there is nothing to look for")
	}
	for _, s := range secrets {
		if strings.Contains(string(raw), s) {
			return fmt.Errorf("%s holds the secret of a short-lived key", name)
		}
	}
	return nil
}

// checkKeymateStateClean proves that the keymate provider wrote nothing of
// the short-lived keys to state: no ephemeral resource, no keymate_api_key
// holding one of their ids, and no recorded secret in any resource but
// echo.test, whose job is to hold the data.
func (r *echoRecorder) checkKeymateStateClean(s *tfjson.State) error {
	if s.Values == nil {
		return errors.New("the state is empty")
	}
	for _, res := range s.Values.RootModule.Resources {
		if strings.HasPrefix(res.Address, "ephemeral.") {
			return fmt.Errorf("state holds %s", res.Address)
		}
		for _, k := range r.opened() {
			if res.Type == "keymate_api_key" && res.AttributeValues["id"] == k.id {
				return fmt.Errorf("state holds the short-lived key %s as %s", k.id, res.Address)
			}
		}
		if res.Address == echoAddr {
			continue
		}
		if err := r.noSecretIn(res.Address, res.AttributeValues); err != nil {
			return err
		}
	}
	return nil
}

// The short-lived key reaches the echo provider with an id, a working secret
// and the expiry the provider's clock gives; its secret authenticates while
// the run is going and is revoked at its end; neither the plan nor any
// keymate object in state holds it.
func TestAccAPIKeyEphemeralResource(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	recorder := &echoRecorder{inst: inst}
	factories["echo"] = recorder.factory
	data := tfjsonpath.New("data")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: ephemeralKeyConfig + `
# A managed key beside the ephemeral one: its state must not pick anything up.
resource "keymate_api_key" "bystander" {
  name   = "bystander"
  scopes = ["keys:read"]
}
`,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					planCheckFunc(func(p *tfjson.Plan) error { return recorder.noSecretIn("the plan", p) }),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(echoAddr, data.AtMapKey("id"), knownvalue.StringRegexp(regexp.MustCompile(`^key_`))),
				statecheck.ExpectKnownValue(echoAddr, data.AtMapKey("name"), knownvalue.StringRegexp(regexp.MustCompile(`^ci-run-[0-9a-f]{8}$`))),
				statecheck.ExpectKnownValue(echoAddr, data.AtMapKey("secret"), knownvalue.StringRegexp(regexp.MustCompile(`^km_.+`))),
				// The manual clock stands at 2026-01-01T00:00:00Z; ttl is 30m.
				statecheck.ExpectKnownValue(echoAddr, data.AtMapKey("expires_at"), knownvalue.StringExact("2026-01-01T00:30:00Z")),
				stateCheckFunc(func(*tfjson.State) error { return recorder.checkRunKeysClosed(t) }),
				stateCheckFunc(recorder.checkKeymateStateClean),
			},
		}},
		CheckDestroy: func(*terraform.State) error { return recorder.checkRunKeysClosed(t) },
	})
}

// Bad arguments are rejected at plan, naming the argument, before any key
// is created.
func TestAccAPIKeyEphemeralResource_validation(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	var steps []resource.TestStep
	for _, tc := range []struct{ args, want string }{
		{`name_prefix = "ci"` + "\n" + `scopes = ["keys:read"]` + "\n" + `ttl = "30s"`, `(?s)ttl.*must be between 1m0s and 24h0m0s`},
		{`name_prefix = "ci"` + "\n" + `scopes = ["keys:read"]` + "\n" + `ttl = "25h"`, `(?s)ttl.*must be between 1m0s and 24h0m0s`},
		{`name_prefix = "ci"` + "\n" + `scopes = ["keys:read"]` + "\n" + `ttl = "soon"`, `(?s)ttl.*is not a duration`},
		{`name_prefix = "ci"` + "\n" + `scopes = ["keys:read", "root"]`, `(?s)scopes.*value must be one of`},
		{`name_prefix = "ci"` + "\n" + `scopes = []`, `(?s)scopes.*at least 1`},
		{`name_prefix = "-ci"` + "\n" + `scopes = ["keys:read"]`, `(?s)name_prefix.*must contain only letters`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      "ephemeral \"keymate_api_key\" \"bad\" {\n" + tc.args + "\n}",
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		Steps:                    steps,
		CheckDestroy: func(*terraform.State) error {
			keys, err := testClient(t, inst).ListAPIKeys(context.Background(), client.ListAPIKeysOptions{})
			if err != nil {
				return err
			}
			if len(keys) != 1 { // the bootstrap admin key
				return fmt.Errorf("%d keys exist after rejected configurations, want only the admin key", len(keys))
			}
			return nil
		},
	})
}

// protocolValue builds a value of s's object type: the given attributes, all
// others null.
func protocolValue(t *testing.T, s *tfprotov6.Schema, values map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	attrs := map[string]tftypes.Value{}
	for _, a := range s.Block.Attributes {
		attrs[a.Name] = tftypes.NewValue(a.ValueType(), nil)
	}
	for _, b := range s.Block.BlockTypes {
		attrs[b.TypeName] = tftypes.NewValue(b.ValueType(), nil)
	}
	for name, v := range values {
		attrs[name] = v
	}
	dv, err := tfprotov6.NewDynamicValue(s.ValueType(), tftypes.NewValue(s.ValueType(), attrs))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// noDiagnostics fails the test on any error diagnostic.
func noDiagnostics(t *testing.T, what string, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("%s: %s: %s", what, d.Summary, d.Detail)
		}
	}
}

// checkRenewAt proves that Terraform is asked to renew after 80% of ttl,
// counted from the call that returned renewAt (between before and after).
func checkRenewAt(t *testing.T, renewAt, before, after time.Time, ttl time.Duration) {
	t.Helper()
	if lead := ttl * 4 / 5; renewAt.Before(before.Add(lead)) || renewAt.After(after.Add(lead)) {
		t.Errorf("RenewAt = %s, want 80%% of %s after the call (between %s and %s)", renewAt, ttl, before.Add(lead), after.Add(lead))
	}
}

// Through the plugin protocol, as Terraform drives it: Open creates a key
// expiring ttl from the provider's clock and asks for renewal at 80% of
// ttl; Renew, which sees only the private data, moves the expiry to ttl from
// the clock's new time; Close revokes the key, and closing again is fine.
func TestAPIKeyEphemeralResourceLifecycleProtocol(t *testing.T) {
	t.Parallel()
	inst := servertest.Start(t)
	ctx := context.Background()
	env := map[string]string{envEndpoint: inst.URL, envAPIKey: inst.AdminKey}
	server, err := newServer(newProvider("test", inst.Clock, func(k string) string { return env[k] })())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: protocolValue(t, schemas.Provider, nil)})
	if err != nil {
		t.Fatal(err)
	}
	noDiagnostics(t, "configure", configured.Diagnostics)

	const typeName = "keymate_api_key"
	keySchema := schemas.EphemeralResourceSchemas[typeName]
	if keySchema == nil {
		t.Fatal("the provider has no ephemeral keymate_api_key")
	}
	ttl := 30 * time.Minute
	before := time.Now()
	opened, err := server.OpenEphemeralResource(ctx, &tfprotov6.OpenEphemeralResourceRequest{
		TypeName: typeName,
		Config: protocolValue(t, keySchema, map[string]tftypes.Value{
			"name_prefix": tftypes.NewValue(tftypes.String, "deploy"),
			"scopes":      tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{tftypes.NewValue(tftypes.String, "audit:read")}),
			"ttl":         tftypes.NewValue(tftypes.String, "30m"),
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	noDiagnostics(t, "open", opened.Diagnostics)
	checkRenewAt(t, opened.RenewAt, before, time.Now(), ttl)
	result, err := opened.Result.Unmarshal(keySchema.ValueType())
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	var id, secret string
	if err := result.As(&attrs); err != nil {
		t.Fatal(err)
	}
	if err := attrs["id"].As(&id); err != nil {
		t.Fatal(err)
	}
	if err := attrs["secret"].As(&secret); err != nil {
		t.Fatal(err)
	}
	if ok, err := acceptsSecret(inst, secret); err != nil || !ok {
		t.Fatalf("the API rejects the secret of the opened key (err %v)", err)
	}
	c := testClient(t, inst)
	expiry := func() time.Time {
		t.Helper()
		key, err := c.GetAPIKey(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if key.ExpiresAt == nil {
			t.Fatalf("key %s has no expiry", id)
		}
		return key.ExpiresAt.UTC()
	}
	if got, want := expiry(), servertest.StartTime.Add(ttl); !got.Equal(want) {
		t.Errorf("expires_at after open = %s, want %s", got, want)
	}

	inst.Clock.Advance(24 * time.Minute)
	before = time.Now()
	renewed, err := server.RenewEphemeralResource(ctx, &tfprotov6.RenewEphemeralResourceRequest{TypeName: typeName, Private: opened.Private})
	if err != nil {
		t.Fatal(err)
	}
	noDiagnostics(t, "renew", renewed.Diagnostics)
	checkRenewAt(t, renewed.RenewAt, before, time.Now(), ttl)
	if got, want := expiry(), servertest.StartTime.Add(24*time.Minute+ttl); !got.Equal(want) {
		t.Errorf("expires_at after renew = %s, want %s", got, want)
	}

	for i := range 2 { // the second close finds the key already revoked
		closed, err := server.CloseEphemeralResource(ctx, &tfprotov6.CloseEphemeralResourceRequest{TypeName: typeName, Private: opened.Private})
		if err != nil {
			t.Fatal(err)
		}
		noDiagnostics(t, fmt.Sprintf("close #%d", i+1), closed.Diagnostics)
	}
	key, err := c.GetAPIKey(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if key.Status != apiv1.KeyStatusRevoked {
		t.Errorf("status after close = %q, want revoked", key.Status)
	}
	if ok, err := acceptsSecret(inst, secret); err != nil || ok {
		t.Errorf("the secret still works after close (err %v)", err)
	}
}
