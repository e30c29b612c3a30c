package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/openapiclient"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// generatedClientConformance calls every operation of api/openapi.yaml
// through the Go client that oapi-codegen generates from it
// (internal/server/openapiclient), against a server of its own behind the
// conformance middleware: per kind a create, a read, a list with a filter, an
// update with If-Match and a delete or revoke, and the kind's typical 401,
// 403, 404, 409, 412 and 422 (with its field paths). Every answer is decoded
// into the generated type of its status, strictly (answer.want).
func generatedClientConformance(t *testing.T, c *conformance) {
	t.Helper()
	manual := clock.NewManual(servertest.StartTime)
	url, admin, srv := c.start(generated, server.Config{DataDir: t.TempDir(), Clock: manual, RateLimit: 1000, RateBurst: 1000,
		Destinations: servertest.LoopbackDestinations})
	cl, err := openapiclient.NewClientWithResponses(url)
	if err != nil {
		t.Fatal(err)
	}
	g := &gen{t: t, ctx: t.Context(), cl: cl, admin: bearer(admin)}
	reader := got(cl.CreateAPIKeyWithResponse(g.ctx, nil, openapiclient.CreateAPIKeyRequest{Name: "gen-reader",
		Scopes: []openapiclient.Scope{openapiclient.ScopeKeysRead}}, g.admin)).want(t, http.StatusCreated).JSON201
	g.reader = bearer(*reader.Secret)

	g.operations(c.source)
	g.apiKeys()
	channel := g.notificationChannels()
	g.alertRules(srv, channel)
	g.accessGrants()
	g.backupSchedules()
	g.accountReads()

	// The answers of the request layer: a body the contract refuses (400), one
	// too large (413), and an exhausted rate limit (429), on a server of its own.
	spare := `{"name":"gen-spare","scopes":["keys:read"],"extra":true}`
	wantCode(t, got(cl.CreateAPIKeyWithBodyWithResponse(g.ctx, nil, "application/json", strings.NewReader(spare), g.admin, markInvalid)).
		want(t, http.StatusBadRequest).JSON400, openapiclient.ErrorBodyCodeBadRequest)
	huge := `{"name":"` + strings.Repeat("a", 1<<20) + `","scopes":["keys:read"]}`
	wantCode(t, got(cl.CreateAPIKeyWithBodyWithResponse(g.ctx, nil, "application/json", strings.NewReader(huge), g.admin, markInvalid)).
		want(t, http.StatusRequestEntityTooLarge).JSON413, openapiclient.ErrorBodyCodeBadRequest)
	throttledURL, throttledAdmin, _ := c.start(generated, server.Config{DataDir: t.TempDir(), Clock: manual, RateLimit: 1, RateBurst: 1})
	throttled, err := openapiclient.NewClientWithResponses(throttledURL)
	if err != nil {
		t.Fatal(err)
	}
	got(throttled.ListAPIKeysWithResponse(g.ctx, nil, bearer(throttledAdmin))).want(t, http.StatusOK)
	limited := got(throttled.ListAPIKeysWithResponse(g.ctx, nil, bearer(throttledAdmin))).want(t, http.StatusTooManyRequests)
	if h := limited.Headers429; h.RetryAfter == nil || *h.RetryAfter < 1 || h.XRateLimitRemaining == nil || *h.XRateLimitRemaining != 0 {
		t.Errorf("429 headers: %+v", h)
	}
}

// gen is the generated client's conformance run.
type gen struct {
	t     *testing.T
	ctx   context.Context
	cl    *openapiclient.ClientWithResponses
	admin openapiclient.RequestEditorFn // the bootstrap admin key
	// reader holds keys:read only: every write, and every read of another
	// kind, is a 403 for it.
	reader openapiclient.RequestEditorFn
}

// markInvalid marks a request that breaks the contract on purpose: the
// conformance middleware then requires the contract to refuse it.
func markInvalid(_ context.Context, req *http.Request) error {
	req.Header.Set(headerInvalid, "1")
	return nil
}

// anonymous sends no credentials.
func anonymous(context.Context, *http.Request) error { return nil }

func bearer(secret string) openapiclient.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+secret)
		return nil
	}
}

// answer is a generated client's response with its error.
type answer[R any] struct {
	resp *R
	err  error
}

func got[R any](resp *R, err error) answer[R] { return answer[R]{resp, err} }

// want fails the test unless the call got status, and checks the body
// strictly against the generated type of that status (generatedBodyProblems).
func (a answer[R]) want(t *testing.T, status int) *R {
	t.Helper()
	if a.err != nil {
		t.Fatalf("generated client: %v", a.err)
	}
	v := reflect.ValueOf(a.resp).Elem()
	resp := v.FieldByName("HTTPResponse").Interface().(*http.Response)
	body := v.FieldByName("Body").Bytes()
	where := resp.Request.Method + " " + resp.Request.URL.Path
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %s", where, resp.StatusCode, status, body)
	}
	typed := v.FieldByName(fmt.Sprintf("JSON%d", status))
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case typed.IsValid() && typed.IsNil():
		t.Fatalf("%s: the generated client did not decode the %d answer (Content-Type %q): %s", where, status, mediaType, body)
	case typed.IsValid():
		for _, problem := range generatedBodyProblems(body, typed.Type().Elem()) {
			t.Errorf("%s: the %d answer as openapiclient.%s: %s\nbody: %s", where, status, typed.Type().Elem().Name(), problem, body)
		}
	case mediaType == "application/json":
		t.Fatalf("%s: the generated client has no type for the %d answer: %s", where, status, body)
	}
	return a.resp
}

// generatedBodyProblems says where body does not decode into the generated
// type typ as the contract means it: a field the type lacks, a null where the
// contract declares no nullable, a value outside an enum, or anything lost or
// added when the decoded value is encoded again (a required field missing, a
// number the type cannot hold). None means it fits.
func generatedBodyProblems(body []byte, typ reflect.Type) []string {
	value := reflect.New(typ)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(value.Interface()); err != nil {
		return []string{fmt.Sprintf("it does not decode: %v", err)}
	}
	problems := contractProblems(value.Elem(), "$")
	again, err := json.Marshal(value.Interface())
	if err != nil {
		return append(problems, fmt.Sprintf("it does not encode again: %v", err))
	}
	var sent, kept any
	if err := json.Unmarshal(body, &sent); err != nil {
		return append(problems, fmt.Sprintf("it is not JSON: %v", err))
	}
	if err := json.Unmarshal(again, &kept); err != nil {
		return append(problems, fmt.Sprintf("it encodes again as no JSON: %v", err))
	}
	if diff := firstDifference("$", sent, kept); diff != "" {
		problems = append(problems, "the type does not hold it: "+diff)
	}
	return problems
}

