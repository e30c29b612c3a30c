package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// TestBadRequestsNameTheProblem proves that malformed JSON and unknown fields
// are 400s, and invalid values are 422s listing every bad field.
func TestBadRequestsNameTheProblem(t *testing.T) {
	inst := servertest.Start(t)
	id, _ := inst.NewKey(t, "keys:read")
	cases := []struct {
		name, method, path, body string
		status                   int
		mention                  string   // in the message
		fields                   []string // expected field paths, for 422
	}{
		{"malformed", http.MethodPost, "/v1/api-keys", `{"name":`, 400, "malformed JSON", nil},
		{"unknown field", http.MethodPost, "/v1/api-keys", `{"name":"a","scopes":["keys:read"],"colour":1}`, 400, `"colour"`, nil},
		{"not an object", http.MethodPost, "/v1/api-keys", `[1]`, 400, "JSON object", nil},
		{"trailing data", http.MethodPost, "/v1/api-keys", `{"name":"a","scopes":["keys:read"]} {}`, 400, "after the JSON object", nil},
		{"wrong type", http.MethodPost, "/v1/api-keys", `{"name":"a","scopes":["keys:read"],"rotation_days":"9"}`, 422, "rotation_days", []string{"rotation_days"}},
		{"every bad field", http.MethodPost, "/v1/api-keys",
			`{"name":"","scopes":["keys:read","nope","keys:read"],"rotation_days":0,"rotation_grace_period":"721h","expires_at":"2020-01-01T00:00:00Z","secret":"short"}`,
			422, "", []string{"name", "scopes[1]", "scopes[2]", "rotation_days", "rotation_grace_period", "expires_at", "secret"}},
		{"missing required", http.MethodPost, "/v1/api-keys", `{}`, 422, "", []string{"name", "scopes"}},
		{"patch null name", http.MethodPatch, "/v1/api-keys/" + id, `{"name":null,"rotation_days":366}`, 422, "", []string{"name", "rotation_days"}},
		{"rotate short secret", http.MethodPost, "/v1/api-keys/" + id + "/rotate", `{"secret":"too-short"}`, 422, "", []string{"secret"}},
		{"list bad limit", http.MethodGet, "/v1/api-keys?limit=0&status=gone&cursor=!!", "", 422, "", []string{"limit", "cursor", "status"}},
		{"audit bad since", http.MethodGet, "/v1/audit-events?since=yesterday", "", 422, "", []string{"since"}},
		{"one header in two cases", http.MethodPost, "/v1/notification-channels",
			`{"name":"n","type":"webhook","webhook":{"url":"https://x.example.com","headers":{"X-Team":"a","x-team":"b"}}}`,
			422, "", []string{"webhook.headers"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := call(t, inst.URL, tc.method, tc.path, inst.AdminKey, tc.body)
			mustStatus(t, resp, body, tc.status)
			e := errorOf(t, body)
			if !strings.Contains(e.Message, tc.mention) {
				t.Fatalf("message %q does not mention %q", e.Message, tc.mention)
			}
			var paths []string
			for _, f := range e.Fields {
				paths = append(paths, f.Path)
			}
			slices.Sort(paths)
			want := slices.Clone(tc.fields)
			slices.Sort(want)
			if !slices.Equal(paths, want) {
				t.Fatalf("field paths = %v, want %v", paths, want)
			}
		})
	}
}

