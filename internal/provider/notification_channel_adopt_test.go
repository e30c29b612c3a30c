package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// A Slack channel imported without its webhook URL, as terraform query
// generates it, adopts with an empty plan and stays the channel the API
// holds: an update of its name sends no URL, a URL changed outside Terraform
// is left alone, and once the configuration sets the URL Terraform sends it
// and from then on requires it.
func TestAccNotificationChannelResource_adoptedWithoutSecret(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	ctx := context.Background()
	original := "https://hooks.slack.com/services/T000/B000/original"
	ch, err := c.CreateNotificationChannel(ctx, apiv1.CreateNotificationChannelRequest{
		Name: "security", Type: apiv1.ChannelTypeSlack, Slack: &apiv1.SlackInput{WebhookURL: &original, Channel: ptr("#security")}})
	if err != nil {
		t.Fatal(err)
	}
	config := func(name, secret string) string {
		return fmt.Sprintf(`
import {
  to = keymate_notification_channel.test
  id = %q
}

resource "keymate_notification_channel" "test" {
  name = %q
  type = "slack"
  slack = {
    channel = "#security"
    %s
  }
}`, ch.ID, name, secret)
	}
	holds := func(url string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			got, err := c.GetNotificationChannel(ctx, ch.ID)
			if err != nil {
				return err
			}
			if got.Slack.WebhookURLFingerprint != apiv1.Fingerprint(url) {
				return fmt.Errorf("API has webhook_url fingerprint %s, want %s's", got.Slack.WebhookURLFingerprint, url)
			}
			return nil
		}
	}
	changed := "https://hooks.slack.com/services/T000/B000/changed-by-hand"
	configured := "https://hooks.slack.com/services/T000/B000/configured"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: config("security", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("slack").AtMapKey("webhook_url"), knownvalue.Null()),
				},
				Check: holds(original),
			},
			{
				Config: config("security-alerts", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate)},
				},
				Check: holds(original),
			},
			{
				PreConfig: func() {
					if _, err := c.UpdateNotificationChannel(ctx, ch.ID, apiv1.UpdateNotificationChannelRequest{
						Slack: &apiv1.SlackInput{WebhookURL: &changed}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config("security-alerts", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: holds(changed),
			},
			{
				Config: config("security-alerts", fmt.Sprintf("webhook_url_wo = %q\n    webhook_url_wo_version = 1", configured)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate)},
				},
				Check: holds(configured),
			},
			{
				Config:      config("security-alerts", ""),
				ExpectError: regexp.MustCompile(`(?s)Missing webhook URL.*A slack channel needs its webhook URL`),
			},
		},
	})
}

// A PagerDuty channel imported without its routing key keeps its events_url
// only: a new destination needs the key, which the plan says before the API
// would refuse the change.
func TestAccNotificationChannelResource_adoptedNewDestinationNeedsSecret(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	key := strings.Repeat("b2", 16)
	ch, err := testClient(t, inst).CreateNotificationChannel(context.Background(), apiv1.CreateNotificationChannelRequest{
		Name: "pager", Type: apiv1.ChannelTypePagerDuty, PagerDuty: &apiv1.PagerDutyInput{RoutingKey: &key}})
	if err != nil {
		t.Fatal(err)
	}
	config := func(settings string) string {
		return fmt.Sprintf(`
import {
  to = keymate_notification_channel.test
  id = %q
}

resource "keymate_notification_channel" "test" {
  name      = "pager"
  type      = "pagerduty"
  pagerduty = { %s }
}`, ch.ID, settings)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{Config: config("")},
			{
				Config:      config(`events_url = "https://events.eu.pagerduty.com/v2/enqueue"`),
				ExpectError: regexp.MustCompile(`(?s)Missing routing key.*while its destination stays`),
			},
			{
				Config: config(fmt.Sprintf(`events_url = "https://events.eu.pagerduty.com/v2/enqueue", routing_key = %q`, key)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("pagerduty").AtMapKey("events_url"),
						knownvalue.StringExact("https://events.eu.pagerduty.com/v2/enqueue")),
				},
			},
		},
	})
}

// A webhook channel imported without its url, as terraform query generates
// it (a sensitive url is shown as null), adopts with an empty plan whether or
// not its URL carries credentials, and Terraform leaves the URL the API holds
// alone until the configuration sets one, which it then requires.
func TestAccNotificationChannelResource_webhookAdoptedWithoutURL(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	c := testClient(t, inst)
	ctx := context.Background()
	plain, withToken := "https://hooks.example.com/plain", "https://hooks.example.com/hook?token=ADOPT-token-1"
	var ids []string
	for i, url := range []string{plain, withToken} {
		ch, err := c.CreateNotificationChannel(ctx, apiv1.CreateNotificationChannelRequest{
			Name: fmt.Sprintf("hook-%d", i), Type: apiv1.ChannelTypeWebhook, Webhook: &apiv1.WebhookInput{URL: &url}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ch.ID)
	}
	config := func(url string) string {
		return fmt.Sprintf(`
import {
  to = keymate_notification_channel.plain
  id = %q
}

import {
  to = keymate_notification_channel.test
  id = %q
}

resource "keymate_notification_channel" "plain" {
  name    = "hook-0"
  type    = "webhook"
  webhook = {}
}

resource "keymate_notification_channel" "test" {
  name    = "hook-1"
  type    = "webhook"
  webhook = { %s }
}`, ids[0], ids[1], url)
	}
	holds := func(url string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			got, err := c.GetNotificationChannel(ctx, ids[1])
			if err != nil {
				return err
			}
			if got.Webhook.URLFingerprint != apiv1.Fingerprint(url) {
				return fmt.Errorf("API has url fingerprint %s, want %s's", got.Webhook.URLFingerprint, url)
			}
			return nil
		}
	}
	changed, configured := "https://hooks.example.com/hook?token=ADOPT-token-2", "https://hooks.example.com/configured"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("keymate_notification_channel.plain", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("keymate_notification_channel.plain", tfjsonpath.New("webhook").AtMapKey("url"), knownvalue.Null()),
					statecheck.ExpectKnownValue(channelAddr, tfjsonpath.New("webhook").AtMapKey("url"), knownvalue.Null()),
				},
				Check: holds(withToken),
			},
			{
				PreConfig: func() {
					if _, err := c.UpdateNotificationChannel(ctx, ids[1], apiv1.UpdateNotificationChannelRequest{
						Webhook: &apiv1.WebhookInput{URL: &changed}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: holds(changed),
			},
			{
				Config: config(fmt.Sprintf("url = %q", configured)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(channelAddr, plancheck.ResourceActionUpdate)},
				},
				Check: holds(configured),
			},
			{
				Config:      config(""),
				ExpectError: regexp.MustCompile(`(?s)Missing URL.*A webhook channel needs its URL`),
			},
		},
	})
}