// contractProblems walks a decoded value for what the encoding/json decoder
// lets through: enum values the generated type does not know (its Valid
// method) and null decoded into a list or map that the contract does not
// declare nullable (which would encode again as the same null). A declared
// nullable is a nullable.Nullable, whose null holds nothing to check.
func contractProblems(v reflect.Value, path string) []string {
	switch value := v.Interface().(type) {
	case interface{ Valid() bool }:
		if !value.Valid() {
			return []string{fmt.Sprintf("%s is %q, which is not in the contract's enum", path, v.Interface())}
		}
	case interface{ IsNull() bool }:
		if value.IsNull() || v.Len() == 0 {
			return nil
		}
		return contractProblems(v.MapIndex(reflect.ValueOf(true)), path) // a nullable.Nullable keeps its value under true
	}
	var problems []string
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			problems = contractProblems(v.Elem(), path)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			field := v.Type().Field(i)
			name, options, _ := strings.Cut(field.Tag.Get("json"), ",")
			if !field.IsExported() || name == "" {
				continue
			}
			f := v.Field(i)
			_, custom := f.Interface().(json.Marshaler)
			if (f.Kind() == reflect.Slice || f.Kind() == reflect.Map) && f.IsNil() && !custom && !strings.Contains(options, "omitempty") {
				problems = append(problems, fmt.Sprintf("%s.%s is null, which the contract does not declare nullable", path, name))
			}
			problems = append(problems, contractProblems(f, path+"."+name)...)
		}
	case reflect.Slice:
		for i := range v.Len() {
			problems = append(problems, contractProblems(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			problems = append(problems, contractProblems(iter.Value(), fmt.Sprintf("%s[%v]", path, iter.Key()))...)
		}
	}
	return problems
}

// firstDifference names the first place where two decoded JSON values
// differ, "" when they are equal.
func firstDifference(path string, sent, kept any) string {
	switch s := sent.(type) {
	case map[string]any:
		k, ok := kept.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: the server sent an object, the type gives %v", path, kept)
		}
		for _, name := range sortedKeys(s, k) {
			sv, inSent := s[name]
			kv, inKept := k[name]
			switch {
			case !inKept:
				return fmt.Sprintf("%s.%s: the server sent %v, which the type drops", path, name, sv)
			case !inSent:
				return fmt.Sprintf("%s.%s: the server left it out, the type gives %v", path, name, kv)
			}
			if diff := firstDifference(path+"."+name, sv, kv); diff != "" {
				return diff
			}
		}
		return ""
	case []any:
		k, ok := kept.([]any)
		if !ok || len(k) != len(s) {
			return fmt.Sprintf("%s: the server sent %v, the type gives %v", path, sent, kept)
		}
		for i := range s {
			if diff := firstDifference(fmt.Sprintf("%s[%d]", path, i), s[i], k[i]); diff != "" {
				return diff
			}
		}
		return ""
	default:
		if !reflect.DeepEqual(sent, kept) {
			return fmt.Sprintf("%s: the server sent %v, the type gives %v", path, sent, kept)
		}
		return ""
	}
}

