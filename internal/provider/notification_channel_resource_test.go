package provider

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

const channelAddr = "keymate_notification_channel.test"

// delivery is one request a webhookReceiver got.
type delivery struct {
	event       string
	header      http.Header
	body        map[string]any
	signatureOK bool // the X-Keymate-Signature header verified under the receiver's secret
}

// webhookReceiver is a loopback HTTP receiver like the one an operator would
// run: it verifies X-Keymate-Signature (HMAC-SHA256 of "<t>.<body>" under
// the signing secret, timestamp at most apiv1.MaxSignatureAge old by the
// server's clock, manual or real), answers 401 to a bad signature and 204 otherwise, and
// records every delivery.
type webhookReceiver struct {
	*httptest.Server
	deliveries chan delivery
}

func newWebhookReceiver(t *testing.T, inst *servertest.Instance, secret string) *webhookReceiver {
	t.Helper()
	r := &webhookReceiver{deliveries: make(chan delivery, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		d := delivery{event: req.Header.Get(apiv1.HeaderEvent), header: req.Header.Clone()}
		_ = json.Unmarshal(body, &d.body)
		now := time.Now() // the server's clock: the manual one, else the wall clock
		if inst.Clock != nil {
			now = inst.Clock.Now()
		}
		d.signatureOK = secret != "" && verifySignature(req.Header.Get(apiv1.HeaderSignature), secret, body, now)
		r.deliveries <- d
		if secret != "" && !d.signatureOK {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

// next returns the next delivery. Alert notifications are delivered in the
// background, so it waits for one; the deadline only bounds a broken run.
func (r *webhookReceiver) next(t *testing.T) delivery {
	t.Helper()
	select {
	case d := <-r.deliveries:
		return d
	case <-time.After(20 * time.Second):
		t.Fatal("the receiver got no delivery")
		return delivery{}
	}
}

// verifySignature checks a "t=<unix>,v1=<hex>" signature of body.
func verifySignature(header, secret string, body []byte, now time.Time) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(unix, 0)) > apiv1.MaxSignatureAge {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(sig), []byte(want))
}

// failingReceiver answers every request with 500 and a message.
func failingReceiver(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "receiver is down for maintenance", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// stateExcludes is a state check that scans the whole state, sensitive
// values included, for a string that must never be stored there.
type stateExcludes struct{ secret string }

func (c stateExcludes) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(raw), c.secret) {
		resp.Error = fmt.Errorf("the state holds a write-only secret")
	}
}

func webhookConfig(name, url, headerValue, secret string) string {
	return fmt.Sprintf(`
resource "keymate_notification_channel" "test" {
  name = %q
  type = "webhook"
  webhook = {
    url            = %q
    headers        = { Authorization = %q }
    signing_secret = %q
  }
}`, name, url, headerValue, secret)
}

// Create, update in place, import and destroy of a webhook channel, with
// the secrets kept (sensitive) in state and the API holding their
// fingerprints.
func TestAccNotificationChannelResource_lifecycle(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var id string
	checkAPI := func(url, header, secret string) acc.TestCheckFunc {
		return func(*terraform.State) error {
			ch, err := c.GetNotificationChannel(context.Background(), id)
			if err != nil {
				return err
			}
			w := ch.Webhook
			if w == nil || w.URL != url || w.SigningSecretFingerprint != apiv1.Fingerprint(secret) ||
				w.HeadersFingerprint != apiv1.HeadersFingerprint(map[string]string{"Authorization": header}) {
				return fmt.Errorf("API holds %+v, want url %s and the fingerprints of the configured secret and headers", w, url)
			}
			return nil
		}
	}
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []acc.TestStep{
			{
				Config: webhookConfig("oncall", "https://hooks.example.com/a", "Bearer one", "signing-secret-0123456789"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(channelAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^nc_`))),
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("send_test_on_apply"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("webhook").AtMapKey("url"), knownvalue.StringExact("https://hooks.example.com/a")),
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("slack"), knownvalue.Null()),
					statecheck.ExpectSensitiveValue(channelAddr, tfjsonpath.New("webhook").AtMapKey("signing_secret")),
					statecheck.ExpectSensitiveValue(channelAddr, tfjsonpath.New("webhook").AtMapKey("headers")),
				},
				Check: acc.ComposeAggregateTestCheckFunc(captureAttr(channelAddr, "id", &id),
					checkAPI("https://hooks.example.com/a", "Bearer one", "signing-secret-0123456789")),
			},
			{
				Config: strings.Replace(webhookConfig("oncall-2", "https://hooks.example.com/b", "Bearer two", "signing-secret-abcdefghij"),
					`type = "webhook"`, `type = "webhook"
  enabled = false`, 1),
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(channelAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("name"), knownvalue.StringExact("oncall-2")),
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("enabled"), knownvalue.Bool(false)),
				},
				Check: checkAPI("https://hooks.example.com/b", "Bearer two", "signing-secret-abcdefghij"),
			},
			{
				ResourceName:      channelAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// The API never returns secrets.
				ImportStateVerifyIgnore: []string{"webhook.url", "webhook.signing_secret", "webhook.headers", "webhook.headers.%", "webhook.headers.Authorization"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					attrs := states[0].Attributes
					if attrs["webhook.url"] != "" || attrs["webhook.signing_secret"] != "" || attrs["webhook.headers.%"] != "" {
						return fmt.Errorf("imported secrets must be null, got url set=%t signing_secret set=%t headers=%q",
							attrs["webhook.url"] != "", attrs["webhook.signing_secret"] != "", attrs["webhook.headers.%"])
					}
					return nil
				},
			},
			{
				// Removing the signing secret and the headers clears them.
				Config: `
resource "keymate_notification_channel" "test" {
  name = "oncall-2"
  type = "webhook"
  webhook = {
    url = "https://hooks.example.com/b"
  }
}`,
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					ch, err := c.GetNotificationChannel(context.Background(), id)
					if err != nil {
						return err
					}
					if ch.Webhook.SigningSecretFingerprint != "" || ch.Webhook.HeadersFingerprint != "" || !ch.Enabled {
						return fmt.Errorf("API still has a signing secret or headers, or is disabled: %+v enabled=%t", ch.Webhook, ch.Enabled)
					}
					return nil
				},
			},
		},
	})
}

// Changes made outside Terraform show in the plan: a renamed channel with
// another URL, a signing secret and headers rotated through the API (seen
// through their fingerprints) plan an update that sets them back, and a
// deleted channel plans a new one.
func TestAccNotificationChannelResource_outOfBand(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	const secret = "signing-secret-0123456789"
	config := webhookConfig("drifting", "https://hooks.example.com/a", "Bearer one", secret)
	var id string
	patch := func(req apiv1.UpdateNotificationChannelRequest) func() {
		return func() {
			if _, err := c.UpdateNotificationChannel(context.Background(), id, req); err != nil {
				t.Fatal(err)
			}
		}
	}
	checkRestored := func(*terraform.State) error {
		ch, err := c.GetNotificationChannel(context.Background(), id)
		if err != nil {
			return err
		}
		if ch.Name != "drifting" || ch.Webhook.URL != "https://hooks.example.com/a" ||
			ch.Webhook.SigningSecretFingerprint != apiv1.Fingerprint(secret) ||
			ch.Webhook.HeadersFingerprint != apiv1.HeadersFingerprint(map[string]string{"Authorization": "Bearer one"}) {
			return fmt.Errorf("apply did not restore the channel: %+v %+v", ch, ch.Webhook)
		}
		return nil
	}
	name, url := "renamed-by-hand", "https://elsewhere.example.com/"
	rotated, headers := "rotated-by-hand-0123456789", map[string]string{"Authorization": "Bearer stolen"}
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []acc.TestStep{
			{Config: config, Check: captureAttr(channelAddr, "id", &id)},
			{
				// A new destination takes the channel's secrets again (here unchanged).
				PreConfig: patch(apiv1.UpdateNotificationChannelRequest{Name: &name, Webhook: &apiv1.WebhookInput{
					URL: &url, SigningSecret: ptr(secret), Headers: &map[string]string{"Authorization": "Bearer one"}}}),
				Config: config,
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(channelAddr, tfjsonpath.New("name"), knownvalue.StringExact("drifting")),
					},
				},
				Check: checkRestored,
			},
			{
				PreConfig: patch(apiv1.UpdateNotificationChannelRequest{Webhook: &apiv1.WebhookInput{SigningSecret: &rotated}}),
				Config:    config,
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate),
						expectChangedAttribute("webhook", "signing_secret"),
					},
				},
				Check: checkRestored,
			},
			{
				PreConfig: patch(apiv1.UpdateNotificationChannelRequest{Webhook: &apiv1.WebhookInput{Headers: &headers}}),
				Config:    config,
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate),
						expectChangedAttribute("webhook", "headers"),
					},
				},
				Check: checkRestored,
			},
			recreateStep(t, channelAddr, config, &id, c.DeleteNotificationChannel),
		},
	})
}

// expectChangedAttribute is a plan check that the planned change of the
// channel (channelAddr) changes the nested attribute object.name (the values
// may be sensitive, so only that they differ is compared).
func expectChangedAttribute(object, name string) plancheck.PlanCheck {
	return changedAttribute{addr: channelAddr, object: object, name: name}
}

type changedAttribute struct{ addr, object, name string }

func (c changedAttribute) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		b, _ := before[c.object].(map[string]any)
		a, _ := after[c.object].(map[string]any)
		bj, _ := json.Marshal(b[c.name])
		aj, _ := json.Marshal(a[c.name])
		if string(bj) == string(aj) {
			resp.Error = fmt.Errorf("%s: %s.%s does not change in the plan", c.addr, c.object, c.name)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.addr)
}

func slackWOConfig(url string, version int) string {
	return fmt.Sprintf(`
resource "keymate_notification_channel" "test" {
  name = "slack-alerts"
  type = "slack"
  slack = {
    webhook_url_wo         = %q
    webhook_url_wo_version = %d
    channel                = "#alerts"
  }
}`, url, version)
}

// A write-only Slack webhook URL never reaches the state; bumping its
// version sends the new value; a URL changed outside Terraform is noticed
// through the API's fingerprint and the plan sends the configured one again.
func TestAccNotificationChannelResource_writeOnlySecret(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	first := "https://hooks.slack.com/services/T000/B000/first-secret-path"
	second := "https://hooks.slack.com/services/T000/B000/second-secret-path"
	var id string
	checkFingerprint := func(url string) acc.TestCheckFunc {
		return func(*terraform.State) error {
			ch, err := c.GetNotificationChannel(context.Background(), id)
			if err != nil {
				return err
			}
			if ch.Slack.WebhookURLFingerprint != apiv1.Fingerprint(url) {
				return fmt.Errorf("API has webhook_url fingerprint %s, want the configured URL's %s", ch.Slack.WebhookURLFingerprint, apiv1.Fingerprint(url))
			}
			return nil
		}
	}
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []acc.TestStep{
			{
				Config: slackWOConfig(first, 1),
				ConfigStateChecks: []statecheck.StateCheck{
					stateExcludes{secret: "first-secret-path"},
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("slack").AtMapKey("webhook_url"), knownvalue.Null()),
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("slack").AtMapKey("webhook_url_wo"), knownvalue.Null()),
				},
				Check: acc.ComposeAggregateTestCheckFunc(captureAttr(channelAddr, "id", &id), checkFingerprint(first)),
			},
			{
				// A changed value without a version bump is not noticed: the
				// version is the trigger.
				Config: slackWOConfig(second, 1),
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: slackWOConfig(second, 2),
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{stateExcludes{secret: "second-secret-path"}},
				Check:             checkFingerprint(second),
			},
			{
				PreConfig: func() {
					leaked := "https://hooks.slack.com/services/T000/B000/changed-by-hand"
					if _, err := c.UpdateNotificationChannel(context.Background(), id, apiv1.UpdateNotificationChannelRequest{
						Slack: &apiv1.SlackInput{WebhookURL: &leaked}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: slackWOConfig(second, 2),
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate),
						expectChangedAttribute("slack", "webhook_url_wo_version"),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					stateExcludes{secret: "second-secret-path"},
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("slack").AtMapKey("webhook_url_wo_version"), knownvalue.Int64Exact(2)),
				},
				Check: checkFingerprint(second),
			},
		},
	})
}

func signedWebhookConfig(url string) string {
	return fmt.Sprintf(`
resource "keymate_notification_channel" "test" {
  name = "signed"
  type = "webhook"
  webhook = {
    url                       = %q
    signing_secret_wo         = "receiver-shared-secret-0123"
    signing_secret_wo_version = 1
  }
  send_test_on_apply = true
}

data "keymate_notification_channel" "test" {
  name       = "signed"
  depends_on = [keymate_notification_channel.test]
}`, url)
}

// send_test_on_apply sends a real, signed test notification on create,
// which a receiver verifying the HMAC signature accepts, and the data source
// shows the result; pointing the channel at a failing receiver makes the
// apply fail with the delivery error, naming the channel.
func TestAccNotificationChannelResource_sendTestOnApply(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t, servertest.WithLoopbackDestinations())
	receiver := newWebhookReceiver(t, inst, "receiver-shared-secret-0123")
	failing := failingReceiver(t)
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []acc.TestStep{
			{
				Config: signedWebhookConfig(receiver.URL + "/keymate"),
				ConfigStateChecks: []statecheck.StateCheck{
					stateExcludes{secret: "receiver-shared-secret-0123"},
					statecheck.ExpectKnownValue("data.keymate_notification_channel.test", tfjsonpath.New("last_test_status"), knownvalue.StringExact("succeeded")),
					statecheck.ExpectKnownValue("data.keymate_notification_channel.test", tfjsonpath.New("last_test_at"), knownvalue.StringExact("2026-01-01T00:00:00Z")),
					statecheck.ExpectKnownValue("data.keymate_notification_channel.test", tfjsonpath.New("webhook").AtMapKey("signing_secret_fingerprint"),
						knownvalue.StringExact(apiv1.Fingerprint("receiver-shared-secret-0123"))),
				},
				Check: func(*terraform.State) error {
					d := receiver.next(t)
					if d.event != apiv1.EventTest || !d.signatureOK {
						return fmt.Errorf("receiver got event %q with valid signature %t, want a signed test event", d.event, d.signatureOK)
					}
					return nil
				},
			},
			{
				Config:      signedWebhookConfig(failing.URL + "/keymate"),
				ExpectError: regexp.MustCompile(`(?s)Test notification through Keymate notification channel "signed"\s+failed.*receiver\s+answered\s+500\s+Internal\s+Server\s+Error`),
			},
		},
	})
}

const pagerDutyConfig = `
resource "keymate_notification_channel" "test" {
  name = "pager"
  type = "pagerduty"
  pagerduty = {
    routing_key = "abcdefghijklmnopqrstuvwxyz012345"
  }
}`

const emailConfig = `
resource "keymate_notification_channel" "test" {
  name = "pager"
  type = "email"
  email = {
    addresses = ["oncall@example.com", "security@example.com"]
  }
}`

// A PagerDuty channel gets the default Events API URL, is found by id by the
// data source with its routing key's fingerprint, and imports without its
// routing key; changing the type replaces the channel (the API cannot
// change it), here with an email channel whose addresses form a set.
func TestAccNotificationChannelResource_pagerDutyThenEmail(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	newID := statecheck.CompareValue(compare.ValuesDiffer())
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []acc.TestStep{
			{
				Config: pagerDutyConfig + `
data "keymate_notification_channel" "by_id" {
  id = keymate_notification_channel.test.id
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					newID.AddStateValue(channelAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue("data.keymate_notification_channel.by_id", tfjsonpath.New("pagerduty"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"events_url":              knownvalue.StringExact(apiv1.DefaultPagerDutyEventURL),
						"events_url_fingerprint":  knownvalue.StringExact(apiv1.Fingerprint(apiv1.DefaultPagerDutyEventURL)),
						"routing_key_fingerprint": knownvalue.StringExact(apiv1.Fingerprint("abcdefghijklmnopqrstuvwxyz012345")),
					})),
					statecheck.ExpectKnownValue("data.keymate_notification_channel.by_id", tfjsonpath.New("last_test_status"), knownvalue.StringExact("never")),
					statecheck.ExpectKnownValue("data.keymate_notification_channel.by_id", tfjsonpath.New("last_test_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("pagerduty").AtMapKey("events_url"), knownvalue.StringExact(apiv1.DefaultPagerDutyEventURL)),
				},
			},
			{
				ResourceName:            channelAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"pagerduty.routing_key"},
			},
			{
				Config: emailConfig,
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					newID.AddStateValue(channelAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("pagerduty"), knownvalue.Null()),
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("email").AtMapKey("addresses"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("oncall@example.com"), knownvalue.StringExact("security@example.com")})),
				},
			},
			{
				// Reordered addresses are the same set.
				Config: strings.Replace(emailConfig, `["oncall@example.com", "security@example.com"]`, `["security@example.com", "oncall@example.com"]`, 1),
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// Bad configurations fail at plan, before any API call, naming the
// attribute.
func TestAccNotificationChannelResource_validation(t *testing.T) {
	t.Parallel()
	_, factories := testAccSetup(t)
	cfg := func(typ, settings string) string {
		return fmt.Sprintf(`
resource "keymate_notification_channel" "test" {
  name = "invalid"
  type = %q
  %s
}`, typ, settings)
	}
	var steps []acc.TestStep
	for _, tc := range []struct{ config, want string }{
		{cfg("webhook", `slack = { webhook_url = "https://hooks.slack.com/x", channel = "#a" }`), `(?s)slack.*slack settings on a\s+webhook channel`},
		{cfg("webhook", `webhook = { url = "https://a.example.com/" }
  email = { addresses = ["a@example.com"] }`), `(?s)email.*email settings on a\s+webhook channel`},
		{cfg("slack", ``), `(?s)type.*A slack channel needs its settings`},
		{cfg("sms", ``), `(?s)type.*value must be one of`},
		{cfg("webhook", `webhook = { url = "hooks.example.com/keymate" }`), `(?s)webhook.url.*not an absolute URL`},
		{cfg("slack", `slack = { webhook_url = "http://hooks.slack.com/x", channel = "#a" }`), `(?s)slack.webhook_url.*must use https`},
		{cfg("slack", `slack = { channel = "#a" }`), `(?s)slack.*webhook_url.*webhook_url_wo`},
		{cfg("slack", `slack = { webhook_url = "https://hooks.slack.com/x", channel = "alerts" }`), `(?s)slack.channel.*must be a channel`},
		{cfg("email", `email = { addresses = ["oncall@example.com", "On Call <oncall@example.com>"] }`), `(?s)email.addresses.*must\s+be\s+a\s+bare\s+email\s+address`},
		{cfg("email", `email = { addresses = [] }`), `(?s)email.addresses.*at least 1`},
		{cfg("pagerduty", `pagerduty = { routing_key = "short" }`), `(?s)pagerduty.routing_key.*32 letters and digits`},
		{cfg("webhook", `webhook = {
    url               = "https://a.example.com/"
    signing_secret    = "0123456789abcdefgh"
    signing_secret_wo = "0123456789abcdefgh"
    signing_secret_wo_version = 1
  }`), `(?s)webhook.signing_secret_wo.*cannot be specified when.*webhook.signing_secret`},
		{cfg("webhook", `webhook = {
    url               = "https://a.example.com/"
    signing_secret_wo = "0123456789abcdefgh"
  }`), `(?s)signing_secret_wo_version.*must be specified`},
		{cfg("webhook", `webhook = {
    url            = "https://a.example.com/"
    signing_secret = "too short"
  }`), `(?s)signing_secret.*at least 16`},
		{cfg("webhook", `webhook = {
    url     = "https://a.example.com/"
    headers = { "X-Keymate-Signature" = "forged" }
  }`), `(?s)webhook.headers.*X-Keymate-Signature`},
	} {
		steps = append(steps, acc.TestStep{Config: tc.config, PlanOnly: true, ExpectError: regexp.MustCompile(tc.want)})
	}
	acc.Test(t, acc.TestCase{ProtoV6ProviderFactories: factories, Steps: steps})
}

// The schema is valid for the framework (for example no write-only value
// inside a computed object), which Terraform would otherwise report only at
// run time.
func TestNotificationChannelSchemaValid(t *testing.T) {
	ctx := context.Background()
	for _, r := range []resource.Resource{newNotificationChannelResource(), newAlertRuleResource()} {
		resp := &resource.SchemaResponse{}
		r.Schema(ctx, resource.SchemaRequest{}, resp)
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Errorf("%T: %v", r, diags)
		}
	}
}

// Read turns a fingerprint mismatch into a planned update of the attribute
// that sends the secret again: the sensitive value when it is in state, else
// the write-only version, else (a secret added outside Terraform where none
// is configured) an empty value that plans its removal. Matching
// fingerprints and an unknown history (after import) change nothing.
func TestPlanSecretResends(t *testing.T) {
	ctx := context.Background()
	const secret = "configured-secret-0123"
	webhook := func(value types.String, version types.Int64) *notificationChannelResourceModel {
		return &notificationChannelResourceModel{Webhook: &webhookChannelModel{
			SigningSecret: value, SigningSecretWOVersion: version, Headers: types.MapNull(types.StringType)}}
	}
	api := func(secretFP, headersFP string) *apiv1.NotificationChannel {
		return &apiv1.NotificationChannel{Webhook: &apiv1.WebhookSettings{SigningSecretFingerprint: secretFP, HeadersFingerprint: headersFP}}
	}
	applied := func(secretFP string) map[string]string {
		return map[string]string{secretWebhookSigningSecret: secretFP, secretWebhookHeaders: ""}
	}
	other := apiv1.Fingerprint("changed-outside-0123")

	m := webhook(types.StringValue(secret), types.Int64Null())
	if got, _ := m.planSecretResends(ctx, api(apiv1.Fingerprint(secret), ""), applied(apiv1.Fingerprint(secret))); len(got) != 0 {
		t.Errorf("matching fingerprints: got drift %v", got)
	}
	if m.Webhook.SigningSecret.ValueString() != secret {
		t.Error("matching fingerprints must keep the secret in state")
	}

	m = webhook(types.StringValue(secret), types.Int64Null())
	if got, _ := m.planSecretResends(ctx, api(other, ""), applied(apiv1.Fingerprint(secret))); len(got) != 1 || got[0] != secretWebhookSigningSecret {
		t.Errorf("rotated secret in state: got %v", got)
	}
	if !m.Webhook.SigningSecret.IsNull() {
		t.Error("a drifted secret held in state must become null, so that the plan sets it again")
	}

	m = webhook(types.StringNull(), types.Int64Value(3))
	m.planSecretResends(ctx, api(other, ""), applied(apiv1.Fingerprint(secret)))
	if !m.Webhook.SigningSecretWOVersion.IsNull() || !m.Webhook.SigningSecret.IsNull() {
		t.Error("a drifted write-only secret must null its version and nothing else")
	}

	m = webhook(types.StringNull(), types.Int64Null())
	m.planSecretResends(ctx, api(other, apiv1.Fingerprint(`{"A":"b"}`)), applied(""))
	if m.Webhook.SigningSecret.ValueString() != "" || m.Webhook.SigningSecret.IsNull() {
		t.Error("a secret added outside Terraform must become an empty value that plans its removal")
	}
	if m.Webhook.Headers.IsNull() || len(m.Webhook.Headers.Elements()) != 0 {
		t.Error("headers added outside Terraform must become an empty map that plans their removal")
	}

	m = webhook(types.StringNull(), types.Int64Null())
	if got, _ := m.planSecretResends(ctx, api(other, ""), map[string]string{}); len(got) != 0 || !m.Webhook.SigningSecret.IsNull() {
		t.Errorf("after import (no applied fingerprints) nothing can be compared: got %v", got)
	}
}

// An update sends only what changed: an unchanged secret is left out (the
// API keeps it), a new write-only version sends the write-only value, and a
// removed secret is sent as "" to clear it; a new URL sends every secret
// along, a write-only one from the configuration.
func TestChannelUpdateRequest(t *testing.T) {
	ctx := context.Background()
	model := func(url string, secret types.String, version types.Int64, wo types.String) notificationChannelResourceModel {
		return notificationChannelResourceModel{Name: types.StringValue("n"), Enabled: types.BoolValue(true), Webhook: &webhookChannelModel{
			URL: types.StringValue(url), Headers: types.MapNull(types.StringType),
			SigningSecret: secret, SigningSecretWOVersion: version, SigningSecretWO: wo}}
	}
	null, noVersion := types.StringNull(), types.Int64Null()

	state := model("https://a/", types.StringValue("secret-one-0123456"), noVersion, null)
	renamed := state
	renamed.Name = types.StringValue("m")
	patch, changed, _ := channelUpdateRequest(ctx, renamed, state, renamed, "")
	if !changed || patch.Webhook != nil || *patch.Name != "m" {
		t.Errorf("rename: got %+v changed=%t; want only the name", patch, changed)
	}
	moved := model("https://b/", types.StringValue("secret-one-0123456"), noVersion, null)
	patch, changed, _ = channelUpdateRequest(ctx, moved, state, moved, "")
	if w := patch.Webhook; !changed || w == nil || *w.URL != "https://b/" || w.SigningSecret == nil || *w.SigningSecret != "secret-one-0123456" ||
		w.Headers == nil || len(*w.Headers) != 0 {
		t.Errorf("URL change: got %+v changed=%t; want the URL with the secret and the (empty) headers", patch.Webhook, changed)
	}
	woState := model("https://a/", null, types.Int64Value(1), null)
	patch, _, _ = channelUpdateRequest(ctx, model("https://b/", null, types.Int64Value(1), null), woState,
		model("https://b/", null, types.Int64Value(1), types.StringValue("write-only-0123456")), "")
	if w := patch.Webhook; w == nil || w.SigningSecret == nil || *w.SigningSecret != "write-only-0123456" {
		t.Errorf("URL change with signing_secret_wo: want the configured write-only value sent, got %+v", patch.Webhook)
	}

	config := model("https://a/", null, types.Int64Value(1), types.StringValue("write-only-0123456"))
	patch, _, _ = channelUpdateRequest(ctx, model("https://a/", null, types.Int64Value(1), null), state, config, "")
	if patch.Webhook == nil || patch.Webhook.SigningSecret == nil || *patch.Webhook.SigningSecret != "write-only-0123456" {
		t.Errorf("switch to signing_secret_wo: want the write-only value sent, got %+v", patch.Webhook)
	}

	patch, _, _ = channelUpdateRequest(ctx, model("https://a/", null, noVersion, null), state, model("https://a/", null, noVersion, null), "")
	if patch.Webhook == nil || patch.Webhook.SigningSecret == nil || *patch.Webhook.SigningSecret != "" {
		t.Errorf("removed secret: want \"\" sent, got %+v", patch.Webhook)
	}

	// A channel held without its URL (imported): configuring the URL the API
	// holds sends it alone, another one with the secrets.
	held, adopted := model("", null, noVersion, null), model("https://b/", null, noVersion, null)
	held.Webhook.URL = types.StringNull()
	patch, _, _ = channelUpdateRequest(ctx, adopted, held, adopted, apiv1.Fingerprint("https://b/"))
	if w := patch.Webhook; w == nil || w.URL == nil || *w.URL != "https://b/" || w.SigningSecret != nil || w.Headers != nil {
		t.Errorf("the held URL configured: want only the URL sent, got %+v", patch.Webhook)
	}
	patch, _, _ = channelUpdateRequest(ctx, adopted, held, adopted, apiv1.Fingerprint("https://a/"))
	if w := patch.Webhook; w == nil || w.URL == nil || w.SigningSecret == nil || w.Headers == nil {
		t.Errorf("another URL on a held channel: want the URL with the secrets, got %+v", patch.Webhook)
	}

	if _, changed, _ := channelUpdateRequest(ctx, state, state, state, ""); changed {
		t.Error("no difference must send no request")
	}
}
