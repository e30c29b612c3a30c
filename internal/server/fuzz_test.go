package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/schedule"
	"github.com/keymate/terraform-provider-keymate/internal/server/delivery"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// The fuzz targets of request decoding and validation. Each feeds arbitrary
// bytes through the server's own decoder into a request body type and on
// into its validator, and checks that nothing panics, that every refusal is a
// 400 or a 422 naming its fields, and that whatever is accepted obeys the
// rules the API documents. `make test` runs each briefly, `make fuzz` longer;
// the corpus is in testdata/fuzz.

// fuzzNow is the time validation judges expiry against.
var fuzzNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// requestSeeds are bodies that reach deep into the validators.
var requestSeeds = []string{
	`{}`, `{"name":null}`, `[]`, `{"name":"a","name":"b"}`, "{\"name\":\"caf\xe9\"}", `{"name":"\ud800"}`,
	`{"name":"ops bot","scopes":["keys:read","admin"],"rotation_days":30,"rotation_grace_period":"1h","expires_at":"2027-01-01T00:00:00Z","secret":"0123456789abcdef0123456789abcdef"}`,
	`{"principal":{"type":"team","id":"sre"},"role":"operator","resource":"alert-rules/*","justification":"on call","ticket":"SEC-1","review_interval_days":30,"expires_at":"2026-06-01T00:00:00Z"}`,
	`{"reviewer":"carol","decision":"revoke","comment":"left"}`,
	`{"principal":{"type":"user","id":"a"},"action":"keys:read","resource":"api-keys/key_1"}`,
	`{"name":"errors","severity":"critical","metric":"api.error_rate","condition":{"operator":"gt","threshold":0.5,"window":"5m"},"notification_channel_ids":["nc_1"],"renotify_interval":"1h","labels":{"team":"sre"}}`,
	`{"name":"hook","type":"webhook","webhook":{"url":"https://hooks.example.com/k","headers":{"Authorization":"Bearer x"},"signing_secret":"0123456789abcdef"}}`,
	`{"name":"chat","type":"slack","slack":{"webhook_url":"https://hooks.slack.com/services/x","channel":"#alerts"}}`,
	`{"name":"pager","type":"pagerduty","pagerduty":{"routing_key":"0123456789abcdef0123456789abcdef"}}`,
	`{"name":"mail","type":"email","email":{"addresses":["ops@example.com"]}}`,
	`{"name":"nightly","cron":"0 3 * * *","timezone":"Europe/Berlin","retention_days":7,"include":["api_keys","all"],"destination":"nightly/db","encrypt":true,"verify_restore":false,"enabled":true}`,
}

func addSeeds(f *testing.F) {
	for _, s := range requestSeeds {
		f.Add([]byte(s))
	}
}

// decodeForFuzz decodes body into a T as the handlers do, and returns which
// fields it gives. The decoder may only refuse with a 400 or a 422 naming
// fields.
func decodeForFuzz[T any](t *testing.T, body []byte) (T, presence, bool) {
	t.Helper()
	var v T
	in, err := decodeJSON(body, &v)
	if err != nil {
		checkRefusal(t, err, http.StatusBadRequest, http.StatusUnprocessableEntity)
		return v, nil, false
	}
	return v, in, true
}

// checkRefusal fails unless err is an *apiError with one of statuses whose
// fields (required for a 422) each have a path and a message.
func checkRefusal(t *testing.T, err error, statuses ...int) {
	t.Helper()
	var apiErr *apiError
	if !errors.As(err, &apiErr) || !slices.Contains(statuses, apiErr.status) {
		t.Fatalf("refusal %T %v, want an API error with status %v", err, err, statuses)
	}
	if apiErr.status == http.StatusUnprocessableEntity && len(apiErr.fields) == 0 {
		t.Fatalf("a 422 names no field: %v", err)
	}
	for _, f := range apiErr.fields {
		if f.Path == "" || f.Message == "" {
			t.Fatalf("a field error without path or message: %+v", f)
		}
	}
}

// mustFollow fails when an accepted value breaks its rule.
func mustFollow(t *testing.T, what, value string, rule apiv1.TextRule) {
	t.Helper()
	if err := rule.Check(value); err != nil {
		t.Fatalf("accepted %s %q that %v", what, value, err)
	}
}

