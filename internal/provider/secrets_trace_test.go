package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// traceSecret is a secret value a run handles: what it is, whether the
// configuration sets it, and whether the docs say the state holds it (a
// sensitive argument, a generated key secret), which also puts it in the
// plan's JSON.
type traceSecret struct {
	what       string
	value      string
	configured bool
	stored     bool
}

// traceSecrets collects the secrets of a run: the ones the configuration
// sets and the ones seen on the wire (bearer keys, generated key secrets).
type traceSecrets struct {
	list []traceSecret
	seen map[string]bool
	// sent holds every request body that reached the server, to prove that
	// each configured secret really crossed the wire.
	sent strings.Builder
}

func (s *traceSecrets) add(sec traceSecret) string {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if sec.value != "" && !s.seen[sec.value] {
		s.seen[sec.value] = true
		s.list = append(s.list, sec)
	}
	return sec.value
}

// observe records the secrets of one exchange through the proxy: the
// bearer key, and a generated secret in the answer to a key's create or
// rotate.
func (s *traceSecrets) observe(req *http.Request, reqBody []byte, _ int, resBody []byte) {
	s.sent.Write(reqBody)
	if bearer, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
		s.add(traceSecret{what: "a bearer API key", value: bearer})
	}
	if req.Method == http.MethodPost && strings.HasPrefix(req.URL.Path, "/v1/api-keys") {
		var key struct {
			Name   string `json:"name"`
			Secret string `json:"secret"`
		}
		if json.Unmarshal(resBody, &key) == nil {
			// A managed key's generated secret is in state by design; an
			// ephemeral key's ("trace-run-...") never is.
			s.add(traceSecret{what: "the generated secret of key " + key.Name, value: key.Secret,
				stored: !strings.HasPrefix(key.Name, "trace-run-")})
		}
	}
}

// scrub replaces every known secret in s, so that a failure message never
// prints one.
func (s *traceSecrets) scrub(text string) string {
	for i, sec := range s.list {
		text = strings.ReplaceAll(text, sec.value, fmt.Sprintf("[secret %d]", i))
	}
	return text
}

// leaks reports every secret found in text (for stored secrets only when
// storedAllowed is false), naming where, each with the line it is on,
// scrubbed.
func (s *traceSecrets) leaks(where, text string, storedAllowed bool) []string {
	var out []string
	for i, sec := range s.list {
		if sec.stored && storedAllowed {
			continue
		}
		at := strings.Index(text, sec.value)
		if at < 0 {
			continue
		}
		start := strings.LastIndexByte(text[:at], '\n') + 1
		end := strings.IndexByte(text[at:], '\n')
		if end < 0 {
			end = len(text) - at
		}
		line := text[start : at+end]
		if len(line) > 600 {
			line = line[:600] + "..."
		}
		out = append(out, fmt.Sprintf("%s holds secret %d (%s): %s", where, i, sec.what, s.scrub(line)))
	}
	return out
}

// traceVariables are the configuration's secret variables: the ones a
// write-only argument reads are ephemeral and not sensitive (a write-only
// argument is never stored or shown, so it needs no sensitive mark, neither
// from the configuration nor from the schema), the others sensitive.
var traceVariables = []struct {
	name      string
	ephemeral bool
}{
	{"key_secret", true}, {"header", false}, {"token", false}, {"signing", true}, {"signing_stored", false},
	{"slack", true}, {"slack_stored", false}, {"routing", true}, {"routing_stored", false},
	{"url_path", true}, {"url_creds", false},
}

