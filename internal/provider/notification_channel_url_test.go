package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

func webhookURLConfig(url string) string {
	return fmt.Sprintf(`
resource "keymate_notification_channel" "test" {
  name = "creds"
  type = "webhook"
  webhook = {
    url = %q
  }
}`, url)
}

func webhookURLWOConfig(url string, version int) string {
	return fmt.Sprintf(`
resource "keymate_notification_channel" "test" {
  name = "creds"
  type = "webhook"
  webhook = {
    url_wo         = %q
    url_wo_version = %d
  }
}`, url, version)
}

// A webhook URL with credentials (a userinfo password and a query token)
// keeps what the configuration wrote in state, with an empty plan after
// apply although the API returns it masked; a token changed outside
// Terraform shows as an update through the URL's fingerprint; an import
// leaves it null (the API shows only its mask), so the next plan sets it. A write-only URL (its path a secret) is never in
// state, the API shows only its host, and a change outside Terraform plans
// an update of url_wo_version.
func TestAccNotificationChannelResource_webhookURLCredentials(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	withCreds := "https://ops:S3CRET-acc-url@hooks.example.com/x?token=QSECRET-acc-url&team=sre"
	firstPath := "https://hooks.example.com/services/T0/B0/PATHSECRET-acc-one"
	secondPath := "https://hooks.example.com/services/T0/B0/PATHSECRET-acc-two"
	var id string
	checkAPI := func(url string, hidden bool) acc.TestCheckFunc {
		return func(*terraform.State) error {
			ch, err := c.GetNotificationChannel(context.Background(), id)
			if err != nil {
				return err
			}
			w, shown := ch.Webhook, apiv1.MaskURL(url)
			if hidden {
				shown = ""
			}
			if w == nil || w.URLFingerprint != apiv1.Fingerprint(url) || w.URL != shown || w.URLHidden != hidden || w.Host != "hooks.example.com" {
				return fmt.Errorf("API holds %+v, want the configured URL's fingerprint, shown as %q, hidden %t", w, shown, hidden)
			}
			return nil
		}
	}
	setURL := func(url string, hidden bool) func() {
		return func() {
			if _, err := c.UpdateNotificationChannel(context.Background(), id, apiv1.UpdateNotificationChannelRequest{
				Webhook: &apiv1.WebhookInput{URL: &url, URLHidden: &hidden}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []acc.TestStep{
			{
				Config: webhookURLConfig(withCreds),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("webhook").AtMapKey("url"), knownvalue.StringExact(withCreds)),
					statecheck.ExpectSensitiveValue(channelAddr, tfjsonpath.New("webhook").AtMapKey("url")),
				},
				Check: acc.ComposeAggregateTestCheckFunc(captureAttr(channelAddr, "id", &id), checkAPI(withCreds, false)),
			},
			{
				// The token changed outside Terraform: the masked URL is
				// the same, its fingerprint is not.
				PreConfig: setURL(strings.Replace(withCreds, "QSECRET-acc-url", "CHANGED-acc-url", 1), false),
				Config:    webhookURLConfig(withCreds),
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate),
						expectChangedAttribute("webhook", "url"),
					},
				},
				Check: checkAPI(withCreds, false),
			},
			{
				ResourceName:            channelAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"webhook.url"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					// The URL is a secret: null after import, as
					// generated configuration shows it.
					if got, set := states[0].Attributes["webhook.url"]; set && got != "" {
						return fmt.Errorf("imported url %q, want null", got)
					}
					return nil
				},
			},
			{
				Config: webhookURLWOConfig(firstPath, 1),
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					stateExcludes{secret: "PATHSECRET-acc"},
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("webhook").AtMapKey("url"), knownvalue.Null()),
				},
				Check: checkAPI(firstPath, true),
			},
			{
				PreConfig: setURL(secondPath, true),
				Config:    webhookURLWOConfig(firstPath, 1),
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate),
						expectChangedAttribute("webhook", "url_wo_version"),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("webhook").AtMapKey("url_wo_version"), knownvalue.Int64Exact(1)),
				},
				Check: checkAPI(firstPath, true),
			},
			{
				Config: webhookURLWOConfig(secondPath, 2),
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{stateExcludes{secret: "PATHSECRET-acc"}},
				Check:             checkAPI(secondPath, true),
			},
			{
				// Back to a URL in the configuration: it is shown again.
				Config: webhookURLConfig("https://hooks.example.com/plain"),
				Check:  checkAPI("https://hooks.example.com/plain", false),
			},
		},
	})
}

// A PagerDuty events_url with credentials keeps what the configuration
// wrote in state (sensitive), with an empty plan after apply although the API
// returns it masked; a token changed outside Terraform shows as an update of
// events_url through the URL's fingerprint, which sends the URL and the
// routing key again.
func TestAccNotificationChannelResource_pagerDutyEventsURLCredentials(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	const key = "R0UT1NGKEYacc0123456789abcdefABC"
	withCreds := "https://ops:S3CRET-acc-pd@events.example.com/v2/enqueue?token=QSECRET-acc-pd"
	config := fmt.Sprintf(`
resource "keymate_notification_channel" "test" {
  name = "pager"
  type = "pagerduty"
  pagerduty = {
    events_url  = %q
    routing_key = %q
  }
}`, withCreds, key)
	var id string
	checkAPI := func(*terraform.State) error {
		ch, err := c.GetNotificationChannel(context.Background(), id)
		if err != nil {
			return err
		}
		if p := ch.PagerDuty; p == nil || p.EventsURL != apiv1.MaskURL(withCreds) || p.EventsURLFingerprint != apiv1.Fingerprint(withCreds) {
			return fmt.Errorf("API holds %+v, want the configured URL masked, with its fingerprint", p)
		}
		return nil
	}
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []acc.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("pagerduty").AtMapKey("events_url"), knownvalue.StringExact(withCreds)),
					statecheck.ExpectSensitiveValue(channelAddr, tfjsonpath.New("pagerduty").AtMapKey("events_url")),
				},
				Check: acc.ComposeAggregateTestCheckFunc(captureAttr(channelAddr, "id", &id), checkAPI),
			},
			{
				PreConfig: func() {
					changed, routingKey := strings.Replace(withCreds, "QSECRET-acc-pd", "CHANGED-acc-pd", 1), key
					if _, err := c.UpdateNotificationChannel(context.Background(), id, apiv1.UpdateNotificationChannelRequest{
						PagerDuty: &apiv1.PagerDutyInput{EventsURL: &changed, RoutingKey: &routingKey}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: acc.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate),
						expectChangedAttribute("pagerduty", "events_url"),
					},
				},
				Check: checkAPI,
			},
		},
	})
}