// FuzzDecodeJSON checks the decoder against encoding/json: it accepts only
// UTF-8 JSON without a duplicate key, which a second, independent scan
// confirms, and refuses the rest with a 400 or 422.
func FuzzDecodeJSON(f *testing.F) {
	addSeeds(f)
	f.Add([]byte(`{"a":{"b":[{"c":1,"d":"\ud83d\ude00"}]},"e":"\u00e9"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var v map[string]any
		if _, err := decodeJSON(body, &v); err != nil {
			checkRefusal(t, err, http.StatusBadRequest, http.StatusUnprocessableEntity)
			return
		}
		if !utf8.Valid(body) || !json.Valid(body) {
			t.Fatalf("accepted a body that is not UTF-8 JSON: %q", body)
		}
		if key := duplicateKey(body); key != "" {
			t.Fatalf("accepted the duplicate key %q in %q", key, body)
		}
	})
}

// duplicateKey returns a key that an object of the valid JSON text body
// holds twice, or "", scanning with encoding/json's tokenizer.
func duplicateKey(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		keys      map[string]bool // nil for an array
		expectKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) || err != nil {
			return ""
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if key, ok := tok.(string); ok && top != nil && top.keys != nil && top.expectKey {
			if top.keys[key] {
				return key
			}
			top.keys[key] = true
			top.expectKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, expectKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: the enclosing object expects a key next.
		if len(stack) > 0 && stack[len(stack)-1].keys != nil {
			stack[len(stack)-1].expectKey = true
		}
	}
}

// FuzzAPIKeyRequests checks the create, update and rotate bodies of API keys.
func FuzzAPIKeyRequests(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		if b, in, ok := decodeForFuzz[apiv1.CreateAPIKeyRequest](t, body); ok {
			spec, err := validateCreateKey(b, in, fuzzNow)
			if err != nil {
				checkRefusal(t, err, http.StatusUnprocessableEntity)
			} else {
				mustFollow(t, "name", spec.name, apiv1.KeyNameRule)
				mustFollow(t, "description", spec.description, apiv1.DescriptionRule)
				checkScopes(t, spec.scopes)
				checkKeyLimits(t, spec.rotationDays, spec.rotationGracePeriod, spec.expiresAt)
			}
		}
		if b, in, ok := decodeForFuzz[apiv1.UpdateAPIKeyRequest](t, body); ok {
			p, err := validateUpdateKey(b, in, fuzzNow)
			switch {
			case err != nil:
				checkRefusal(t, err, http.StatusUnprocessableEntity)
			case p.name != nil:
				mustFollow(t, "name", *p.name, apiv1.KeyNameRule)
			}
			if err == nil && p.scopes != nil {
				checkScopes(t, p.scopes)
			}
		}
		if b, _, ok := decodeForFuzz[apiv1.RotateAPIKeyRequest](t, body); ok && b.Secret != nil {
			var f fieldErrors
			f.checkSecret(*b.Secret)
			if err := f.err(); err != nil {
				checkRefusal(t, err, http.StatusUnprocessableEntity)
				if strings.Contains(err.Error(), *b.Secret) && len(*b.Secret) > 2 {
					t.Fatalf("the refusal of a secret quotes it: %v", err)
				}
			}
		}
	})
}

func checkScopes(t *testing.T, scopes []string) {
	t.Helper()
	if len(scopes) == 0 {
		t.Fatal("accepted a key without scopes")
	}
	for i, s := range scopes {
		if !apiv1.IsScope(s) || slices.Contains(scopes[:i], s) {
			t.Fatalf("accepted the scopes %v", scopes)
		}
	}
}

func checkKeyLimits(t *testing.T, rotationDays int64, grace time.Duration, expiresAt *time.Time) {
	t.Helper()
	if rotationDays < apiv1.MinRotationDays || rotationDays > apiv1.MaxRotationDays || grace < 0 || grace > apiv1.MaxRotationGracePeriod {
		t.Fatalf("accepted rotation_days %d and grace period %s", rotationDays, grace)
	}
	if expiresAt != nil && !expiresAt.After(fuzzNow) {
		t.Fatalf("accepted expires_at %s, not in the future", expiresAt)
	}
}

// FuzzAccessGrantRequests checks the create, update, review and access
// check bodies of access grants.
func FuzzAccessGrantRequests(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		if b, in, ok := decodeForFuzz[apiv1.CreateAccessGrantRequest](t, body); ok {
			spec, err := validateCreateGrant(b, in, fuzzNow)
			if err != nil {
				checkRefusal(t, err, http.StatusUnprocessableEntity)
			} else {
				mustFollow(t, "principal.id", spec.principal.ID, apiv1.PrincipalIDRule)
				mustFollow(t, "justification", spec.justification, apiv1.JustificationRule)
				mustFollow(t, "ticket", spec.ticket, apiv1.TicketRule)
				if !slices.Contains(apiv1.Roles, spec.role) || apiv1.CheckResourcePattern(spec.resource) != nil ||
					!slices.Contains(apiv1.PrincipalTypes, spec.principal.Type) {
					t.Fatalf("accepted the grant %+v", spec)
				}
			}
		}
		if b, in, ok := decodeForFuzz[apiv1.UpdateAccessGrantRequest](t, body); ok {
			p, err := validateUpdateGrant(b, in, fuzzNow)
			switch {
			case err != nil:
				checkRefusal(t, err, http.StatusUnprocessableEntity)
			case p.role != nil && !slices.Contains(apiv1.Roles, *p.role):
				t.Fatalf("accepted the role %q", *p.role)
			case p.justification != nil:
				mustFollow(t, "justification", *p.justification, apiv1.JustificationRule)
			}
		}
		if b, in, ok := decodeForFuzz[apiv1.ReviewAccessGrantRequest](t, body); ok {
			spec, err := validateReview(b, in)
			if err != nil {
				checkRefusal(t, err, http.StatusUnprocessableEntity)
			} else {
				mustFollow(t, "reviewer", spec.reviewer, apiv1.ReviewerRule)
				mustFollow(t, "comment", spec.comment, apiv1.ReviewCommentRule)
			}
		}
		if b, in, ok := decodeForFuzz[apiv1.AccessCheckRequest](t, body); ok {
			spec, err := validateAccessCheck(b, in)
			if err != nil {
				checkRefusal(t, err, http.StatusUnprocessableEntity)
			} else if !apiv1.IsScope(spec.action) || apiv1.CheckResource(spec.resource) != nil {
				t.Fatalf("accepted the check %+v", spec)
			}
		}
	})
}

// FuzzAlertRuleRequests checks alert rule bodies, as a create and as an
// update of a stored rule.
func FuzzAlertRuleRequests(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		b, in, ok := decodeForFuzz[apiv1.CreateAlertRuleRequest](t, body)
		if !ok {
			return
		}
		stored := store.AlertRule{Name: "stored", Enabled: true, Severity: apiv1.SeverityInfo, Metric: apiv1.MetricAuthFailures,
			Operator: apiv1.OperatorGT, Threshold: 3, Window: 5 * time.Minute}
		for _, rule := range []*store.AlertRule{{Enabled: true}, &stored} {
			creating := rule.Name == ""
			if _, err := validateAlertRule(b, in, creating, rule); err != nil {
				checkRefusal(t, err, http.StatusUnprocessableEntity)
				continue
			}
			mustFollow(t, "name", rule.Name, apiv1.NameRule)
			mustFollow(t, "description", rule.Description, apiv1.DescriptionRule)
			switch {
			case !slices.Contains(apiv1.Severities, rule.Severity), !slices.Contains(apiv1.Metrics(), rule.Metric),
				!slices.Contains(apiv1.Operators, rule.Operator), math.IsNaN(rule.Threshold), rule.Threshold < 0,
				rule.Window < apiv1.MinAlertDuration, rule.Window > apiv1.MaxAlertDuration,
				rule.RenotifyInterval != 0 && rule.RenotifyInterval < apiv1.MinAlertDuration,
				rule.Severity == apiv1.SeverityCritical && len(rule.ChannelIDs) == 0, len(rule.Labels) > apiv1.MaxLabels:
				t.Fatalf("accepted the rule %+v", rule)
			}
			for k, v := range rule.Labels {
				mustFollow(t, "label key", k, apiv1.LabelKeyRule)
				mustFollow(t, "label value", v, apiv1.LabelValueRule)
			}
		}
	})
}

// FuzzNotificationChannelRequests checks channel bodies, as a create and as
// an update of a stored webhook channel.
func FuzzNotificationChannelRequests(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		b, in, ok := decodeForFuzz[apiv1.CreateNotificationChannelRequest](t, body)
		if !ok {
			return
		}
		webhook := delivery.Channel{Type: apiv1.ChannelTypeWebhook,
			Webhook: &delivery.Webhook{URL: "https://hooks.example.com/k", SigningSecret: "0123456789abcdef"}}
		for _, current := range []delivery.Channel{{}, webhook} {
			creating := current.Type == ""
			c, err := validateChannel(b, in, creating, "stored", true, current)
			if err != nil {
				checkRefusal(t, err, http.StatusUnprocessableEntity)
				continue
			}
			mustFollow(t, "name", c.name, apiv1.NameRule)
			checkChannel(t, c.config)
		}
	})
}

// checkChannel fails when an accepted channel configuration breaks a rule.
func checkChannel(t *testing.T, c delivery.Channel) {
	t.Helper()
	switch {
	case c.Webhook != nil:
		if apiv1.CheckChannelURL(c.Webhook.URL, false) != nil {
			t.Fatalf("accepted the webhook %+v", c.Webhook)
		}
		for name, value := range c.Webhook.Headers {
			mustFollow(t, "header name", name, apiv1.HeaderNameRule)
			if strings.ContainsAny(value, "\r\n\x00") {
				t.Fatalf("accepted a header value with a line break or NUL")
			}
		}
	case c.Slack != nil:
		mustFollow(t, "slack channel", c.Slack.Channel, apiv1.SlackChannelRule)
		if apiv1.CheckChannelURL(c.Slack.WebhookURL, true) != nil {
			t.Fatalf("accepted a Slack webhook URL that breaks its rule")
		}
	case c.PagerDuty != nil:
		if apiv1.CheckChannelURL(c.PagerDuty.EventsURL, true) != nil || len(c.PagerDuty.RoutingKey) != apiv1.PagerDutyRoutingKeyLen {
			t.Fatalf("accepted a PagerDuty configuration that breaks its rules")
		}
	case c.Email != nil:
		if len(c.Email.Addresses) == 0 || len(c.Email.Addresses) > apiv1.MaxEmailAddresses {
			t.Fatalf("accepted %d addresses", len(c.Email.Addresses))
		}
		for _, a := range c.Email.Addresses {
			if err := apiv1.CheckEmailAddress(a); err != nil {
				t.Fatalf("accepted the address %q that %v", a, err)
			}
		}
	default:
		t.Fatalf("accepted a channel without settings: %+v", c)
	}
}

// FuzzBackupScheduleRequests checks backup schedule bodies, on a server with
// and without a backup encryption key.
func FuzzBackupScheduleRequests(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, haveKey := range []bool{false, true} {
			if b, in, ok := decodeForFuzz[apiv1.CreateBackupScheduleRequest](t, body); ok {
				spec, err := validateCreateSchedule(b, in, haveKey)
				if err != nil {
					checkRefusal(t, err, http.StatusUnprocessableEntity)
				} else {
					mustFollow(t, "name", spec.name, apiv1.NameRule)
					checkSchedule(t, spec.cron, spec.timezone, spec.destination, spec.include)
					if spec.encrypt && !haveKey {
						t.Fatal("accepted encrypt without a key")
					}
				}
			}
			if b, in, ok := decodeForFuzz[apiv1.UpdateBackupScheduleRequest](t, body); ok {
				p, err := validateUpdateSchedule(b, in, haveKey)
				switch {
				case err != nil:
					checkRefusal(t, err, http.StatusUnprocessableEntity)
				case p.destination != nil && apiv1.CheckBackupDestination(*p.destination) != nil:
					t.Fatalf("accepted the destination %q", *p.destination)
				}
			}
		}
	})
}

func checkSchedule(t *testing.T, cron, timezone, destination string, include []string) {
	t.Helper()
	s, err := schedule.Parse(cron, timezone)
	if err != nil {
		t.Fatalf("accepted a schedule that does not parse: %v", err)
	}
	if next := s.Next(fuzzNow); !next.After(fuzzNow) {
		t.Fatalf("accepted %q in %s, which does not fire after %s", cron, timezone, fuzzNow)
	}
	if err := apiv1.CheckBackupDestination(destination); err != nil {
		t.Fatalf("accepted the destination %q that %v", destination, err)
	}
	if len(include) == 0 || slices.Contains(include, apiv1.IncludeAll) && len(include) != 1 {
		t.Fatalf("accepted include %v", include)
	}
}

// FuzzListQuery checks the query parameters every list reads: limit,
// cursor, ids and booleans; and a usage request's window.
func FuzzListQuery(f *testing.F) {
	for _, q := range []string{"", "limit=0", "limit=1000&cursor=MTI", "ids=a,,b&enabled=true", "limit=%zz", "cursor=!!&enabled=yes",
		"window=24h", "window=59m59s", "window=2160h0m1s", "window=-1h"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // the server's ServeMux has parsed the query by then
		}
		var fe fieldErrors
		limit, _ := fe.parsePage(q)
		ids := fe.parseIDs(q)
		fe.parseQueryBool(q, "enabled")
		window := fe.parseUsageWindow(q)
		if err := fe.err(); err != nil {
			checkRefusal(t, err, http.StatusUnprocessableEntity)
			return
		}
		if limit < 1 || limit > apiv1.MaxPageLimit || len(ids) > apiv1.MaxListIDs || slices.Contains(ids, "") {
			t.Fatalf("accepted limit %d and ids %q from %q", limit, ids, raw)
		}
		if window < apiv1.MinUsageWindow || window > apiv1.UsageRetention {
			t.Fatalf("accepted the usage window %s from %q", window, raw)
		}
	})
}
