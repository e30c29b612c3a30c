package apiv1

import (
	"cmp"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// astField is one JSON member of a wire type as the source declares it.
type astField struct {
	goName, json, typ string
	secret            bool
}

// wireTypesFromSource reads every struct type declared in this package's
// source files, so that a type or field added later is seen without being
// listed anywhere.
func wireTypesFromSource(t *testing.T) map[string][]astField {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	out := map[string][]astField{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			spec, ok := n.(*ast.TypeSpec)
			if !ok || !spec.Name.IsExported() {
				return true
			}
			st, ok := spec.Type.(*ast.StructType)
			if !ok {
				return true
			}
			out[spec.Name.Name] = nil
			for _, f := range st.Fields.List {
				if len(f.Names) == 0 {
					t.Errorf("%s embeds %s: this test does not follow embedded structs; declare the fields", spec.Name.Name, types.ExprString(f.Type))
				}
				tag := reflect.StructTag("")
				if f.Tag != nil {
					raw, _ := strconv.Unquote(f.Tag.Value)
					tag = reflect.StructTag(raw)
				}
				jsonName, _, _ := strings.Cut(tag.Get("json"), ",")
				for _, id := range f.Names {
					if !id.IsExported() || jsonName == "-" {
						continue
					}
					out[spec.Name.Name] = append(out[spec.Name.Name], astField{goName: id.Name,
						json: cmp.Or(jsonName, id.Name), typ: types.ExprString(f.Type), secret: tag.Get(SecretTag) == "true"})
				}
			}
			return true
		})
	}
	return out
}

// responseOf pairs every request type (named ...Request or ...Input) with
// the type the API answers it with: a field of the request that the
// response returns as is cannot be secret, since the API never returns a
// secret. A new request type must be added here.
var responseOf = map[string]string{
	"CreateAPIKeyRequest": "APIKey", "UpdateAPIKeyRequest": "APIKey", "RotateAPIKeyRequest": "APIKey",
	"CreateNotificationChannelRequest": "NotificationChannel", "UpdateNotificationChannelRequest": "NotificationChannel",
	"WebhookInput": "WebhookSettings", "SlackInput": "SlackSettings", "PagerDutyInput": "PagerDutySettings",
	"EmailInput":             "EmailSettings",
	"CreateAlertRuleRequest": "AlertRule", "UpdateAlertRuleRequest": "AlertRule",
	"CreateAccessGrantRequest": "AccessGrant", "UpdateAccessGrantRequest": "AccessGrant",
	"ReviewAccessGrantRequest":    "AccessGrantReview",
	"AccessCheckRequest":          "AccessCheckResult",
	"CreateBackupScheduleRequest": "BackupSchedule", "UpdateBackupScheduleRequest": "BackupSchedule",
}

// notSecret lists request fields the response does not return that are
// nevertheless not secret, each with the reason.
var notSecret = map[string]string{
	"AccessCheckRequest.principal":     "the question of an access check, not stored; the caller holds access:read",
	"AccessCheckRequest.action":        "the question of an access check, not stored",
	"AccessCheckRequest.resource":      "the question of an access check, not stored",
	"RotateAPIKeyRequest.grace_period": "a duration; the response shows its end as previous_secret_expires_at",
}

// secretLikeName matches JSON names that suggest a secret: a field so named
// must be tagged secret, be a fingerprint or be listed in secretLikeNotSecret.
var secretLikeName = regexp.MustCompile(`secret|passw|token|credential|private|(^|_)key$|webhook_url|headers$`)

var secretLikeNotSecret = map[string]string{
	"APIKey.secret_source":              `"generated" or "supplied": where the secret came from, not the secret`,
	"APIKey.previous_secret_expires_at": "a time: when the previous secret stops working",
}