// traceConfig is the configuration of one step of
// TestAccProvider_secretsOutOfTraceLogs: every resource kind and the
// ephemeral key, with secrets from variables as a real configuration has
// them. Step 2 changes names and descriptions (update); step 3 changes
// every secret and rotates both keys (rotate).
func traceConfig(step int) string {
	var b strings.Builder
	for _, v := range traceVariables {
		fmt.Fprintf(&b, "variable %q {\n  type      = string\n  sensitive = %t\n  ephemeral = %t\n}\n\n", v.name, !v.ephemeral, v.ephemeral)
	}
	version := 1 // secrets change in step 3 only
	if step == 3 {
		version = 2
	}
	fmt.Fprintf(&b, `
resource "keymate_api_key" "generated" {
  name                = "trace-generated"
  description         = "update %[1]d"
  scopes              = ["keys:read"]
  rotate_when_changed = { secrets = "%[2]d" }
}

resource "keymate_api_key" "supplied" {
  name              = "trace-supplied"
  description       = "update %[1]d"
  scopes            = ["keys:read"]
  secret_wo         = var.key_secret
  secret_wo_version = %[2]d
}

resource "keymate_notification_channel" "webhook" {
  name = "trace-webhook-%[1]d"
  type = "webhook"
  webhook = {
    url_wo                    = var.url_path
    url_wo_version            = %[2]d
    headers                   = { Authorization = var.header, X-Trace-Token = var.token }
    signing_secret_wo         = var.signing
    signing_secret_wo_version = %[2]d
  }
}

resource "keymate_notification_channel" "webhook_stored" {
  name = "trace-webhook-stored-%[1]d"
  type = "webhook"
  webhook = {
    url            = var.url_creds
    signing_secret = var.signing_stored
  }
}

resource "keymate_notification_channel" "slack" {
  name = "trace-slack-%[1]d"
  type = "slack"
  slack = {
    channel                = "#trace"
    webhook_url_wo         = var.slack
    webhook_url_wo_version = %[2]d
  }
}

resource "keymate_notification_channel" "slack_stored" {
  name = "trace-slack-stored-%[1]d"
  type = "slack"
  slack = {
    channel     = "#trace"
    webhook_url = var.slack_stored
  }
}

resource "keymate_notification_channel" "pagerduty" {
  name = "trace-pagerduty-%[1]d"
  type = "pagerduty"
  pagerduty = {
    routing_key_wo         = var.routing
    routing_key_wo_version = %[2]d
    events_url             = "http://127.0.0.1:9/enqueue"
  }
}

resource "keymate_notification_channel" "pagerduty_stored" {
  name = "trace-pagerduty-stored-%[1]d"
  type = "pagerduty"
  pagerduty = {
    routing_key = var.routing_stored
    events_url  = "http://127.0.0.1:9/enqueue"
  }
}

resource "keymate_notification_channel" "email" {
  name  = "trace-email-%[1]d"
  type  = "email"
  email = { addresses = ["trace@example.com"] }
}

resource "keymate_alert_rule" "rule" {
  name     = "trace-rule-%[1]d"
  severity = "critical"
  metric   = "auth.failures"
  condition = {
    operator  = "gt"
    threshold = 20
    window    = "5m"
  }
  notification_channel_ids = [keymate_notification_channel.webhook.id, keymate_notification_channel.slack.id]
}

resource "keymate_access_grant" "grant" {
  principal = {
    type = "team"
    id   = "trace"
  }
  role          = "viewer"
  resource      = "alert-rules/*"
  justification = "update %[1]d"
  expires_at    = "2099-01-01T00:00:00Z"
}

resource "keymate_backup_schedule" "nightly" {
  name           = "trace-nightly-%[1]d"
  cron           = "0 3 * * *"
  retention_days = 35
}

ephemeral "keymate_api_key" "run" {
  name_prefix = "trace-run"
  scopes      = ["audit:read"]
  ttl         = "30m"
}

provider "keymate" {
  alias   = "run"
  api_key = ephemeral.keymate_api_key.run.secret
}

data "keymate_audit_events" "recent" {
  provider = keymate.run
  limit    = 1
}
`, step, version)
	return b.String()
}

