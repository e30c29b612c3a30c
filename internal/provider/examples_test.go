package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// readExample returns an example file, relative to the examples directory.
func readExample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The documentation examples apply unchanged, followed by an empty plan (the
// test framework's post-apply check), so that they cannot rot.
func TestAccExamples(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	providerTF := readExample(t, "provider/provider.tf")
	resourceTF := readExample(t, "resources/keymate_api_key/resource.tf")
	dataSourceTF := readExample(t, "data-sources/keymate_api_key/data-source.tf")
	example := "keymate_api_key.example"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkDestroyed(t, inst),
		Steps: []resource.TestStep{
			{
				Config: providerTF + resourceTF,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(example, tfjsonpath.New("name"), knownvalue.StringExact("ci-deployer")),
					statecheck.ExpectKnownValue(example, tfjsonpath.New("rotation_days"), knownvalue.Int64Exact(30)),
				},
			},
			{
				Config: providerTF + resourceTF + dataSourceTF,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("deployer_rotation_overdue", knownvalue.Bool(false)),
				},
			},
		},
	})
}

// The import block example, with its placeholder id replaced by a real key,
// adopts that key instead of creating another.
func TestAccExamples_importBlock(t *testing.T) {
	t.Parallel()
	inst, factories := testAccSetup(t)
	key, err := testClient(t, inst).CreateAPIKey(context.Background(), apiv1.CreateAPIKeyRequest{
		Name: "ci-deployer", Scopes: []string{"keys:read"},
	})
	if err != nil {
		t.Fatal(err)
	}
	importTF := readExample(t, "resources/keymate_api_key/import-by-string-id.tf")
	if !strings.Contains(importTF, "key_0123456789abcdef") {
		t.Fatal("the import example no longer has the placeholder id this test replaces")
	}
	config := readExample(t, "resources/keymate_api_key/resource.tf") + strings.ReplaceAll(importTF, "key_0123456789abcdef", key.ID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.TestCheckResourceAttrWith("keymate_api_key.example", "id", func(v string) error {
				if v != key.ID {
					return fmt.Errorf("id = %q, want the imported %q", v, key.ID)
				}
				return nil
			}),
			ConfigStateChecks: []statecheck.StateCheck{
				// Adopting rotate_when_changed rotated the key, so Terraform
				// now holds a working secret.
				statecheck.ExpectKnownValue("keymate_api_key.example", tfjsonpath.New("secret"), knownvalue.NotNull()),
			},
		}},
		CheckDestroy: checkDestroyed(t, inst),
	})
}