func sortedKeys(maps ...map[string]any) []string {
	var keys []string
	for _, m := range maps {
		for k := range m {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// wantFields fails the test unless env is a validation_failed error naming
// every one of paths among its fields.
func wantFields(t *testing.T, env *openapiclient.ErrorEnvelope, paths ...string) {
	t.Helper()
	var named []string
	if env.Error.Fields != nil {
		for _, f := range *env.Error.Fields {
			named = append(named, f.Path)
		}
	}
	if env.Error.Code != openapiclient.ErrorBodyCodeValidationFailed {
		t.Errorf("code %q, want validation_failed: %s", env.Error.Code, env.Error.Message)
	}
	for _, p := range paths {
		if !slices.Contains(named, p) {
			t.Errorf("the 422 names the fields %q, not %q: %s", named, p, env.Error.Message)
		}
	}
}

// wantCode fails the test unless env has the error code.
func wantCode(t *testing.T, env *openapiclient.ErrorEnvelope, code openapiclient.ErrorBodyCode) {
	t.Helper()
	if env.Error.Code != code {
		t.Errorf("code %q, want %q: %s", env.Error.Code, code, env.Error.Message)
	}
}

// ids returns the id of every listed object.
func ids[T any](items []T) []string {
	var out []string
	for _, item := range items {
		out = append(out, reflect.ValueOf(item).FieldByName("Id").String())
	}
	return out
}

// wantListed fails the test unless the list holds exactly the objects want.
func wantListed[T any](t *testing.T, what string, items []T, want ...string) {
	t.Helper()
	if listed := ids(items); !slices.Equal(listed, want) {
		t.Errorf("%s lists %v, want %v", what, listed, want)
	}
}

// operations reads the server's own documents: health, the contract, metrics.
func (g *gen) operations(contract []byte) {
	t, ctx, cl := g.t, g.ctx, g.cl
	if health := got(cl.GetHealthWithResponse(ctx)).want(t, http.StatusOK); health.JSON200.Status != openapiclient.Ok {
		t.Errorf("health %q", health.JSON200.Status)
	}
	doc := got(cl.GetOpenAPIWithResponse(ctx)).want(t, http.StatusOK)
	if doc.YAML200 == nil || doc.YAML200.Openapi != "3.0.3" || !bytes.Equal(doc.Body, contract) {
		t.Errorf("GET /openapi.yaml: the generated client read %+v from %d bytes, want api/openapi.yaml", doc.YAML200, len(doc.Body))
	}
	if metrics := got(cl.GetMetricsWithResponse(ctx, g.admin)).want(t, http.StatusOK); !bytes.Contains(metrics.Body, []byte("keymate_http_requests_total")) {
		t.Errorf("GET /metrics: no keymate_http_requests_total in\n%s", metrics.Body)
	}
	wantCode(t, got(cl.GetMetricsWithResponse(ctx, anonymous)).want(t, http.StatusUnauthorized).JSON401, openapiclient.ErrorBodyCodeUnauthorized)
	wantCode(t, got(cl.GetMetricsWithResponse(ctx, g.reader)).want(t, http.StatusForbidden).JSON403, openapiclient.ErrorBodyCodeForbidden)
}

// keyUsage reads the usage of key id: the admin's reads of it are not its
// own requests, so it has none; a bad window is a 422 on window; the
// keys:read scope is needed.
func (g *gen) keyUsage(id string) {
	t, ctx, cl := g.t, g.ctx, g.cl
	usage := got(cl.GetAPIKeyUsageWithResponse(ctx, id, &openapiclient.GetAPIKeyUsageParams{Window: ptr("48h")}, g.admin)).want(t, http.StatusOK)
	if u := usage.JSON200; u.KeyId != id || u.Window != "48h0m0s" || u.Requests != 0 || len(u.Routes) != 0 {
		t.Errorf("usage of %s: %+v", id, u)
	}
	wantFields(t, got(cl.GetAPIKeyUsageWithResponse(ctx, id, &openapiclient.GetAPIKeyUsageParams{Window: ptr("1y")}, g.admin)).
		want(t, http.StatusUnprocessableEntity).JSON422, "window")
	got(cl.GetAPIKeyUsageWithResponse(ctx, "key_missing", nil, g.admin)).want(t, http.StatusNotFound)
	got(cl.GetAPIKeyUsageWithResponse(ctx, id, nil, anonymous)).want(t, http.StatusUnauthorized)
}

func (g *gen) apiKeys() {
	t, ctx, cl := g.t, g.ctx, g.cl
	idem := "gen-key-1"
	create := openapiclient.CreateAPIKeyRequest{Name: "gen-payments", Description: ptr("payments"),
		Scopes:       []openapiclient.Scope{openapiclient.ScopeKeysRead, openapiclient.ScopeAuditRead},
		RotationDays: ptr(30), RotationGracePeriod: ptr("1h"), ExpiresAt: ptr(servertest.StartTime.AddDate(1, 0, 0))}
	key := got(cl.CreateAPIKeyWithResponse(ctx, &openapiclient.CreateAPIKeyParams{IdempotencyKey: &idem}, create, g.admin)).want(t, http.StatusCreated)
	if key.JSON201.Secret == nil || key.JSON201.SecretSource != openapiclient.Generated {
		t.Errorf("created key: secret %v, source %q", key.JSON201.Secret, key.JSON201.SecretSource)
	}
	replay := got(cl.CreateAPIKeyWithResponse(ctx, &openapiclient.CreateAPIKeyParams{IdempotencyKey: &idem}, create, g.admin)).want(t, http.StatusCreated)
	if h := replay.Headers201.IdempotentReplayed; h == nil || *h != "true" || replay.JSON201.Id != key.JSON201.Id {
		t.Errorf("the retried create: Idempotent-Replayed %v, id %s, want a replay of %s", h, replay.JSON201.Id, key.JSON201.Id)
	}
	id := key.JSON201.Id
	supplied := got(cl.CreateAPIKeyWithResponse(ctx, nil, openapiclient.CreateAPIKeyRequest{Name: "gen-supplied",
		Scopes: []openapiclient.Scope{openapiclient.ScopeKeysRead}, Secret: ptr("gen-client-supplied-secret-0123456789")}, g.admin)).want(t, http.StatusCreated)
	if supplied.JSON201.Secret != nil || supplied.JSON201.SecretSource != openapiclient.Supplied {
		t.Errorf("key with a supplied secret: secret %v, source %q", supplied.JSON201.Secret, supplied.JSON201.SecretSource)
	}
	wantCode(t, got(cl.CreateAPIKeyWithResponse(ctx, nil, create, g.admin)).want(t, http.StatusConflict).JSON409, openapiclient.ErrorBodyCodeConflict)
	bad := create
	bad.Name, bad.RotationGracePeriod, bad.ExpiresAt = "gen-bad", ptr("1y"), ptr(servertest.StartTime.AddDate(-1, 0, 0))
	wantFields(t, got(cl.CreateAPIKeyWithResponse(ctx, nil, bad, g.admin)).want(t, http.StatusUnprocessableEntity).JSON422,
		"rotation_grace_period", "expires_at")
	wantCode(t, got(cl.CreateAPIKeyWithResponse(ctx, nil, create, anonymous)).want(t, http.StatusUnauthorized).JSON401, openapiclient.ErrorBodyCodeUnauthorized)
	wantCode(t, got(cl.CreateAPIKeyWithResponse(ctx, nil, create, g.reader)).want(t, http.StatusForbidden).JSON403, openapiclient.ErrorBodyCodeForbidden)

	read := got(cl.GetAPIKeyWithResponse(ctx, id, g.admin)).want(t, http.StatusOK)
	if read.JSON200.Name != "gen-payments" || read.JSON200.Status != openapiclient.APIKeyStatusActive || read.JSON200.Secret != nil {
		t.Errorf("read key: %+v", read.JSON200)
	}
	wantCode(t, got(cl.GetAPIKeyWithResponse(ctx, "key_missing", g.admin)).want(t, http.StatusNotFound).JSON404, openapiclient.ErrorBodyCodeNotFound)
	list := got(cl.ListAPIKeysWithResponse(ctx, &openapiclient.ListAPIKeysParams{NamePrefix: ptr("gen-pay"),
		Scope: ptr(openapiclient.ScopeAuditRead), Status: ptr(openapiclient.ListAPIKeysParamsStatusActive)}, g.admin)).want(t, http.StatusOK)
	wantListed(t, "api keys named gen-pay* with audit:read", list.JSON200.Data, id)
	g.keyUsage(id)
	found := got(cl.GetIdempotentCreateWithResponse(ctx, openapiclient.GetIdempotentCreateParamsCollectionApiKeys, idem, g.admin)).want(t, http.StatusOK)
	if found.JSON200.ObjectId != id || found.JSON200.ObjectType != openapiclient.IdempotentCreateObjectTypeApiKey {
		t.Errorf("idempotent create %s: %+v, want api_key %s", idem, found.JSON200, id)
	}
	got(cl.GetIdempotentCreateWithResponse(ctx, openapiclient.GetIdempotentCreateParamsCollectionAlertRules, idem, g.reader)).want(t, http.StatusForbidden)

	etag := read.Headers200.ETag
	updated := got(cl.UpdateAPIKeyWithResponse(ctx, id, &openapiclient.UpdateAPIKeyParams{IfMatch: etag}, openapiclient.UpdateAPIKeyRequest{
		Name: ptr("gen-payments-2"), Description: nullable.NewNullNullable[string](), ExpiresAt: nullable.NewNullNullable[time.Time]()}, g.admin)).want(t, http.StatusOK)
	if k := updated.JSON200; k.Name != "gen-payments-2" || k.Description != "" || !k.ExpiresAt.IsNull() || k.Version != 2 {
		t.Errorf("updated key: %+v", k)
	}
	wantCode(t, got(cl.UpdateAPIKeyWithResponse(ctx, id, &openapiclient.UpdateAPIKeyParams{IfMatch: etag}, openapiclient.UpdateAPIKeyRequest{
		Name: ptr("gen-payments-3")}, g.admin)).want(t, http.StatusPreconditionFailed).JSON412, openapiclient.ErrorBodyCodePreconditionFailed)
	wantFields(t, got(cl.UpdateAPIKeyWithResponse(ctx, id, nil, openapiclient.UpdateAPIKeyRequest{
		RotationGracePeriod: ptr("forever")}, g.admin)).want(t, http.StatusUnprocessableEntity).JSON422, "rotation_grace_period")
	got(cl.UpdateAPIKeyWithResponse(ctx, "key_missing", nil, openapiclient.UpdateAPIKeyRequest{Name: ptr("x")}, g.admin)).want(t, http.StatusNotFound)

	rotated := got(cl.RotateAPIKeyWithResponse(ctx, id, &openapiclient.RotateAPIKeyParams{IfMatch: updated.Headers200.ETag},
		openapiclient.RotateAPIKeyRequest{GracePeriod: ptr("0s")}, g.admin)).want(t, http.StatusOK)
	if k := rotated.JSON200; k.Secret == nil || *k.Secret == *key.JSON201.Secret || !k.PreviousSecretExpiresAt.IsSpecified() {
		t.Errorf("rotated key: %+v", k)
	}
	got(cl.RotateAPIKeyWithResponse(ctx, id, &openapiclient.RotateAPIKeyParams{IfMatch: etag}, openapiclient.RotateAPIKeyRequest{}, g.admin)).
		want(t, http.StatusPreconditionFailed)
	wantFields(t, got(cl.RotateAPIKeyWithResponse(ctx, id, nil, openapiclient.RotateAPIKeyRequest{GracePeriod: ptr("1y")}, g.admin)).
		want(t, http.StatusUnprocessableEntity).JSON422, "grace_period")

	got(cl.RevokeAPIKeyWithResponse(ctx, id, &openapiclient.RevokeAPIKeyParams{IfMatch: etag}, g.admin)).want(t, http.StatusPreconditionFailed)
	got(cl.RevokeAPIKeyWithResponse(ctx, id, &openapiclient.RevokeAPIKeyParams{IfMatch: rotated.Headers200.ETag}, g.admin)).want(t, http.StatusNoContent)
	got(cl.RevokeAPIKeyWithResponse(ctx, id, nil, g.admin)).want(t, http.StatusNotFound)
	wantCode(t, got(cl.RotateAPIKeyWithResponse(ctx, id, nil, openapiclient.RotateAPIKeyRequest{}, g.admin)).want(t, http.StatusConflict).JSON409,
		openapiclient.ErrorBodyCodeConflict)
	wantCode(t, got(cl.UpdateAPIKeyWithResponse(ctx, id, nil, openapiclient.UpdateAPIKeyRequest{Name: ptr("x")}, g.admin)).want(t, http.StatusConflict).JSON409,
		openapiclient.ErrorBodyCodeConflict)
	if revoked := got(cl.GetAPIKeyWithResponse(ctx, id, g.admin)).want(t, http.StatusOK).JSON200; revoked.Status != openapiclient.APIKeyStatusRevoked || !revoked.RevokedAt.IsSpecified() || revoked.RevokedAt.IsNull() {
		t.Errorf("revoked key: %+v", revoked)
	}
	got(cl.GetIdempotentCreateWithResponse(ctx, openapiclient.GetIdempotentCreateParamsCollectionApiKeys, idem, g.admin)).want(t, http.StatusNotFound)
}

// notificationChannels returns a webhook channel that a loopback receiver
// answers, for the alert rules.
func (g *gen) notificationChannels() openapiclient.NotificationChannel {
	t, ctx, cl := g.t, g.ctx, g.cl
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(hook.Close)
	idem := "gen-nc-1"
	create := openapiclient.CreateNotificationChannelRequest{Name: "gen-hook", Type: openapiclient.CreateNotificationChannelRequestTypeWebhook,
		Webhook: &openapiclient.WebhookInput{Url: ptr(hook.URL), Headers: &map[string]string{"X-Team": "sre"}, SigningSecret: ptr("gen-signing-secret-01")}}
	ch := got(cl.CreateNotificationChannelWithResponse(ctx, &openapiclient.CreateNotificationChannelParams{IdempotencyKey: &idem}, create, g.admin)).
		want(t, http.StatusCreated).JSON201
	if webhook, err := ch.Webhook.Get(); err != nil || webhook.Url != hook.URL || !slices.Equal(webhook.HeaderNames, []string{"X-Team"}) || ch.Slack.IsSpecified() && !ch.Slack.IsNull() {
		t.Errorf("created channel: %+v", ch)
	}
	for _, other := range []openapiclient.CreateNotificationChannelRequest{
		{Name: "gen-slack", Type: openapiclient.CreateNotificationChannelRequestTypeSlack,
			Slack: &openapiclient.SlackInput{WebhookUrl: ptr("https://hooks.slack.com/services/T/B/x"), Channel: ptr("#alerts")}},
		{Name: "gen-pd", Type: openapiclient.CreateNotificationChannelRequestTypePagerduty,
			Pagerduty: &openapiclient.PagerDutyInput{RoutingKey: ptr("R0123456789abcdef0123456789ABCDE")}},
		{Name: "gen-mail", Type: openapiclient.CreateNotificationChannelRequestTypeEmail, Enabled: ptr(false),
			Email: &openapiclient.EmailInput{Addresses: &[]string{"ops@example.com"}}},
	} {
		got(cl.CreateNotificationChannelWithResponse(ctx, nil, other, g.admin)).want(t, http.StatusCreated)
	}
	mismatched := openapiclient.CreateNotificationChannelRequest{Name: "gen-x", Type: openapiclient.CreateNotificationChannelRequestTypeWebhook,
		Slack: &openapiclient.SlackInput{WebhookUrl: ptr("https://hooks.slack.com/x"), Channel: ptr("#a")}}
	wantFields(t, got(cl.CreateNotificationChannelWithResponse(ctx, nil, mismatched, g.admin)).want(t, http.StatusUnprocessableEntity).JSON422, "webhook", "slack")
	got(cl.CreateNotificationChannelWithResponse(ctx, nil, create, anonymous)).want(t, http.StatusUnauthorized)
	got(cl.CreateNotificationChannelWithResponse(ctx, nil, create, g.reader)).want(t, http.StatusForbidden)

	read := got(cl.GetNotificationChannelWithResponse(ctx, ch.Id, g.admin)).want(t, http.StatusOK)
	got(cl.GetNotificationChannelWithResponse(ctx, "nc_missing", g.admin)).want(t, http.StatusNotFound)
	got(cl.GetNotificationChannelWithResponse(ctx, ch.Id, g.reader)).want(t, http.StatusForbidden)
	list := got(cl.ListNotificationChannelsWithResponse(ctx, &openapiclient.ListNotificationChannelsParams{
		Type: ptr(openapiclient.ListNotificationChannelsParamsTypeWebhook)}, g.admin)).want(t, http.StatusOK)
	wantListed(t, "webhook channels", list.JSON200.Data, ch.Id)

	etag := read.Headers200.ETag
	updated := got(cl.UpdateNotificationChannelWithApplicationMergePatchPlusJSONBodyWithResponse(ctx, ch.Id,
		&openapiclient.UpdateNotificationChannelParams{IfMatch: etag},
		openapiclient.UpdateNotificationChannelRequest{Name: ptr("gen-hook-2"), Webhook: &openapiclient.WebhookInput{Headers: &map[string]string{}}}, g.admin)).
		want(t, http.StatusOK)
	if webhook, err := updated.JSON200.Webhook.Get(); err != nil || updated.JSON200.Name != "gen-hook-2" || len(webhook.HeaderNames) != 0 {
		t.Errorf("updated channel: %+v", updated.JSON200)
	}
	got(cl.UpdateNotificationChannelWithResponse(ctx, ch.Id, &openapiclient.UpdateNotificationChannelParams{IfMatch: etag},
		openapiclient.UpdateNotificationChannelRequest{Enabled: ptr(false)}, g.admin)).want(t, http.StatusPreconditionFailed)
	wantFields(t, got(cl.UpdateNotificationChannelWithResponse(ctx, ch.Id, nil,
		openapiclient.UpdateNotificationChannelRequest{Type: ptr("email")}, g.admin)).want(t, http.StatusUnprocessableEntity).JSON422, "type")
	got(cl.UpdateNotificationChannelWithResponse(ctx, "nc_missing", nil, openapiclient.UpdateNotificationChannelRequest{Enabled: ptr(false)}, g.admin)).
		want(t, http.StatusNotFound)

	tested := got(cl.TestNotificationChannelWithResponse(ctx, ch.Id, g.admin)).want(t, http.StatusOK).JSON200
	if tested.Status != openapiclient.ChannelTestResultStatusSucceeded || tested.HttpStatus != http.StatusNoContent {
		t.Errorf("channel test: %+v", tested)
	}
	got(cl.TestNotificationChannelWithResponse(ctx, "nc_missing", g.admin)).want(t, http.StatusNotFound)
	found := got(cl.GetIdempotentCreateWithResponse(ctx, openapiclient.GetIdempotentCreateParamsCollectionNotificationChannels, idem, g.admin)).want(t, http.StatusOK)
	if found.JSON200.ObjectId != ch.Id {
		t.Errorf("idempotent create %s: %+v, want %s", idem, found.JSON200, ch.Id)
	}
	return *got(cl.GetNotificationChannelWithResponse(ctx, ch.Id, g.admin)).want(t, http.StatusOK).JSON200
}

// alertRules works on a rule that notifies channel, which it deletes at the
// end (409 while the rule uses it). The rule's metric, the request rate, opens
// an incident once the server's jobs run.
func (g *gen) alertRules(srv *server.Server, channel openapiclient.NotificationChannel) {
	t, ctx, cl := g.t, g.ctx, g.cl
	idem := "gen-ar-1"
	create := openapiclient.CreateAlertRuleRequest{Name: "gen-traffic", Description: ptr("any traffic"),
		Severity: openapiclient.CreateAlertRuleRequestSeverityWarning, Metric: openapiclient.ApiRequestRate,
		Condition:              openapiclient.AlertCondition{Operator: openapiclient.AlertConditionOperatorGt, Threshold: 0.001, Window: "5m"},
		NotificationChannelIds: &[]string{channel.Id}, RenotifyInterval: ptr("1h"), Labels: &map[string]string{"team": "sre"}}
	rule := got(cl.CreateAlertRuleWithResponse(ctx, &openapiclient.CreateAlertRuleParams{IdempotencyKey: &idem}, create, g.admin)).
		want(t, http.StatusCreated).JSON201
	if rule.Condition.Window != "5m0s" || !slices.Equal(rule.NotificationChannelIds, []string{channel.Id}) || rule.OpenIncidentId.IsSpecified() && !rule.OpenIncidentId.IsNull() {
		t.Errorf("created rule: %+v", rule)
	}
	bad := create
	bad.Name, bad.NotificationChannelIds = "gen-bad", &[]string{"nc_missing"}
	wantFields(t, got(cl.CreateAlertRuleWithResponse(ctx, nil, bad, g.admin)).want(t, http.StatusUnprocessableEntity).JSON422, "notification_channel_ids[0]")
	got(cl.CreateAlertRuleWithResponse(ctx, nil, create, anonymous)).want(t, http.StatusUnauthorized)
	got(cl.CreateAlertRuleWithResponse(ctx, nil, create, g.reader)).want(t, http.StatusForbidden)

	if err := srv.RunJobs(ctx); err != nil {
		t.Fatal(err)
	}
	read := got(cl.GetAlertRuleWithResponse(ctx, rule.Id, g.admin)).want(t, http.StatusOK)
	if read.JSON200.OpenIncidents != 1 || read.JSON200.OpenIncidentId.IsNull() {
		t.Errorf("the rule has no open incident after the jobs ran: %+v", read.JSON200)
	}
	got(cl.GetAlertRuleWithResponse(ctx, "ar_missing", g.admin)).want(t, http.StatusNotFound)
	list := got(cl.ListAlertRulesWithResponse(ctx, &openapiclient.ListAlertRulesParams{Severity: ptr(openapiclient.ListAlertRulesParamsSeverityWarning),
		Metric: ptr(openapiclient.ApiRequestRate), Enabled: ptr(true)}, g.admin)).want(t, http.StatusOK)
	wantListed(t, "enabled warning rules on api.request_rate", list.JSON200.Data, rule.Id)
	incidents := got(cl.ListAlertIncidentsWithResponse(ctx, rule.Id, &openapiclient.ListAlertIncidentsParams{Limit: ptr(10)}, g.admin)).want(t, http.StatusOK)
	if data := incidents.JSON200.Data; len(data) != 1 || data[0].Status != openapiclient.AlertIncidentStatusOpen || data[0].RuleId != rule.Id {
		t.Errorf("incidents of %s: %+v", rule.Id, data)
	}
	got(cl.ListAlertIncidentsWithResponse(ctx, "ar_missing", nil, g.admin)).want(t, http.StatusNotFound)
	history := got(cl.ListAllAlertIncidentsWithResponse(ctx, &openapiclient.ListAllAlertIncidentsParams{RuleId: &rule.Id,
		Status: ptr(openapiclient.ListAllAlertIncidentsParamsStatusOpen)}, g.admin)).want(t, http.StatusOK)
	if data := history.JSON200.Data; len(data) != 1 || data[0].RuleId != rule.Id {
		t.Errorf("the alert history of %s: %+v", rule.Id, data)
	}
	got(cl.ListAllAlertIncidentsWithResponse(ctx, nil, g.reader)).want(t, http.StatusForbidden)

	etag := read.Headers200.ETag
	update := got(cl.UpdateAlertRuleWithResponse(ctx, rule.Id, &openapiclient.UpdateAlertRuleParams{IfMatch: etag},
		openapiclient.UpdateAlertRuleRequest{Condition: &openapiclient.AlertConditionPatch{Threshold: ptr(1000.0)}, RenotifyInterval: ptr("")}, g.admin)).
		want(t, http.StatusOK)
	if updated := update.JSON200; updated.Condition.Threshold != 1000 || updated.Condition.Window != "5m0s" || updated.RenotifyInterval != "" {
		t.Errorf("updated rule: %+v", updated)
	}
	got(cl.UpdateAlertRuleWithResponse(ctx, rule.Id, &openapiclient.UpdateAlertRuleParams{IfMatch: etag},
		openapiclient.UpdateAlertRuleRequest{Enabled: ptr(false)}, g.admin)).want(t, http.StatusPreconditionFailed)
	wantFields(t, got(cl.UpdateAlertRuleWithResponse(ctx, rule.Id, nil, openapiclient.UpdateAlertRuleRequest{
		Condition: &openapiclient.AlertConditionPatch{Window: ptr("5x")}}, g.admin)).want(t, http.StatusUnprocessableEntity).JSON422, "condition.window")
	got(cl.UpdateAlertRuleWithResponse(ctx, "ar_missing", nil, openapiclient.UpdateAlertRuleRequest{Enabled: ptr(false)}, g.admin)).want(t, http.StatusNotFound)
	found := got(cl.GetIdempotentCreateWithResponse(ctx, openapiclient.GetIdempotentCreateParamsCollectionAlertRules, idem, g.admin)).want(t, http.StatusOK)
	if found.JSON200.ObjectId != rule.Id {
		t.Errorf("idempotent create %s: %+v, want %s", idem, found.JSON200, rule.Id)
	}

	wantCode(t, got(cl.DeleteNotificationChannelWithResponse(ctx, channel.Id, nil, g.admin)).want(t, http.StatusConflict).JSON409, openapiclient.ErrorBodyCodeConflict)
	got(cl.DeleteAlertRuleWithResponse(ctx, rule.Id, &openapiclient.DeleteAlertRuleParams{IfMatch: etag}, g.admin)).want(t, http.StatusPreconditionFailed)
	got(cl.DeleteAlertRuleWithResponse(ctx, rule.Id, &openapiclient.DeleteAlertRuleParams{IfMatch: update.Headers200.ETag}, g.admin)).
		want(t, http.StatusNoContent)
	got(cl.DeleteAlertRuleWithResponse(ctx, rule.Id, nil, g.admin)).want(t, http.StatusNotFound)
	got(cl.DeleteAlertRuleWithResponse(ctx, rule.Id, nil, g.reader)).want(t, http.StatusForbidden)

	chETag := ptr(fmt.Sprintf("%q", fmt.Sprint(channel.Version)))
	got(cl.DeleteNotificationChannelWithResponse(ctx, channel.Id, &openapiclient.DeleteNotificationChannelParams{IfMatch: ptr(`"1"`)}, g.admin)).
		want(t, http.StatusPreconditionFailed)
	got(cl.DeleteNotificationChannelWithResponse(ctx, channel.Id, &openapiclient.DeleteNotificationChannelParams{IfMatch: chETag}, g.admin)).want(t, http.StatusNoContent)
	got(cl.DeleteNotificationChannelWithResponse(ctx, channel.Id, nil, g.admin)).want(t, http.StatusNotFound)
}

func (g *gen) accessGrants() {
	t, ctx, cl := g.t, g.ctx, g.cl
	idem := "gen-ag-1"
	create := openapiclient.CreateAccessGrantRequest{Principal: openapiclient.Principal{Type: openapiclient.PrincipalTypeTeam, Id: "gen-sre"},
		Role: openapiclient.CreateAccessGrantRequestRoleOperator, Resource: "alert-rules/*", ExpiresAt: ptr(servertest.StartTime.AddDate(1, 0, 0)),
		Justification: "on call", Ticket: ptr("SEC-1"), ReviewIntervalDays: ptr(30)}
	grant := got(cl.CreateAccessGrantWithResponse(ctx, &openapiclient.CreateAccessGrantParams{IdempotencyKey: &idem}, create, g.admin)).
		want(t, http.StatusCreated).JSON201
	if grant.Status != openapiclient.AccessGrantStatusActive || grant.LastReviewedAt.IsSpecified() && !grant.LastReviewedAt.IsNull() {
		t.Errorf("created grant: %+v", grant)
	}
	bad := create
	bad.Resource, bad.ExpiresAt = "no-such-collection/*", ptr(servertest.StartTime.AddDate(-1, 0, 0))
	wantFields(t, got(cl.CreateAccessGrantWithResponse(ctx, nil, bad, g.admin)).want(t, http.StatusUnprocessableEntity).JSON422, "resource", "expires_at")
	got(cl.CreateAccessGrantWithResponse(ctx, nil, create, anonymous)).want(t, http.StatusUnauthorized)
	got(cl.CreateAccessGrantWithResponse(ctx, nil, create, g.reader)).want(t, http.StatusForbidden)

	read := got(cl.GetAccessGrantWithResponse(ctx, grant.Id, g.admin)).want(t, http.StatusOK)
	got(cl.GetAccessGrantWithResponse(ctx, "ag_missing", g.admin)).want(t, http.StatusNotFound)
	list := got(cl.ListAccessGrantsWithResponse(ctx, &openapiclient.ListAccessGrantsParams{PrincipalType: ptr(openapiclient.ListAccessGrantsParamsPrincipalTypeTeam),
		PrincipalId: ptr("gen-sre"), Role: ptr(openapiclient.ListAccessGrantsParamsRoleOperator), Status: ptr(openapiclient.ListAccessGrantsParamsStatusActive)}, g.admin)).
		want(t, http.StatusOK)
	wantListed(t, "active operator grants of team gen-sre", list.JSON200.Data, grant.Id)
	decision := got(cl.CheckAccessWithResponse(ctx, openapiclient.AccessCheckRequest{Principal: create.Principal, Action: openapiclient.ScopeAlertsWrite,
		Resource: "alert-rules/ar_1"}, g.admin)).want(t, http.StatusOK).JSON200
	if !decision.Allowed || !slices.Equal(decision.DecidedBy, []string{grant.Id}) {
		t.Errorf("access check: %+v, want allowed by %s", decision, grant.Id)
	}
	wantFields(t, got(cl.CheckAccessWithResponse(ctx, openapiclient.AccessCheckRequest{Principal: create.Principal, Action: openapiclient.ScopeAlertsWrite,
		Resource: "alert-rules/*"}, g.admin)).want(t, http.StatusUnprocessableEntity).JSON422, "resource")
	got(cl.CheckAccessWithResponse(ctx, openapiclient.AccessCheckRequest{Principal: create.Principal, Action: openapiclient.ScopeAlertsWrite,
		Resource: "alert-rules/ar_1"}, g.reader)).want(t, http.StatusForbidden)

	etag := read.Headers200.ETag
	updated := got(cl.UpdateAccessGrantWithResponse(ctx, grant.Id, &openapiclient.UpdateAccessGrantParams{IfMatch: etag}, openapiclient.UpdateAccessGrantRequest{
		Role: ptr(openapiclient.UpdateAccessGrantRequestRoleViewer), ExpiresAt: nullable.NewNullNullable[time.Time](), Ticket: nullable.NewNullNullable[string]()}, g.admin)).
		want(t, http.StatusOK)
	if u := updated.JSON200; u.Role != openapiclient.AccessGrantRoleViewer || !u.ExpiresAt.IsNull() || u.Ticket != "" {
		t.Errorf("updated grant: %+v", u)
	}
	got(cl.UpdateAccessGrantWithResponse(ctx, grant.Id, &openapiclient.UpdateAccessGrantParams{IfMatch: etag},
		openapiclient.UpdateAccessGrantRequest{Role: ptr(openapiclient.UpdateAccessGrantRequestRoleAuditor)}, g.admin)).want(t, http.StatusPreconditionFailed)
	wantFields(t, got(cl.UpdateAccessGrantWithResponse(ctx, grant.Id, nil, openapiclient.UpdateAccessGrantRequest{
		Principal: &openapiclient.Principal{Type: openapiclient.PrincipalTypeUser, Id: "bob"}}, g.admin)).want(t, http.StatusUnprocessableEntity).JSON422, "principal")
	got(cl.UpdateAccessGrantWithResponse(ctx, "ag_missing", nil, openapiclient.UpdateAccessGrantRequest{Ticket: nullable.NewNullNullable[string]()}, g.admin)).
		want(t, http.StatusNotFound)

	reviewIdem := "gen-rv-1"
	reviewed := got(cl.ReviewAccessGrantWithResponse(ctx, grant.Id, &openapiclient.ReviewAccessGrantParams{IfMatch: updated.Headers200.ETag, IdempotencyKey: &reviewIdem},
		openapiclient.ReviewAccessGrantRequest{Reviewer: "carol", Decision: openapiclient.ReviewAccessGrantRequestDecisionKeep, Comment: ptr("ok")}, g.admin)).
		want(t, http.StatusOK)
	if r := reviewed.JSON200; r.LastReviewedAt.IsNull() || r.Status != openapiclient.AccessGrantStatusActive {
		t.Errorf("reviewed grant: %+v", r)
	}
	got(cl.ReviewAccessGrantWithResponse(ctx, grant.Id, &openapiclient.ReviewAccessGrantParams{IfMatch: etag},
		openapiclient.ReviewAccessGrantRequest{Reviewer: "carol", Decision: openapiclient.ReviewAccessGrantRequestDecisionKeep}, g.admin)).want(t, http.StatusPreconditionFailed)
	reviews := got(cl.ListAccessGrantReviewsWithResponse(ctx, grant.Id, &openapiclient.ListAccessGrantReviewsParams{Limit: ptr(1)}, g.admin)).want(t, http.StatusOK)
	if data := reviews.JSON200.Data; len(data) != 1 || data[0].Reviewer != "carol" || data[0].Decision != openapiclient.AccessGrantReviewDecisionKeep {
		t.Errorf("reviews of %s: %+v", grant.Id, data)
	}
	got(cl.ListAccessGrantReviewsWithResponse(ctx, "ag_missing", nil, g.admin)).want(t, http.StatusNotFound)
	found := got(cl.GetIdempotentCreateWithResponse(ctx, openapiclient.GetIdempotentCreateParamsCollectionAccessGrants, idem, g.admin)).want(t, http.StatusOK)
	if found.JSON200.ObjectId != grant.Id {
		t.Errorf("idempotent create %s: %+v, want %s", idem, found.JSON200, grant.Id)
	}

	got(cl.RevokeAccessGrantWithResponse(ctx, grant.Id, &openapiclient.RevokeAccessGrantParams{IfMatch: etag}, g.admin)).want(t, http.StatusPreconditionFailed)
	got(cl.RevokeAccessGrantWithResponse(ctx, grant.Id, &openapiclient.RevokeAccessGrantParams{IfMatch: reviewed.Headers200.ETag}, g.admin)).want(t, http.StatusNoContent)
	got(cl.RevokeAccessGrantWithResponse(ctx, grant.Id, nil, g.admin)).want(t, http.StatusNotFound)
	got(cl.RevokeAccessGrantWithResponse(ctx, grant.Id, nil, g.reader)).want(t, http.StatusForbidden)
	wantCode(t, got(cl.UpdateAccessGrantWithResponse(ctx, grant.Id, nil, openapiclient.UpdateAccessGrantRequest{
		Role: ptr(openapiclient.UpdateAccessGrantRequestRoleAdmin)}, g.admin)).want(t, http.StatusConflict).JSON409, openapiclient.ErrorBodyCodeConflict)
	got(cl.ReviewAccessGrantWithResponse(ctx, grant.Id, nil, openapiclient.ReviewAccessGrantRequest{Reviewer: "carol",
		Decision: openapiclient.ReviewAccessGrantRequestDecisionKeep}, g.admin)).want(t, http.StatusConflict)
	if revoked := got(cl.GetAccessGrantWithResponse(ctx, grant.Id, g.admin)).want(t, http.StatusOK).JSON200; revoked.Status != openapiclient.AccessGrantStatusRevoked {
		t.Errorf("revoked grant: %+v", revoked)
	}
}

func (g *gen) backupSchedules() {
	t, ctx, cl := g.t, g.ctx, g.cl
	idem := "gen-bs-1"
	create := openapiclient.CreateBackupScheduleRequest{Name: "gen-nightly", Cron: "0 3 * * *", Timezone: ptr("Europe/Berlin"), RetentionDays: ptr(7),
		Include: &[]openapiclient.BackupKind{openapiclient.BackupKindApiKeys, openapiclient.BackupKindAccessGrants}, Destination: ptr("gen-backups"),
		Encrypt: ptr(false), VerifyRestore: ptr(true), Enabled: ptr(true)}
	schedule := got(cl.CreateBackupScheduleWithResponse(ctx, &openapiclient.CreateBackupScheduleParams{IdempotencyKey: &idem}, create, g.admin)).
		want(t, http.StatusCreated).JSON201
	if schedule.LastRun.IsSpecified() && !schedule.LastRun.IsNull() || schedule.NextRunAt.IsNull() {
		t.Errorf("created schedule: %+v", schedule)
	}
	bad := create
	bad.Name, bad.Cron, bad.Timezone, bad.Destination = "gen-bad", "0 3 * *", ptr("Mars/Base"), ptr("../outside")
	wantFields(t, got(cl.CreateBackupScheduleWithResponse(ctx, nil, bad, g.admin)).want(t, http.StatusUnprocessableEntity).JSON422,
		"cron", "timezone", "destination")
	got(cl.CreateBackupScheduleWithResponse(ctx, nil, create, anonymous)).want(t, http.StatusUnauthorized)
	got(cl.CreateBackupScheduleWithResponse(ctx, nil, create, g.reader)).want(t, http.StatusForbidden)

	got(cl.GetBackupScheduleWithResponse(ctx, "bs_missing", g.admin)).want(t, http.StatusNotFound)
	list := got(cl.ListBackupSchedulesWithResponse(ctx, &openapiclient.ListBackupSchedulesParams{Enabled: ptr(true), Ids: ptr(schedule.Id + ",bs_missing")}, g.admin)).
		want(t, http.StatusOK)
	wantListed(t, "enabled schedules among "+schedule.Id+" and bs_missing", list.JSON200.Data, schedule.Id)

	runIdem := "gen-run-1"
	run := got(cl.RunBackupNowWithResponse(ctx, schedule.Id, &openapiclient.RunBackupNowParams{IdempotencyKey: &runIdem}, g.admin)).want(t, http.StatusCreated).JSON201
	if run.Status != openapiclient.BackupRunStatusSucceeded || !run.RestoreVerified || run.ScheduleId != schedule.Id {
		t.Errorf("backup run: %+v", run)
	}
	got(cl.RunBackupNowWithResponse(ctx, "bs_missing", nil, g.admin)).want(t, http.StatusNotFound)
	got(cl.RunBackupNowWithResponse(ctx, schedule.Id, nil, g.reader)).want(t, http.StatusForbidden)
	read := got(cl.GetBackupScheduleWithResponse(ctx, schedule.Id, g.admin)).want(t, http.StatusOK)
	if last, err := read.JSON200.LastRun.Get(); err != nil || last.Id != run.Id {
		t.Errorf("schedule's last run: %+v (%v), want %s", read.JSON200.LastRun, err, run.Id)
	}
	runs := got(cl.ListBackupRunsWithResponse(ctx, schedule.Id, &openapiclient.ListBackupRunsParams{Limit: ptr(1)}, g.admin)).want(t, http.StatusOK)
	wantListed(t, "runs of "+schedule.Id, runs.JSON200.Data, run.Id)
	got(cl.ListBackupRunsWithResponse(ctx, "bs_missing", nil, g.admin)).want(t, http.StatusNotFound)

	etag := read.Headers200.ETag
	updated := got(cl.UpdateBackupScheduleWithResponse(ctx, schedule.Id, &openapiclient.UpdateBackupScheduleParams{IfMatch: etag},
		openapiclient.UpdateBackupScheduleRequest{Cron: ptr("15 4 * * 1"), Include: &[]openapiclient.BackupKind{openapiclient.BackupKindAll}}, g.admin)).
		want(t, http.StatusOK)
	if u := updated.JSON200; u.Cron != "15 4 * * 1" || !slices.Equal(u.Include, []openapiclient.BackupKind{openapiclient.BackupKindAll}) {
		t.Errorf("updated schedule: %+v", u)
	}
	got(cl.UpdateBackupScheduleWithResponse(ctx, schedule.Id, &openapiclient.UpdateBackupScheduleParams{IfMatch: etag},
		openapiclient.UpdateBackupScheduleRequest{Enabled: ptr(false)}, g.admin)).want(t, http.StatusPreconditionFailed)
	wantFields(t, got(cl.UpdateBackupScheduleWithResponse(ctx, schedule.Id, nil, openapiclient.UpdateBackupScheduleRequest{Timezone: ptr("Mars/Base")}, g.admin)).
		want(t, http.StatusUnprocessableEntity).JSON422, "timezone")
	got(cl.UpdateBackupScheduleWithResponse(ctx, "bs_missing", nil, openapiclient.UpdateBackupScheduleRequest{Enabled: ptr(false)}, g.admin)).want(t, http.StatusNotFound)
	found := got(cl.GetIdempotentCreateWithResponse(ctx, openapiclient.GetIdempotentCreateParamsCollectionBackupSchedules, idem, g.admin)).want(t, http.StatusOK)
	if found.JSON200.ObjectId != schedule.Id {
		t.Errorf("idempotent create %s: %+v, want %s", idem, found.JSON200, schedule.Id)
	}

	got(cl.DeleteBackupScheduleWithResponse(ctx, schedule.Id, &openapiclient.DeleteBackupScheduleParams{IfMatch: etag}, g.admin)).want(t, http.StatusPreconditionFailed)
	got(cl.DeleteBackupScheduleWithResponse(ctx, schedule.Id, &openapiclient.DeleteBackupScheduleParams{IfMatch: updated.Headers200.ETag}, g.admin)).
		want(t, http.StatusNoContent)
	got(cl.DeleteBackupScheduleWithResponse(ctx, schedule.Id, nil, g.admin)).want(t, http.StatusNotFound)
	got(cl.DeleteBackupScheduleWithResponse(ctx, schedule.Id, nil, g.reader)).want(t, http.StatusForbidden)
}

// accountReads reads what the run left behind: the audit trail and the
// compliance report.
func (g *gen) accountReads() {
	t, ctx, cl := g.t, g.ctx, g.cl
	events := got(cl.ListAuditEventsWithResponse(ctx, &openapiclient.ListAuditEventsParams{Action: ptr("api_key.revoke"), ObjectType: ptr("api_key"),
		Since: ptr(servertest.StartTime), Until: ptr(servertest.StartTime.Add(time.Hour))}, g.admin)).want(t, http.StatusOK)
	if data := events.JSON200.Data; len(data) != 1 || data[0].Action != "api_key.revoke" {
		t.Errorf("api_key.revoke events: %+v", data)
	}
	// Every event of the run, a page at a time, so that each action's event is decoded.
	actions := map[string]bool{}
	for params := (&openapiclient.ListAuditEventsParams{Limit: ptr(20)}); ; {
		page := got(cl.ListAuditEventsWithResponse(ctx, params, g.admin)).want(t, http.StatusOK).JSON200
		for _, e := range page.Data {
			actions[e.Action] = true
		}
		if page.NextCursor == "" {
			break
		}
		params.Cursor = &page.NextCursor
	}
	want := []string{"access_grant.create", "access_grant.review", "access_grant.revoke", "access_grant.update",
		"alert_rule.create", "alert_rule.delete", "alert_rule.update", "api_key.create", "api_key.revoke", "api_key.rotate",
		"api_key.update", "backup_schedule.create", "backup_schedule.delete", "backup_schedule.run", "backup_schedule.update",
		"notification_channel.create", "notification_channel.delete", "notification_channel.test", "notification_channel.update"}
	if seen := slices.Sorted(maps.Keys(actions)); !slices.Equal(seen, want) {
		t.Errorf("the run's audit trail has the actions %v, want every change it made: %v", seen, want)
	}
	wantFields(t, got(cl.ListAuditEventsWithResponse(ctx, &openapiclient.ListAuditEventsParams{Cursor: ptr("!!")}, g.admin)).
		want(t, http.StatusUnprocessableEntity).JSON422, "cursor")
	got(cl.ListAuditEventsWithResponse(ctx, nil, anonymous)).want(t, http.StatusUnauthorized)
	got(cl.ListAuditEventsWithResponse(ctx, nil, g.reader)).want(t, http.StatusForbidden)

	report := got(cl.GetComplianceReportWithResponse(ctx, nil, g.admin)).want(t, http.StatusOK).JSON200
	if len(report.Findings) == 0 || len(report.Controls) == 0 {
		t.Errorf("compliance report without findings or controls: %+v", report)
	}
	critical := got(cl.GetComplianceReportWithResponse(ctx, &openapiclient.GetComplianceReportParams{
		MinSeverity: ptr(openapiclient.GetComplianceReportParamsMinSeverityCritical)}, g.admin)).want(t, http.StatusOK).JSON200
	for _, f := range critical.Findings {
		if f.Severity != openapiclient.ComplianceSeverityCritical {
			t.Errorf("min_severity=critical lists %+v", f)
		}
	}
	got(cl.GetComplianceReportWithResponse(ctx, nil, g.reader)).want(t, http.StatusForbidden)
}

// TestGeneratedBodyProblems proves that the generated client's decoding
// rejects what a lenient decoder would let through: an answer the contract
// does not describe fails the conformance run.
func TestGeneratedBodyProblems(t *testing.T) {
	valid := `{"id":"nc_1","name":"hook","type":"webhook","enabled":true,
		"webhook":{"url":"https://x.example.com","url_fingerprint":"sha256:0123456789abcdef","url_hidden":false,"host":"x.example.com","header_names":["X-Team"],"headers_fingerprint":"","signing_secret_fingerprint":""},
		"slack":null,"pagerduty":null,"email":null,"last_test_at":null,"last_test_status":"never","last_test_error":"",
		"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","version":1}`
	channel := reflect.TypeFor[openapiclient.NotificationChannel]()
	for name, tc := range map[string]struct {
		change func(map[string]any)
		want   string // in the one problem reported; "" for none
	}{
		"as the contract says":          {func(map[string]any) {}, ""},
		"a declared nullable set":       {func(m map[string]any) { m["last_test_at"] = "2026-01-02T00:00:00Z" }, ""},
		"a field the contract lacks":    {func(m map[string]any) { m["owner"] = "sre" }, `unknown field "owner"`},
		"a field in a nullable object":  {func(m map[string]any) { m["webhook"].(map[string]any)["method"] = "PUT" }, "$.webhook.method: the server sent PUT, which the type drops"},
		"a required field left out":     {func(m map[string]any) { delete(m, "last_test_error") }, "$.last_test_error: the server left it out"},
		"a required nullable left out":  {func(m map[string]any) { delete(m, "slack") }, "$.slack: the server left it out"},
		"null for a string":             {func(m map[string]any) { m["name"] = nil }, "$.name: the server sent <nil>, the type gives "},
		"null for a list":               {func(m map[string]any) { m["webhook"].(map[string]any)["header_names"] = nil }, "$.webhook.header_names is null"},
		"a value outside the enum":      {func(m map[string]any) { m["last_test_status"] = "pending" }, `$.last_test_status is "pending", which is not in the contract's enum`},
		"a fraction for an integer":     {func(m map[string]any) { m["version"] = 1.5 }, "it does not decode"},
		"a time that is not RFC 3339":   {func(m map[string]any) { m["created_at"] = "yesterday" }, "it does not decode"},
		"a number where a list belongs": {func(m map[string]any) { m["webhook"].(map[string]any)["header_names"] = 3 }, "it does not decode"},
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal([]byte(valid), &m); err != nil {
				t.Fatal(err)
			}
			tc.change(m)
			body, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			problems := generatedBodyProblems(body, channel)
			switch {
			case tc.want == "" && len(problems) > 0:
				t.Errorf("problems %q, want none", problems)
			case tc.want != "" && (len(problems) != 1 || !strings.Contains(problems[0], tc.want)):
				t.Errorf("problems %q, want one with %q", problems, tc.want)
			}
		})
	}

	// A number the generated type cannot hold: what oapi-codegen made of a
	// `type: number` without a format (float32), which lost incident values.
	type single struct {
		Value float32 `json:"value"`
	}
	if problems := generatedBodyProblems([]byte(`{"value":0.18333333333333332}`), reflect.TypeFor[single]()); len(problems) != 1 ||
		!strings.Contains(problems[0], "$.value: the server sent 0.18333333333333332, the type gives 0.1833333") {
		t.Errorf("a float32 holding a double: problems %q", problems)
	}
}
