package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// TestChangingADestinationRequiresItsSecrets proves the defence against
// secret rebinding (issue 9, hole 3): a request that changes a channel's
// destination without sending the channel's secrets again is a 422 naming
// each missing secret and changes nothing, so the stored signing secret,
// headers and routing key never reach a destination chosen after they were
// set; with the secrets (or their removal) it succeeds.
func TestChangingADestinationRequiresItsSecrets(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	trusted, trustedGot := receiver(t, http.StatusNoContent)
	attacker, attackerGot := receiver(t, http.StatusNoContent)
	hook := createChannel(t, inst, fmt.Sprintf(`{"name":"hook","type":"webhook","webhook":{"url":%q,
		"headers":{"Authorization":%q},"signing_secret":%q}}`, trusted, testHeaderValue, testSigningSecret))
	path := "/v1/notification-channels/" + hook.ID

	refused := func(body string, want ...string) {
		t.Helper()
		resp, b := call(t, inst.URL, http.MethodPatch, path, inst.AdminKey, body)
		mustStatus(t, resp, b, http.StatusUnprocessableEntity)
		paths := fieldPaths(t, b)
		slices.Sort(paths)
		if !slices.Equal(paths, want) {
			t.Fatalf("PATCH %s: 422 names %v, want %v", body, paths, want)
		}
	}
	refused(fmt.Sprintf(`{"webhook":{"url":%q}}`, attacker), "webhook.headers", "webhook.signing_secret")
	refused(fmt.Sprintf(`{"name":"renamed","webhook":{"url":%q,"signing_secret":"whsec-attacker-0123456789"}}`, attacker), "webhook.headers")
	refused(fmt.Sprintf(`{"webhook":{"url":%q,"headers":{}}}`, attacker), "webhook.signing_secret")

	// Nothing changed: a test still goes to the trusted receiver only,
	// signed with the secret it was created with.
	resp, b := call(t, inst.URL, http.MethodGet, path, inst.AdminKey, "")
	mustStatus(t, resp, b, http.StatusOK)
	if ch := decode[apiv1.NotificationChannel](t, b); ch.Version != 1 || ch.Name != "hook" || ch.Webhook.URL != trusted {
		t.Fatalf("after refused changes the channel is %+v %+v", ch, ch.Webhook)
	}
	if res := testChannel(t, inst, hook.ID); res.Status != apiv1.TestStatusSucceeded {
		t.Fatalf("test %+v", res)
	}
	d := next(t, trustedGot)
	if err := checkSignature(d.header.Get(apiv1.HeaderSignature), d.body, testSigningSecret, inst.Clock.Now()); err != nil ||
		d.header.Get("Authorization") != testHeaderValue {
		t.Fatalf("the trusted receiver's delivery: %v, Authorization %q", err, d.header.Get("Authorization"))
	}
	none(t, attackerGot, "a destination set without the channel's secrets")

	// With the secrets sent again, or removed, the destination changes.
	resp, b = call(t, inst.URL, http.MethodPatch, path, inst.AdminKey, fmt.Sprintf(
		`{"webhook":{"url":%q,"headers":{"Authorization":%q},"signing_secret":%q}}`, attacker, testHeaderValue, testSigningSecret))
	mustStatus(t, resp, b, http.StatusOK)
	resp, b = call(t, inst.URL, http.MethodPatch, path, inst.AdminKey, fmt.Sprintf(
		`{"webhook":{"url":%q,"headers":{},"signing_secret":""}}`, trusted))
	mustStatus(t, resp, b, http.StatusOK)
	// A channel without secrets changes its destination freely.
	resp, b = call(t, inst.URL, http.MethodPatch, path, inst.AdminKey, fmt.Sprintf(`{"webhook":{"url":%q}}`, attacker))
	mustStatus(t, resp, b, http.StatusOK)

	pd := createChannel(t, inst, fmt.Sprintf(`{"name":"pd","type":"pagerduty","pagerduty":{"routing_key":%q,"events_url":%q}}`, testRoutingKey, trusted))
	pdPath := "/v1/notification-channels/" + pd.ID
	resp, b = call(t, inst.URL, http.MethodPatch, pdPath, inst.AdminKey, fmt.Sprintf(`{"pagerduty":{"events_url":%q}}`, attacker))
	mustStatus(t, resp, b, http.StatusUnprocessableEntity)
	if paths := fieldPaths(t, b); !slices.Equal(paths, []string{"pagerduty.routing_key"}) {
		t.Fatalf("PATCH events_url alone: 422 names %v, want pagerduty.routing_key", paths)
	}
	resp, b = call(t, inst.URL, http.MethodPatch, pdPath, inst.AdminKey, fmt.Sprintf(`{"pagerduty":{"events_url":%q,"routing_key":%q}}`, attacker, testRoutingKey))
	mustStatus(t, resp, b, http.StatusOK)

	// Slack's destination is its secret: a new webhook_url is the secret
	// sent again.
	slack := createChannel(t, inst, fmt.Sprintf(`{"name":"slack","type":"slack","slack":{"webhook_url":%q,"channel":"#ops"}}`, trusted+"/services/T0/B0/a"))
	resp, b = call(t, inst.URL, http.MethodPatch, "/v1/notification-channels/"+slack.ID, inst.AdminKey,
		fmt.Sprintf(`{"slack":{"webhook_url":%q}}`, attacker+"/services/T0/B0/b"))
	mustStatus(t, resp, b, http.StatusOK)
}
