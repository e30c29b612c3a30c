package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// baselineModuleDir is the baseline module, relative to examples/, and
// baselineModuleFiles are its Terraform files, every one of them.
const baselineModuleDir = "modules/keymate-baseline"

var baselineModuleFiles = []string{
	"modules/keymate-baseline/versions.tf", "modules/keymate-baseline/variables.tf",
	"modules/keymate-baseline/main.tf", "modules/keymate-baseline/outputs.tf",
}

// baselineRoot is the root configuration that calls the module, as its
// README shows, with the on-call receiver at url.
const baselineRoot = `
variable "oncall_signing_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

module "baseline" {
  source = "./modules/keymate-baseline"

  applications = {
    payments  = { scopes = ["keys:read", "alerts:read"] }
    reporting = { scopes = ["audit:read"], rotation_days = 30 }
  }
  oncall_webhook_url            = %q
  oncall_signing_secret         = var.oncall_signing_secret
  oncall_signing_secret_version = 1
  backup_destination            = "baseline"
  admins = {
    "user:alice" = "Runs the Keymate account (SEC-1)"
  }
}

output "compliant" {
  value = module.baseline.compliant
}

output "compliance" {
  value = module.baseline.compliance
}

output "api_key_ids" {
  value = module.baseline.api_key_ids
}
`

// baselineAccount starts a server as a team finds it before the module's
// first apply, on the wall clock (the provider binary's), allowing loopback
// receivers, with a backup key; and returns it with the key Terraform runs
// with and a client of that key: an admin key that expires, the bootstrap
// admin key (which never does, KM-KEY-003) revoked, as the README asks.
func baselineAccount(t *testing.T) (*servertest.Instance, string, *client.Client) {
	t.Helper()
	inst := servertest.Start(t, servertest.WithClock(clock.Real{}), servertest.WithLoopbackDestinations(), withBackupKey)
	ctx := context.Background()
	expires := apiv1.TimeText(time.Now().Add(180 * 24 * time.Hour))
	key, err := testClient(t, inst).CreateAPIKey(ctx, apiv1.CreateAPIKeyRequest{Name: "terraform", Scopes: []string{apiv1.ScopeAdmin},
		ExpiresAt: &expires})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(client.Config{Endpoint: inst.URL, APIKey: key.Secret})
	if err != nil {
		t.Fatal(err)
	}
	bootstrap, err := c.ListAPIKeys(ctx, client.ListAPIKeysOptions{Name: "bootstrap-admin"})
	if err != nil || len(bootstrap) != 1 {
		t.Fatalf("bootstrap key: %v, %v", bootstrap, err)
	}
	if err := c.RevokeAPIKey(ctx, bootstrap[0].ID); err != nil {
		t.Fatal(err)
	}
	return inst, key.Secret, c
}

// The baseline module as a team runs it, through the CLI with the provider
// binary: one module call turns the account into one that passes every
// control of the compliance report in one apply (compliant, no finding of
// any severity; the on-call webhook got a signed test; the first restore
// drill ran), the next plan is empty, a change made outside Terraform to one
// of its keys shows in the next plan and the apply undoes it without a
// second drill, and destroy leaves nothing in service.
func TestAccBaselineModule(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	skipBelowCLI(t, tfversion.Version1_14_0)
	if got, err := filepath.Glob(filepath.Join(examplesDir, baselineModuleDir, "*.tf")); err != nil || len(got) != len(baselineModuleFiles) {
		t.Fatalf("examples/%s holds %v (%v); list every file in baselineModuleFiles", baselineModuleDir, got, err)
	}
	inst, secret, c := baselineAccount(t)
	ctx := context.Background()
	const signingSecret = "oncall-signing-secret-0123456789"
	receiver := newWebhookReceiver(t, inst, signingSecret)
	w := newCLIWorkdir(t, envEndpoint+"="+inst.URL, envAPIKey+"="+secret, "TF_VAR_oncall_signing_secret="+signingSecret)
	if err := os.MkdirAll(filepath.Join(w.dir, baselineModuleDir), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range baselineModuleFiles {
		w.writeFile(f, readExample(t, f))
	}
	w.writeConfig(fmt.Sprintf(baselineRoot, receiver.URL))
	plan := func(want int, patterns ...string) {
		t.Helper()
		out, status := w.run(nil, "plan", "-detailed-exitcode", "-input=false", "-no-color")
		if status != want {
			t.Fatalf("plan exited %d, want %d:\n%s", status, want, out)
		}
		mustMatch(t, out, patterns...)
	}
	runs := func(want int) {
		t.Helper()
		schedules, err := c.ListBackupSchedules(ctx, client.ListBackupSchedulesOptions{})
		if err != nil || len(schedules) != 1 {
			t.Fatalf("backup schedules: %v, %v", schedules, err)
		}
		list, err := c.ListBackupRuns(ctx, schedules[0].ID, 0)
		if err != nil || len(list) != want || !list[0].RestoreVerified {
			t.Fatalf("the schedule has runs %+v (%v), want %d with a verified restore", list, err, want)
		}
	}

	w.mustRun("init", "-input=false", "-no-color")
	w.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	var outputs struct {
		Compliant  struct{ Value bool } `json:"compliant"`
		Compliance struct {
			Value struct {
				Critical, Warning, Info, Passing int
				Failing                          []string
			}
		} `json:"compliance"`
		APIKeyIDs struct{ Value map[string]string } `json:"api_key_ids"`
	}
	if err := json.Unmarshal([]byte(w.mustRun("output", "-json")), &outputs); err != nil {
		t.Fatal(err)
	}
	if got := outputs.Compliance.Value; !outputs.Compliant.Value || got.Critical+got.Warning+got.Info != 0 || got.Passing != len(controls.All) ||
		len(got.Failing) != 0 || len(outputs.APIKeyIDs.Value) != 2 {
		t.Fatalf("after one apply: compliant %t, compliance %+v, api_key_ids %v; want compliant with all %d controls passing and two keys",
			outputs.Compliant.Value, got, outputs.APIKeyIDs.Value, len(controls.All))
	}
	if d := receiver.next(t); d.event != apiv1.EventTest || !d.signatureOK {
		t.Errorf("the receiver got %q (signature verified: %t), want a signed test", d.event, d.signatureOK)
	}
	runs(1)
	plan(0)

	// Drift: someone widens a key's scopes through the API.
	payments := outputs.APIKeyIDs.Value["payments"]
	widened := []string{apiv1.ScopeKeysRead, apiv1.ScopeKeysWrite}
	if _, err := c.UpdateAPIKey(ctx, payments, apiv1.UpdateAPIKeyRequest{Scopes: &widened}); err != nil {
		t.Fatal(err)
	}
	plan(2, `module\.baseline\.keymate_api_key\.app\["payments"\] will be updated in-place`, `Plan: 0 to add, 1 to change, 0 to destroy`)
	w.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	key, err := c.GetAPIKey(ctx, payments)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Sort(key.Scopes); !slices.Equal(key.Scopes, []string{apiv1.ScopeAlertsRead, apiv1.ScopeKeysRead}) {
		t.Errorf("after the apply the key holds %v, want the module's scopes again", key.Scopes)
	}
	runs(1)
	plan(0)

	w.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
	if err := accountEmpty(ctx, c); err != nil {
		t.Error(err)
	}
}