// TestInvalidUTF8AndDuplicateKeysAre400 proves that the decoder refuses what
// encoding/json would silently accept: bytes that are not UTF-8 and lone
// UTF-16 surrogate escapes (both decoded as U+FFFD), and an object key given
// twice (the last one wins), at any depth and on every kind of body, with a
// 400 that says what and where, and that nothing is created.
func TestInvalidUTF8AndDuplicateKeysAre400(t *testing.T) {
	inst := servertest.Start(t)
	id, _ := inst.NewKey(t, "keys:read")
	grant := createGrant(t, inst, apiv1.CreateAccessGrantRequest{Principal: apiv1.Principal{Type: "user", ID: "u"}, Role: "viewer", Resource: "*"})
	cases := []struct {
		name, method, path, body, mention string
	}{
		{"invalid UTF-8", http.MethodPost, "/v1/api-keys", "{\"name\":\"caf\xe9\",\"scopes\":[\"keys:read\"]}", "not valid UTF-8 at byte 12"},
		{"truncated UTF-8", http.MethodPatch, "/v1/api-keys/" + id, "{\"description\":\"\xe2\x82\"}", "not valid UTF-8"},
		{"lone high surrogate", http.MethodPost, "/v1/api-keys", `{"name":"a\ud800b","scopes":["keys:read"]}`, `\ud800`},
		{"lone low surrogate", http.MethodPost, "/v1/alert-rules", `{"name":"\udc00"}`, `\udc00`},
		{"duplicate key", http.MethodPost, "/v1/api-keys", `{"name":"a","scopes":["keys:read"],"name":"admin-look-alike"}`, `duplicate field "name"`},
		{"duplicate nested key", http.MethodPost, "/v1/access-grants",
			`{"principal":{"type":"user","id":"a","id":"b"},"role":"viewer","resource":"*","justification":"j"}`, `duplicate field "principal.id"`},
		{"duplicate key in a map", http.MethodPost, "/v1/notification-channels",
			`{"name":"n","type":"webhook","webhook":{"url":"http://127.0.0.1:1/","headers":{"X-A":"1","X-A":"2"}}}`, `duplicate field "webhook.headers.X-A"`},
		{"duplicate key deep down", http.MethodPost, "/v1/alert-rules", `{"name":"n","condition":{"window":"5m","window":"1h"}}`, `duplicate field "condition.window"`},
		{"duplicate key in an array", http.MethodPost, "/v1/alert-rules", `{"notification_channel_ids":[{"a":1},{"a":1,"a":2}]}`, `duplicate field "notification_channel_ids[1].a"`},
		{"duplicate key in a patch", http.MethodPatch, "/v1/access-grants/" + grant.ID, `{"role":"viewer","role":"admin"}`, `duplicate field "role"`},
		{"duplicate key on rotate", http.MethodPost, "/v1/api-keys/" + id + "/rotate",
			`{"secret":"` + strings.Repeat("a", 40) + `","secret":"` + strings.Repeat("b", 40) + `"}`, `duplicate field "secret"`},
		{"escaped duplicate key", http.MethodPost, "/v1/backup-schedules", `{"name":"n","cron":"0 3 * * *","n\u0061me":"m"}`, `duplicate field "name"`},
		{"duplicate key in another case", http.MethodPost, "/v1/api-keys", `{"name":"first","NAME":"second","scopes":["keys:read"]}`, `duplicate field "NAME"`},
		{"nested duplicate key in another case", http.MethodPost, "/v1/access-grants",
			`{"principal":{"type":"user","id":"a","Id":"b"},"role":"viewer","resource":"*","justification":"j"}`, `duplicate field "principal.Id"`},
	}
	before := accountSnapshot(t, inst)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := call(t, inst.URL, tc.method, tc.path, inst.AdminKey, tc.body)
			mustStatus(t, resp, body, http.StatusBadRequest)
			if e := errorOf(t, body); e.Code != apiv1.CodeBadRequest || !strings.Contains(e.Message, tc.mention) {
				t.Fatalf("error %+v does not mention %q", e, tc.mention)
			}
		})
	}
	if after := accountSnapshot(t, inst); !bytes.Equal(before, after) {
		t.Fatalf("a refused request changed the account:\nbefore %s\nafter  %s", before, after)
	}
}

