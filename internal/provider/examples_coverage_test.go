package provider

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// exampleVariables are the values of the standalone examples' variables that
// have no default (secrets, which examples never write down).
var exampleVariables = map[string]tfconfig.Variables{
	"quickstart": {"security_webhook_signing_secret": tfconfig.StringVariable("whsec_test_0123456789abcdef")},
}

// examplesDir is the examples directory, relative to this package.
var examplesDir = filepath.Join("..", "..", "examples")

// standaloneExampleDirs are the example directories that are whole
// configurations, applied as they stand by TestAccExamples_standalone.
func standaloneExampleDirs(t *testing.T) []string {
	t.Helper()
	dirs := []string{"quickstart"}
	guides, err := os.ReadDir(filepath.Join(examplesDir, "guides"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range guides {
		if g.IsDir() {
			dirs = append(dirs, filepath.Join("guides", g.Name()))
		}
	}
	return dirs
}

// Every Terraform file under examples/ is applied by an acceptance test:
// either it lies in a standalone directory, or a test of this package reads
// it by its path. A new example without a test fails here, so no published
// example can rot.
func TestExamplesAreAllTested(t *testing.T) {
	var tests bytes.Buffer
	sources, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sources {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tests.Write(b)
	}
	standalone := standaloneExampleDirs(t)
	var count int
	err = filepath.WalkDir(examplesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(examplesDir, path)
		if err != nil {
			return err
		}
		switch filepath.Ext(rel) {
		case ".tf", ".hcl": // .tfquery.hcl: queries, which no apply reads
			count++
			if filepath.Ext(rel) == ".tf" && slices.Contains(standalone, filepath.Dir(rel)) {
				return nil
			}
			if !bytes.Contains(tests.Bytes(), []byte(`"`+filepath.ToSlash(rel)+`"`)) {
				t.Errorf("examples/%s is applied by no test: read it in an acceptance test (readExample) or place it in a standalone directory", rel)
			}
		case ".sh":
			if filepath.Base(rel) != "import.sh" {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			typeName := filepath.Base(filepath.Dir(rel))
			if !strings.Contains(string(b), "terraform import "+typeName+".") {
				t.Errorf("examples/%s must show `terraform import %s.<name> <id>`", rel, typeName)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count < 20 {
		t.Fatalf("found only %d example files under %s; is the walk broken?", count, examplesDir)
	}
}

// The quickstart and every guide apply as they stand against a fresh server,
// followed by an empty plan (the test framework's post-apply check) and a
// destroy that leaves the account with nothing but its admin key.
func TestAccExamples_standalone(t *testing.T) {
	t.Parallel()
	for _, dir := range standaloneExampleDirs(t) {
		t.Run(filepath.ToSlash(dir), func(t *testing.T) {
			t.Parallel()
			// The backup guide encrypts, which needs a server backup key.
			inst, factories := testAccSetup(t, servertest.WithBackupEncryptionKey(bytes.Repeat([]byte{7}, 32)))
			files, err := filepath.Glob(filepath.Join(examplesDir, dir, "*.tf"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no Terraform files in examples/%s (%v)", dir, err)
			}
			var config strings.Builder
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				config.Write(b)
				config.WriteString("\n")
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories,
				Steps:                    []resource.TestStep{{Config: config.String(), ConfigVariables: exampleVariables[dir]}},
				CheckDestroy:             checkAccountEmpty(t, inst),
			})
		})
	}
}

// checkAccountEmpty fails unless the server holds no object but its
// bootstrap admin key: every key revoked, every grant revoked, and no
// channel, alert rule or backup schedule.
func checkAccountEmpty(t *testing.T, inst *servertest.Instance) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx, c := context.Background(), testClient(t, inst)
		keys, err := c.ListAPIKeys(ctx, client.ListAPIKeysOptions{Status: apiv1.KeyStatusActive})
		if err != nil {
			return err
		}
		grants, err := c.ListAccessGrants(ctx, client.ListAccessGrantsOptions{Status: apiv1.GrantStatusActive})
		if err != nil {
			return err
		}
		channels, err := c.ListNotificationChannels(ctx, client.ListNotificationChannelsOptions{})
		if err != nil {
			return err
		}
		rules, err := c.ListAlertRules(ctx, client.ListAlertRulesOptions{})
		if err != nil {
			return err
		}
		schedules, err := c.ListBackupSchedules(ctx, client.ListBackupSchedulesOptions{})
		if err != nil {
			return err
		}
		if len(keys) != 1 || len(grants)+len(channels)+len(rules)+len(schedules) != 0 {
			return fmt.Errorf("after destroy: %d active keys (want only the admin key), %d active grants, %d channels, %d rules, %d schedules (want none)",
				len(keys), len(grants), len(channels), len(rules), len(schedules))
		}
		return nil
	}
}
