package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
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

// testFactories builds provider factories whose environment is env and
// whose clock is the server's: its manual clock, else the real one.
func testFactories(inst *servertest.Instance, env map[string]string) providerFactories {
	getenv := func(k string) string { return env[k] }
	var clk clock.Clock = clock.Real{}
	if inst.Clock != nil {
		clk = inst.Clock
	}
	return providerFactories{
		"keymate": newServer(newProvider("test", clk, getenv)()),
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

// destroyChecks ask the API, by resource type, whether the object with id
// is gone after destroy: API keys and access grants are revoked (the API
// keeps them), the other objects are deleted.
var destroyChecks = map[string]func(ctx context.Context, c *client.Client, id string) error{
	"keymate_api_key": func(ctx context.Context, c *client.Client, id string) error {
		key, err := c.GetAPIKey(ctx, id)
		if err != nil {
			return err
		}
		if key.Status != apiv1.KeyStatusRevoked {
			return fmt.Errorf("status %q, want revoked", key.Status)
		}
		return nil
	},
	"keymate_access_grant": func(ctx context.Context, c *client.Client, id string) error {
		g, err := c.GetAccessGrant(ctx, id)
		if err != nil {
			return err
		}
		if g.Status != apiv1.GrantStatusRevoked {
			return fmt.Errorf("status %q, want revoked", g.Status)
		}
		return nil
	},
	"keymate_notification_channel": deleted((*client.Client).GetNotificationChannel),
	"keymate_alert_rule":           deleted((*client.Client).GetAlertRule),
	"keymate_backup_schedule":      deleted((*client.Client).GetBackupSchedule),
}

// deleted returns a destroy check for objects that destroy deletes: get must
// answer 404.
func deleted[T any](get func(*client.Client, context.Context, string) (T, error)) func(context.Context, *client.Client, string) error {
	return func(ctx context.Context, c *client.Client, id string) error {
		if _, err := get(c, ctx, id); !errors.Is(err, client.ErrNotFound) {
			return fmt.Errorf("want not found, got %w", err)
		}
		return nil
	}
}

// checkDestroyed is the CheckDestroy of every test: it asks the API that
// each Keymate object in s is gone (see destroyChecks).
func checkDestroyed(t *testing.T, inst *servertest.Instance) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		c := testClient(t, inst)
		for _, rs := range s.RootModule().Resources {
			check, ok := destroyChecks[rs.Type]
			if !ok {
				continue
			}
			if err := check(context.Background(), c, rs.Primary.ID); err != nil {
				return fmt.Errorf("%s %s after destroy: %w", rs.Type, rs.Primary.ID, err)
			}
		}
		return nil
	}
}

// captureAttr stores the value of attribute name of the resource at addr in
// *dst.
func captureAttr(addr, name string, dst *string) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(addr, name, func(v string) error {
		*dst = v
		return nil
	})
}

// recreateStep is the test step that removes the object of the resource at
// addr outside Terraform (remove, given the id held in *id) and expects the
// plan to create it again, under a new id.
func recreateStep(t *testing.T, addr, config string, id *string, remove func(ctx context.Context, id string) error) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			if err := remove(context.Background(), *id); err != nil {
				t.Fatal(err)
			}
		},
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
		},
		Check: resource.TestCheckResourceAttrWith(addr, "id", func(v string) error {
			if v == *id {
				return fmt.Errorf("%s removed outside Terraform must be replaced by a new one, got the same id %s", addr, v)
			}
			return nil
		}),
	}
}

// authenticates reports whether the API accepts secret as a bearer key
// (any answer but 401), using raw HTTP so that no client logic is involved.
func authenticates(t *testing.T, inst *servertest.Instance, secret string) bool {
	t.Helper()
	return statusOf(t, inst, secret, "/v1/api-keys?limit=1") != http.StatusUnauthorized
}

// statusOf returns the status of a GET of path with secret as the bearer
// key, by raw HTTP: a use of the key as an application makes one.
func statusOf(t *testing.T, inst *servertest.Instance, secret, path string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, inst.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
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