// TestNamesRefuseInvisibleCharacters proves that names and free text count
// characters, not bytes, and refuse characters that make text read
// differently from what it is: bidirectional controls, zero-width and other
// invisible formatting characters, and control characters (line breaks and
// tabs only in multi-line text), each a 422 that names the field and the
// character.
func TestNamesRefuseInvisibleCharacters(t *testing.T) {
	inst := servertest.Start(t)
	cases := []struct{ path, body, field, mention string }{
		{"/v1/api-keys", `{"name":"invoice\u202egpj.exe","scopes":["keys:read"]}`, "name", "U+202E"},
		{"/v1/api-keys", `{"name":"ops","description":"zero\u200bwidth","scopes":["keys:read"]}`, "description", "U+200B"},
		{"/v1/notification-channels", `{"name":"on\u2066call","type":"email","email":{"addresses":["a@example.com"]}}`, "name", "U+2066"},
		{"/v1/access-grants", `{"principal":{"type":"user","id":"al\tice"},"role":"viewer","resource":"*","justification":"j"}`, "principal.id", "control"},
		{"/v1/backup-schedules", `{"name":"` + strings.Repeat("é", apiv1.MaxNameLength+1) + `","cron":"0 3 * * *"}`, "name", "at most 128 characters, got 129"},
	}
	for _, tc := range cases {
		resp, body := call(t, inst.URL, http.MethodPost, tc.path, inst.AdminKey, tc.body)
		mustStatus(t, resp, body, http.StatusUnprocessableEntity)
		if e := errorOf(t, body); len(e.Fields) != 1 || e.Fields[0].Path != tc.field || !strings.Contains(e.Fields[0].Message, tc.mention) {
			t.Errorf("%s: fields = %+v, want %s mentioning %q", tc.body, e.Fields, tc.field, tc.mention)
		}
	}
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/backup-schedules", inst.AdminKey,
		`{"name":"`+strings.Repeat("é", apiv1.MaxNameLength)+`","cron":"0 3 * * *"}`)
	mustStatus(t, resp, body, http.StatusCreated)
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/access-grants", inst.AdminKey,
		`{"principal":{"type":"user","id":"alice"},"role":"viewer","resource":"*","justification":"line one\n\tline two"}`)
	mustStatus(t, resp, body, http.StatusCreated)
}

// TestBodyLargerThanOneMiBIsRejected proves the request body limit.
func TestBodyLargerThanOneMiBIsRejected(t *testing.T) {
	inst := servertest.Start(t)
	big := `{"name":"big","scopes":["keys:read"],"description":"` + strings.Repeat("a", 1<<20) + `"}`
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey, big)
	mustStatus(t, resp, body, http.StatusRequestEntityTooLarge)
}

// TestAuditEventsNameFieldsNotValues proves that each mutation writes one
// audit event with actor, action, request id and changed field names, and
// never a value or secret.
func TestAuditEventsNameFieldsNotValues(t *testing.T) {
	inst := servertest.Start(t)
	key := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "audited", Scopes: []string{"keys:read"}})
	resp, body := call(t, inst.URL, http.MethodPatch, "/v1/api-keys/"+key.ID, inst.AdminKey, `{"description":"confidential-words"}`)
	mustStatus(t, resp, body, http.StatusOK)
	patchRequestID := resp.Header.Get(apiv1.HeaderRequestID)
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/api-keys/"+key.ID+"/rotate", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	rotatedSecret := decode[apiv1.APIKey](t, body).Secret
	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/api-keys/"+key.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)

	resp, body = call(t, inst.URL, http.MethodGet, "/v1/audit-events?object_type=api_key&object_id="+key.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	for _, leak := range []string{key.Secret, rotatedSecret, "confidential-words"} {
		if bytes.Contains(body, []byte(leak)) {
			t.Fatal("audit events contain a value or secret")
		}
	}
	events := decode[apiv1.AuditEventList](t, body).Data
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
		if e.ActorKeyID == "" || e.ObjectID != key.ID || e.RequestID == "" {
			t.Fatalf("incomplete event %+v", e)
		}
	}
	if !slices.Equal(actions, []string{"api_key.revoke", "api_key.rotate", "api_key.update", "api_key.create"}) {
		t.Fatalf("actions newest first = %v", actions)
	}
	if update := events[2]; !slices.Equal(update.ChangedFields, []string{"description"}) || update.RequestID != patchRequestID {
		t.Fatalf("update event = %+v, want changed_fields [description] and request id %s", update, patchRequestID)
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/audit-events?action=api_key.rotate&limit=1", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if got := decode[apiv1.AuditEventList](t, body).Data; len(got) != 1 || got[0].Action != "api_key.rotate" {
		t.Fatalf("action filter returned %+v", got)
	}
}