// The API's list of secret fields (the secret struct tag) is complete:
//   - every field a fingerprint names (X for X_fingerprint) is tagged, in
//     every type that has it;
//   - every field of a request that the paired response does not return as
//     is, is tagged or listed in notSecret with a reason;
//   - every field whose name suggests a secret, in any wire type, is tagged,
//     a fingerprint or listed in secretLikeNotSecret;
//   - a tagged field is a string or a map of strings, which the logs can
//     mask, and a request's tagged field is never returned as is.
func TestSecretFieldsAreTagged(t *testing.T) {
	wire := wireTypesFromSource(t)
	fingerprinted := map[string]bool{}
	for _, fields := range wire {
		for _, f := range fields {
			if name, ok := strings.CutSuffix(f.json, "_fingerprint"); ok {
				fingerprinted[name] = true
			}
		}
	}
	for typeName, fields := range wire {
		for _, f := range fields {
			id := typeName + "." + f.json
			if fingerprinted[f.json] && !f.secret {
				t.Errorf("%s (%s) is fingerprinted by the API (%s_fingerprint), so it is a secret: tag it `secret:\"true\"`", id, f.goName, f.json)
			}
			if secretLikeName.MatchString(f.json) && !f.secret && !strings.HasSuffix(f.json, "_fingerprint") && secretLikeNotSecret[id] == "" {
				t.Errorf("%s (%s) is named like a secret: tag it `secret:\"true\"`, or add it to secretLikeNotSecret saying why it is not one", id, f.goName)
			}
			if f.secret && !slices.Contains([]string{"string", "*string", "map[string]string", "*map[string]string"}, f.typ) {
				t.Errorf("%s is tagged secret but is a %s; the logs can mask strings and maps of strings", id, f.typ)
			}
		}
		if !strings.HasSuffix(typeName, "Request") && !strings.HasSuffix(typeName, "Input") {
			continue
		}
		resp, ok := responseOf[typeName]
		if !ok {
			t.Errorf("request type %s has no entry in responseOf: pair it with the type the API answers it with", typeName)
			continue
		}
		if _, ok := wire[resp]; !ok {
			t.Errorf("responseOf[%s] = %s, which is not a struct type of this package", typeName, resp)
			continue
		}
		returned := map[string]bool{}
		for _, rf := range wire[resp] {
			returned[rf.json] = !rf.secret
		}
		for _, f := range fields {
			id := typeName + "." + f.json
			switch {
			case f.secret && returned[f.json]:
				t.Errorf("%s is tagged secret, but %s returns %s as is", id, resp, f.json)
			case !f.secret && !returned[f.json] && notSecret[id] == "":
				t.Errorf("%s (%s) is not returned by %s, so it may be a secret: tag it `secret:\"true\"`, or add it to notSecret saying why it is not one",
					id, f.goName, resp)
			}
		}
	}
	for id := range notSecret {
		typeName, field, _ := strings.Cut(id, ".")
		if !slices.ContainsFunc(wire[typeName], func(f astField) bool { return f.json == field }) {
			t.Errorf("notSecret lists %s, which does not exist", id)
		}
	}
}

// MaskSecrets masks the tagged fields of a body at any depth (inside
// settings objects, pages of lists and maps), keeps the names of secret
// headers, leaves every other value alone, and matches names as
// encoding/json does.
func TestMaskSecrets(t *testing.T) {
	cases := []struct {
		name string
		typ  any
		in   string
		want string
	}{
		{"webhook create", CreateNotificationChannelRequest{},
			`{"name":"n","type":"webhook","webhook":{"url":"https://h/x","headers":{"Authorization":"Bearer t"},"signing_secret":"s"}}`,
			`{"name":"n","type":"webhook","webhook":{"headers":{"Authorization":"***"},"signing_secret":"***","url":"***"}}`},
		{"slack update", &UpdateNotificationChannelRequest{}, `{"slack":{"webhook_url":"https://hooks/T/B/x","channel":"#a"}}`,
			`{"slack":{"channel":"#a","webhook_url":"***"}}`},
		{"pagerduty", CreateNotificationChannelRequest{}, `{"pagerduty":{"routing_key":"abc","events_url":"https://e"}}`,
			`{"pagerduty":{"events_url":"***","routing_key":"***"}}`},
		{"key page", struct {
			Data []APIKey `json:"data"`
		}{}, `{"data":[{"id":"key_1","secret":"km_x","secret_fingerprint":"sha256:1"},{"id":"key_2"}]}`,
			`{"data":[{"id":"key_1","secret":"***","secret_fingerprint":"sha256:1"},{"id":"key_2"}]}`},
		{"case-insensitive names", RotateAPIKeyRequest{}, `{"Secret":"s"}`, `{"Secret":"***"}`},
		{"null secret", RotateAPIKeyRequest{}, `{"secret":null}`, `{"secret":null}`},
		{"map of structs", map[string]RotateAPIKeyRequest{}, `{"a":{"secret":"s"}}`, `{"a":{"secret":"***"}}`},
		{"not an object", APIKey{}, `"secret"`, `"secret"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tc.in), &v); err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(MaskSecrets(reflect.TypeOf(tc.typ), v, "***"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("MaskSecrets(%s) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

// TestMaskURL proves which parts of a destination URL the API masks: the
// userinfo's password (or a lone user name), every query value and the
// fragment; the rest is kept as written.
func TestMaskURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://hooks.example.com/x":                            "https://hooks.example.com/x",
		"https://ops:S3CRET@hooks.example.com/x":                 "https://ops:*****@hooks.example.com/x",
		"https://TOKEN123@hooks.example.com/x":                   "https://*****@hooks.example.com/x",
		"https://hooks.example.com/x?token=QSECRET123":           "https://hooks.example.com/x?token=*****",
		"https://hooks.example.com/x?team=ops&code=C0DE&flag&e=": "https://hooks.example.com/x?team=*****&code=*****&flag&e=",
		"https://hooks.example.com:8443/a%2Fb?sig=abc%3D#frag":   "https://hooks.example.com:8443/a%2Fb?sig=*****#*****",
		"http://127.0.0.1:9/hook?X-Amz-Signature=deadbeef&v=1":   "http://127.0.0.1:9/hook?X-Amz-Signature=*****&v=*****",
		"https://u:p@hooks.example.com/x?key=K#f":                "https://u:*****@hooks.example.com/x?key=*****#*****",
		"://not a url": URLMask,
	} {
		if got := MaskURL(raw); got != want {
			t.Errorf("MaskURL(%q) = %q, want %q", raw, got, want)
		}
	}
	if got := URLHost("https://hooks.example.com:8443/T0/B1/SECRETPATH"); got != "hooks.example.com:8443" {
		t.Errorf("URLHost = %q", got)
	}
}