// At TF_LOG=TRACE, through create, update and rotate of every resource
// kind, the ephemeral key and destroy, with the real CLI and provider
// binary, no secret appears in the log, in the CLI's output or in the
// failure messages of this test; a secret given through a write-only
// argument, and an ephemeral key's secret, also appear in neither the state
// nor the plan's JSON. Secrets are known values set in the configuration,
// the bearer keys and the generated key secrets seen on the wire.
func TestAccProvider_secretsOutOfTraceLogs(t *testing.T) {
	t.Parallel()
	// The provider binary reads the real clock, so the server does too.
	// The channels point at loopback (port 9, where nothing listens), which
	// the destination policy allows only when asked.
	inst, _ := testAccSetup(t, servertest.WithClock(clock.Real{}), servertest.WithLoopbackDestinations())
	secrets := &traceSecrets{}
	secrets.add(traceSecret{what: "the provider's API key", value: inst.AdminKey})
	proxy := startWireProxy(t, inst.URL, secrets.observe)

	random := func() string {
		h, err := randomHex(16)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	// values[set][variable]: set 1 for steps 1 and 2, set 2 for step 3.
	values := [3]map[string]string{}
	for set := 1; set <= 2; set++ {
		values[set] = map[string]string{}
		s := func(name, what, value string, stored bool) {
			values[set][name] = secrets.add(traceSecret{what: fmt.Sprintf("%s (set %d)", what, set),
				value: value, configured: true, stored: stored})
		}
		s("key_secret", "secret_wo of an API key", "trace-key-secret-"+random(), false)
		s("header", "a webhook header value", "Bearer trace-header-"+random(), true)
		s("token", "a webhook header value", "trace-token-"+random(), true)
		s("signing", "signing_secret_wo", "trace-signing-"+random(), false)
		s("signing_stored", "signing_secret", "trace-signing-stored-"+random(), true)
		s("slack", "webhook_url_wo of Slack", "http://127.0.0.1:9/services/"+random(), false)
		s("slack_stored", "webhook_url of Slack", "http://127.0.0.1:9/services/stored/"+random(), true)
		s("routing", "routing_key_wo", random(), false)
		s("routing_stored", "routing_key", random(), true)
		s("url_path", "url_wo of a webhook, its path the secret", "http://127.0.0.1:9/hooks/"+random(), false)
		// A webhook url in state holds its credentials as written; the API
		// never returns them, so they are found only in state.
		password := secrets.add(traceSecret{what: fmt.Sprintf("a webhook url's password (set %d)", set),
			value: "trace-url-password-" + random(), configured: true, stored: true})
		token := secrets.add(traceSecret{what: fmt.Sprintf("a webhook url's query token (set %d)", set),
			value: "trace-url-token-" + random(), configured: true, stored: true})
		values[set]["url_creds"] = fmt.Sprintf("http://ops:%s@127.0.0.1:9/hook?token=%s", password, token)
	}

	w := newCLIWorkdir(t, envEndpoint+"="+proxy.URL, envAPIKey+"="+inst.AdminKey)
	var problems []string
	var logs []string
	set := 1
	// tf runs one command at TF_LOG=TRACE, with the secret variables of the
	// current set, logging into a file of its own. It returns the output;
	// the output of every command but show -json (plan or state JSON) must
	// hold no secret at all.
	tf := func(args ...string) string {
		t.Helper()
		logFile := fmt.Sprintf("trace-%02d.log", len(logs)+1)
		env := []string{"TF_LOG=TRACE", "TF_LOG_PATH=" + filepath.Join(w.dir, logFile)}
		for name, value := range values[set] {
			env = append(env, "TF_VAR_"+name+"="+value)
		}
		out, status := w.run(env, args...)
		if status != 0 {
			t.Fatalf("terraform %s exited %d:\n%s", strings.Join(args, " "), status, secrets.scrub(out))
		}
		if args[0] != "show" {
			problems = append(problems, secrets.leaks("the output of terraform "+strings.Join(args, " "), out, false)...)
		}
		logs = append(logs, logFile)
		return out
	}
	for step := 1; step <= 3; step++ {
		set = step/3 + 1
		w.writeConfig(traceConfig(step))
		tf("plan", "-input=false", "-no-color", "-out=step.tfplan")
		problems = append(problems, secrets.leaks(fmt.Sprintf("the plan JSON of step %d", step), tf("show", "-json", "step.tfplan"), true)...)
		tf("apply", "-input=false", "-no-color", "step.tfplan")
		problems = append(problems, secrets.leaks(fmt.Sprintf("the state after step %d", step), w.file("terraform.tfstate"), true)...)
	}
	tf("plan", "-input=false", "-no-color", "-detailed-exitcode") // exits 2, failing, when the plan is not empty
	problems = append(problems, secrets.leaks("terraform show -json", tf("show", "-json"), true)...)
	tf("destroy", "-auto-approve", "-input=false", "-no-color")

	logged := false
	for _, name := range logs {
		text := w.file(name)
		logged = logged || (strings.Contains(text, "Sending HTTP request") && strings.Contains(text, "request_body"))
		problems = append(problems, secrets.leaks(name, text, false)...)
	}
	if !logged {
		t.Error("no log file holds the provider's request body lines: the test would prove nothing")
	}
	// Every configured secret crossed the wire, so its absence elsewhere
	// means it was masked, not that it was never handled.
	for i, sec := range secrets.list {
		if sec.configured && !strings.Contains(secrets.sent.String(), sec.value) {
			t.Errorf("secret %d (%s) was never sent to the API", i, sec.what)
		}
	}
	if got := len(secrets.list); got < 28 {
		t.Errorf("the run handled %d distinct secrets, want at least 28 (24 configured, the API key, 2 generated, 1 ephemeral)", got)
	}
	for _, p := range problems {
		t.Error(p)
	}
}
