package provider

import (
	"context"
	"fmt"
	"testing"

	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// rebindingConfig is a webhook channel with a write-only signing secret and
// a sensitive header, and a PagerDuty channel with a write-only routing
// key, each sending a test on apply, at the given destinations.
func rebindingConfig(webhookURL, eventsURL string) string {
	return fmt.Sprintf(`
resource "keymate_notification_channel" "webhook" {
  name = "moving-webhook"
  type = "webhook"
  webhook = {
    url                       = %q
    headers                   = { Authorization = "Bearer rebinding-header-0123" }
    signing_secret_wo         = "rebinding-signing-secret-0123"
    signing_secret_wo_version = 1
  }
  send_test_on_apply = true
}

resource "keymate_notification_channel" "pagerduty" {
  name = "moving-pager"
  type = "pagerduty"
  pagerduty = {
    events_url             = %q
    routing_key_wo         = "Rebinding0123456789abcdefghijklm"
    routing_key_wo_version = 1
  }
  send_test_on_apply = true
}`, webhookURL, eventsURL)
}

// Changing only a channel's destination in HCL applies, although the API
// requires the channel's secrets with every new destination (issue 9, hole
// 3): the provider sends the configured secrets along, write-only ones
// from the configuration, and the test deliveries reach the new receivers
// signed with the configured secret, with the configured header and
// routing key. The plan shows only the destinations changing.
func TestAccNotificationChannelResource_newDestinationSendsSecrets(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t, servertest.WithLoopbackDestinations())
	const secret = "rebinding-signing-secret-0123"
	oldHook, newHook := newWebhookReceiver(t, inst, secret), newWebhookReceiver(t, inst, secret)
	oldPager, newPager := newWebhookReceiver(t, inst, ""), newWebhookReceiver(t, inst, "")
	expect := func(hook, pager *webhookReceiver) acc.TestCheckFunc {
		return func(*terraform.State) error {
			d := hook.next(t)
			if d.event != apiv1.EventTest || !d.signatureOK || d.header.Get("Authorization") != "Bearer rebinding-header-0123" {
				return fmt.Errorf("webhook receiver got event %q, valid signature %t, Authorization %q; want a signed test with the header",
					d.event, d.signatureOK, d.header.Get("Authorization"))
			}
			if p := pager.next(t); p.body["routing_key"] != "Rebinding0123456789abcdefghijklm" {
				return fmt.Errorf("PagerDuty receiver got routing_key %v, want the configured one", p.body["routing_key"])
			}
			return nil
		}
	}
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []acc.TestStep{
			{
				Config: rebindingConfig(oldHook.URL+"/keymate", oldPager.URL+"/enqueue"),
				Check:  expect(oldHook, oldPager),
			},
			{
				Config: rebindingConfig(newHook.URL+"/keymate", newPager.URL+"/enqueue"),
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("keymate_notification_channel.webhook", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("keymate_notification_channel.pagerduty", plancheck.ResourceActionUpdate),
					},
				},
				Check: expect(newHook, newPager),
			},
			{
				Config:   rebindingConfig(newHook.URL+"/keymate", newPager.URL+"/enqueue"),
				PlanOnly: true,
			},
		},
	})
}

// A webhook channel imported without its secrets keeps them while its URL
// stays; when the configuration moves it to a new URL, the secrets it
// leaves out are removed rather than moved, as the resource docs say.
func TestAccNotificationChannelResource_newDestinationDropsUnconfiguredSecrets(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	ctx := context.Background()
	ch, err := c.CreateNotificationChannel(ctx, apiv1.CreateNotificationChannelRequest{
		Name: "imported", Type: apiv1.ChannelTypeWebhook, Webhook: &apiv1.WebhookInput{
			URL: ptr("https://hooks.example.com/old"), SigningSecret: ptr("imported-signing-secret-0123"),
			Headers: &map[string]string{"Authorization": "Bearer imported"}}})
	if err != nil {
		t.Fatal(err)
	}
	config := func(url string) string {
		return fmt.Sprintf(`
import {
  to = keymate_notification_channel.test
  id = %q
}

resource "keymate_notification_channel" "test" {
  name = "imported"
  type = "webhook"
  webhook = {
    url = %q
  }
}`, ch.ID, url)
	}
	secrets := func(signing, headers string) acc.TestCheckFunc {
		return func(*terraform.State) error {
			got, err := c.GetNotificationChannel(ctx, ch.ID)
			if err != nil {
				return err
			}
			if got.Webhook.SigningSecretFingerprint != signing || got.Webhook.HeadersFingerprint != headers {
				return fmt.Errorf("API holds %+v, want signing secret fingerprint %q and headers fingerprint %q", got.Webhook, signing, headers)
			}
			return nil
		}
	}
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []acc.TestStep{
			{
				Config: config("https://hooks.example.com/old"),
				Check: secrets(apiv1.Fingerprint("imported-signing-secret-0123"),
					apiv1.HeadersFingerprint(map[string]string{"Authorization": "Bearer imported"})),
			},
			{
				Config: config("https://hooks.example.com/new"),
				Check:  secrets("", ""),
			},
		},
	})
}
