package provider

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

type providerFactories = map[string]func() (tfprotov6.ProviderServer, error)

// testAccSetup starts an in-process Keymate server for one acceptance test
// and returns it with provider factories whose provider uses the server's
// manual clock and finds the server's URL and admin key in its environment,
// so configurations need no provider block and tests can run in parallel.
// It skips the test unless TF_ACC is set.
func testAccSetup(t *testing.T, opts ...servertest.Option) (*servertest.Instance, providerFactories) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	inst := servertest.Start(t, opts...)
	return inst, testFactories(inst, map[string]string{envEndpoint: inst.URL, envAPIKey: inst.AdminKey})
}

// testFactories builds provider factories whose environment is env.
func testFactories(inst *servertest.Instance, env map[string]string) providerFactories {
	getenv := func(k string) string { return env[k] }
	return providerFactories{
		"keymate": providerserver.NewProtocol6WithError(newProvider("test", inst.Clock, getenv)()),
	}
}

// testClient returns an admin API client for out-of-band changes and checks.
func testClient(t *testing.T, inst *servertest.Instance) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: inst.URL, APIKey: inst.AdminKey})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// authenticates reports whether the API accepts secret as a bearer key
// (any answer but 401), using raw HTTP so that no client logic is involved.
func authenticates(t *testing.T, inst *servertest.Instance, secret string) bool {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, inst.URL+"/v1/api-keys?limit=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode != http.StatusUnauthorized
}

const minimalKeyConfig = `
resource "keymate_api_key" "test" {
  name   = "minimal"
  scopes = ["keys:read"]
}
`

// Missing credentials fail at plan with an error on api_key that says
// which argument or variable to set.
func TestAccProvider_missingAPIKey(t *testing.T) {
	t.Parallel()
	inst, _ := testAccSetup(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testFactories(inst, map[string]string{envEndpoint: inst.URL}),
		Steps: []resource.TestStep{{
			Config:      minimalKeyConfig,
			ExpectError: regexp.MustCompile(`(?s)Missing Keymate API key.*Set the api_key argument or the\s+KEYMATE_API_KEY\s+environment variable`),
		}},
	})
}

// A missing endpoint is reported the same way, and a configured argument
// wins over the environment (a bogus key in the provider block is used even
// though the environment holds the admin key).
func TestAccProvider_configuration(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: testFactories(inst, map[string]string{envAPIKey: inst.AdminKey}),
				Config:                   minimalKeyConfig,
				ExpectError:              regexp.MustCompile(`(?s)Set the endpoint argument or the\s+KEYMATE_ENDPOINT`),
			},
			{
				ProtoV6ProviderFactories: factories,
				Config:                   `provider "keymate" { api_key = "km_not_a_real_key_000000000000000000000000000" }` + minimalKeyConfig,
				ExpectError:              regexp.MustCompile(`(?s)Unable to create Keymate API key.*401.*KEYMATE_API_KEY`),
			},
			{
				ProtoV6ProviderFactories: factories,
				Config:                   `provider "keymate" { request_timeout = "forever" }` + minimalKeyConfig,
				ExpectError:              regexp.MustCompile(`(?s)request_timeout.*is not a duration`),
			},
			{
				ProtoV6ProviderFactories: factories,
				Config:                   `provider "keymate" { max_retries = 11 }` + minimalKeyConfig,
				ExpectError:              regexp.MustCompile(`(?s)max_retries.*between 0 and 10`),
			},
		},
	})
}
