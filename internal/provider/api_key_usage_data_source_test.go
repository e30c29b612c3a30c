package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// The usage data source counts a key's requests per route from the
// server's counters, errors (a refused scope) included; a bad window fails
// at plan naming the attribute, an unknown key names key_id, and a provider
// key without keys:read is refused, the error naming the scope.
func TestAccAPIKeyUsageDataSource(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	id, secret := inst.NewKey(t, apiv1.ScopeKeysRead)
	for path, status := range map[string]int{"/v1/api-keys": 200, "/v1/api-keys/" + id: 200, "/v1/alert-rules": 403} {
		if got := statusOf(t, inst, secret, path); got != status {
			t.Fatalf("GET %s: %d, want %d", path, got, status)
		}
	}
	inst.FlushUsage(t)
	_, blind := inst.NewKey(t, apiv1.ScopeAlertsRead)
	usage := func(keyID, window string) string {
		return fmt.Sprintf(`data "keymate_api_key_usage" "test" {
  key_id = %q
  window = %q
}`, keyID, window)
	}
	addr := "data.keymate_api_key_usage.test"
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: factories,
				Config:                   usage(id, "2h"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("requests"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("errors"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("routes"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"route": knownvalue.StringExact("GET /v1/alert-rules"),
							"requests": knownvalue.Int64Exact(1), "errors": knownvalue.Int64Exact(1)}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{"route": knownvalue.StringExact("GET /v1/api-keys"),
							"requests": knownvalue.Int64Exact(1), "errors": knownvalue.Int64Exact(0)}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{"route": knownvalue.StringExact("GET /v1/api-keys/{id}"),
							"requests": knownvalue.Int64Exact(1), "errors": knownvalue.Int64Exact(0)}),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("window"), knownvalue.StringExact("2h")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("since"), knownvalue.StringExact("2025-12-31T22:00:00Z")),
				},
			},
			{ProtoV6ProviderFactories: factories, Config: usage(id, "30m"), ExpectError: regexp.MustCompile(`(?s)window.*1h0m0s`)},
			{ProtoV6ProviderFactories: factories, Config: usage("key_missing", "24h"), ExpectError: regexp.MustCompile(`No Keymate API key has id "key_missing"`)},
			{
				ProtoV6ProviderFactories: testFactories(inst, map[string]string{envEndpoint: inst.URL, envAPIKey: blind}),
				Config:                   usage(id, "24h"),
				ExpectError:              regexp.MustCompile(`(?s)keys:read`),
			},
		},
	})
}