// TestLogsNeverContainSecrets proves that neither presented secrets, nor
// generated or supplied ones, nor the Authorization header reach the log.
func TestLogsNeverContainSecrets(t *testing.T) {
	var logs bytes.Buffer
	supplied := "supplied-secret-0123456789abcdef-XYZ"
	bootstrap := "bootstrap-secret-0123456789abcdef-XYZ"
	srv, err := server.New(server.Config{
		DataDir: t.TempDir(), Clock: clock.NewManual(servertest.StartTime), BootstrapAPIKey: bootstrap,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	resp, body := call(t, ts.URL, http.MethodPost, "/v1/api-keys", bootstrap, `{"name":"a","scopes":["keys:read"],"secret":"`+supplied+`"}`)
	mustStatus(t, resp, body, http.StatusCreated)
	resp, body = call(t, ts.URL, http.MethodPost, "/v1/api-keys", bootstrap, `{"name":"b","scopes":["keys:read"]}`)
	mustStatus(t, resp, body, http.StatusCreated)
	generated := decode[apiv1.APIKey](t, body).Secret
	resp, body = call(t, ts.URL, http.MethodGet, "/v1/api-keys", "wrong-secret-that-must-not-be-logged", "")
	mustStatus(t, resp, body, http.StatusUnauthorized)

	if logs.Len() == 0 {
		t.Fatal("nothing was logged, so the test proves nothing")
	}
	for _, leak := range []string{supplied, bootstrap, generated, "wrong-secret-that-must-not-be-logged", "Bearer"} {
		if strings.Contains(logs.String(), leak) {
			t.Fatalf("the log contains %q-like content", leak[:6])
		}
	}
}

// TestBootstrapKeyFromConfig proves that a configured bootstrap secret
// becomes an admin key, is not reported as generated, and that a too-short
// one is refused without echoing it.
func TestBootstrapKeyFromConfig(t *testing.T) {
	dir := t.TempDir()
	secret := "configured-admin-secret-0123456789abc"
	srv, err := server.New(server.Config{DataDir: dir, BootstrapAPIKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	if srv.GeneratedAdminSecret() != "" {
		t.Fatal("a configured bootstrap key was reported as generated")
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	resp, body := call(t, ts.URL, http.MethodGet, "/v1/audit-events", secret, "")
	mustStatus(t, resp, body, http.StatusOK)

	_, err = server.New(server.Config{DataDir: t.TempDir(), BootstrapAPIKey: "short-one"})
	if err == nil || strings.Contains(err.Error(), "short-one") || !strings.Contains(err.Error(), "secret") {
		t.Fatalf("New with a short bootstrap secret: err = %v", err)
	}
}

// TestOutcomesAreRecorded proves that the server feeds its outcome recorder
// with every request, including auth failures and throttled requests.
func TestOutcomesAreRecorded(t *testing.T) {
	if servertest.Replicated() {
		t.Skip("a replica's own recorder; TestAlertRulesCountTheRequestsOfEveryReplica proves the shared counts")
	}
	inst := servertest.Start(t, servertest.WithRateLimit(1, 1))
	call(t, inst.URL, http.MethodGet, "/v1/api-keys", "", "")
	call(t, inst.URL, http.MethodGet, "/v1/api-keys", inst.AdminKey, "")
	call(t, inst.URL, http.MethodGet, "/v1/api-keys", inst.AdminKey, "")
	s := inst.Server.Outcomes().Summarize(time.Minute)
	if s.Requests != 3 || s.AuthFailures != 1 || s.Throttled != 1 || s.ServerErrors != 0 {
		t.Fatalf("summary = %+v, want 3 requests, 1 auth failure, 1 throttled", s)
	}
}

// TestRequestsTellAbsentNullAndEmptyApart pins, for every kind, what a
// request that leaves a field out, gives it as null or gives it an empty
// value is answered: a create says a missing or null field "is required"
// and judges an empty one by its rule; a merge patch of keys, grants and
// schedules refuses null ("must not be null") except where null clears the
// field (a key's description and expires_at, a grant's ticket and
// expires_at); alert rules and channels take null as absent; a time that is
// not one, or a value of the wrong JSON type, is named against its field.
func TestRequestsTellAbsentNullAndEmptyApart(t *testing.T) {
	inst := servertest.Start(t)
	key := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "described", Description: "d", Scopes: []string{"keys:read"}})
	grant := createGrant(t, inst, apiv1.CreateAccessGrantRequest{Principal: apiv1.Principal{Type: "user", ID: "u"}, Role: "viewer",
		Resource: "*", Ticket: "SEC-1"})
	channel := createChannel(t, inst, `{"name":"hook","type":"webhook","webhook":{"url":"https://hooks.example.com/k"}}`)
	rule := createRule(t, inst, apiv1.CreateAlertRuleRequest{Name: "r", Severity: "info", Metric: apiv1.MetricAuthFailures,
		Condition: apiv1.AlertCondition{Operator: "gt", Threshold: 1, Window: "5m"}, Labels: map[string]string{"a": "b"}})
	schedule := createSchedule(t, inst, `{"name":"nightly","cron":"0 3 * * *"}`)
	ruleText := func(rule apiv1.TextRule, s string) string { return rule.Check(s).Error() }
	type field struct{ path, message string }
	cases := []struct {
		name, method, path, body string
		fields                   []field // nil: 200 or 201
	}{
		{"key create, absent", http.MethodPost, "/v1/api-keys", `{"description":"x"}`,
			[]field{{"name", "is required"}, {"scopes", "is required"}}},
		{"key create, null", http.MethodPost, "/v1/api-keys", `{"name":null,"description":null,"scopes":null,"rotation_days":null}`,
			[]field{{"name", "is required"}, {"scopes", "is required"}}},
		{"key create, empty", http.MethodPost, "/v1/api-keys", `{"name":"","scopes":[]}`,
			[]field{{"name", ruleText(apiv1.KeyNameRule, "")}, {"scopes", "must hold at least one scope"}}},
		{"key create, not a time", http.MethodPost, "/v1/api-keys", `{"name":"t","scopes":["keys:read"],"expires_at":"tomorrow"}`,
			[]field{{"expires_at", `must be an RFC 3339 time such as "2027-01-02T15:04:05Z", got "tomorrow"`}}},
		{"key create, time of the wrong type", http.MethodPost, "/v1/api-keys", `{"name":"t","scopes":["keys:read"],"expires_at":5}`,
			[]field{{"expires_at", "must be a string, not a JSON number"}}},
		{"key create, names in another case", http.MethodPost, "/v1/api-keys", `{"NAME":"cased","Scopes":["keys:read"]}`, nil},
		{"grant create, names in another case", http.MethodPost, "/v1/access-grants",
			`{"Principal":{"TYPE":"user","Id":"u2"},"ROLE":"viewer","resource":"*","Justification":"j","TICKET":"t"}`, nil},
		{"key patch, null", http.MethodPatch, "/v1/api-keys/" + key.ID, `{"name":null,"scopes":null,"rotation_days":null,"rotation_grace_period":null}`,
			[]field{{"name", "must not be null"}, {"scopes", "must not be null"}, {"rotation_days", "must not be null"}, {"rotation_grace_period", "must not be null"}}},
		{"key patch, null clears", http.MethodPatch, "/v1/api-keys/" + key.ID, `{"description":null,"expires_at":null}`, nil},
		{"grant create, absent", http.MethodPost, "/v1/access-grants", `{"principal":{},"ticket":null}`,
			[]field{{"principal.type", "is required"}, {"principal.id", "is required"}, {"role", "is required"}, {"resource", "is required"},
				{"justification", "is required: say why the access is needed"}}},
		{"grant create, null", http.MethodPost, "/v1/access-grants", `{"principal":null,"role":null,"resource":"*","justification":null}`,
			[]field{{"principal", "is required"}, {"role", "is required"}, {"justification", "is required: say why the access is needed"}}},
		{"grant patch, null", http.MethodPatch, "/v1/access-grants/" + grant.ID, `{"principal":null,"justification":null,"ticket":null}`,
			[]field{{"principal", "must not be null"}, {"justification", "must not be null"}}},
		{"grant patch, null clears", http.MethodPatch, "/v1/access-grants/" + grant.ID, `{"ticket":null,"expires_at":null}`, nil},
		{"review, absent and null", http.MethodPost, "/v1/access-grants/" + grant.ID + "/review", `{"decision":null,"comment":null}`,
			[]field{{"reviewer", "is required"}, {"decision", "is required"}}},
		{"access check, absent", http.MethodPost, "/v1/access-checks", `{"principal":{"type":"user","id":null}}`,
			[]field{{"principal.id", "is required"}, {"action", "is required"}, {"resource", "is required"}}},
		{"rule create, absent and null", http.MethodPost, "/v1/alert-rules",
			`{"name":"r2","severity":null,"metric":"auth.failures","condition":{"operator":"gt","window":"5m","threshold":null}}`,
			[]field{{"severity", "is required"}, {"condition.threshold", "is required"}}},
		{"rule patch, null is absent", http.MethodPatch, "/v1/alert-rules/" + rule.ID, `{"name":null,"condition":null,"labels":null,"notification_channel_ids":null}`, nil},
		{"channel create, absent", http.MethodPost, "/v1/notification-channels", `{"name":"c","webhook":null}`,
			[]field{{"type", "is required; one of webhook, slack, pagerduty, email"}}},
		{"channel patch, null is absent", http.MethodPatch, "/v1/notification-channels/" + channel.ID, `{"name":null,"type":null,"webhook":null}`, nil},
		{"channel patch, another type", http.MethodPatch, "/v1/notification-channels/" + channel.ID, `{"type":"slack"}`,
			[]field{{"type", `cannot change from "webhook" to "slack"; create a new channel instead`}}},
		{"schedule create, absent and null", http.MethodPost, "/v1/backup-schedules", `{"name":null,"timezone":null,"include":null}`,
			[]field{{"name", "is required"}, {"cron", "is required"}}},
		{"schedule patch, null", http.MethodPatch, "/v1/backup-schedules/" + schedule.ID, `{"enabled":null,"include":null}`,
			[]field{{"include", "must not be null"}, {"enabled", "must not be null"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := call(t, inst.URL, tc.method, tc.path, inst.AdminKey, tc.body)
			if tc.fields == nil {
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
					t.Fatalf("status %d, want 200 or 201; body: %s", resp.StatusCode, body)
				}
				return
			}
			mustStatus(t, resp, body, http.StatusUnprocessableEntity)
			var got []field
			for _, f := range errorOf(t, body).Fields {
				got = append(got, field{f.Path, f.Message})
			}
			if !slices.Equal(got, tc.fields) {
				t.Fatalf("fields = %q, want %q", got, tc.fields)
			}
		})
	}
	// What the null patches above left: cleared where null clears, untouched where it is absent.
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+key.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if k := decode[apiv1.APIKey](t, body); k.Description != "" || k.Name != "described" {
		t.Errorf("key after the patches = %+v, want its description cleared and its name kept", k)
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/access-grants/"+grant.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if g := decode[apiv1.AccessGrant](t, body); g.Ticket != "" || g.Justification == "" {
		t.Errorf("grant after the patches = %+v, want its ticket cleared and its justification kept", g)
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/alert-rules/"+rule.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if r := decode[apiv1.AlertRule](t, body); r.Version != rule.Version || r.Name != "r" || len(r.Labels) != 1 {
		t.Errorf("rule after a patch of nulls = %+v, want it unchanged", r)
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/notification-channels/"+channel.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if c := decode[apiv1.NotificationChannel](t, body); c.Version != channel.Version || c.Name != "hook" {
		t.Errorf("channel after a patch of nulls = %+v, want it unchanged", c)
	}
}
