package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// repoRoot is the repository's root directory, relative to this package.
var repoRoot = filepath.Join("..", "..")

// installed is the provider installed once per test run by installedProvider.
var installed struct {
	once sync.Once
	home string // a temporary HOME; removed by TestMain
	err  error
}

// installedProvider runs `make install` once per test run, as the README
// tells a user to, with HOME set to a new temporary directory, and returns
// that HOME. Its ~/.terraform.d/plugins is Terraform's implied local mirror
// and holds keymate/keymate at the VERSION file's version, so that a
// configuration requiring it initialises with no CLI configuration at all.
// The Go command keeps its own caches and settings (they are pinned to those
// of the real HOME), and the real ~/.terraform.d is never touched.
func installedProvider(t *testing.T) string {
	t.Helper()
	installed.once.Do(func() {
		// One install serves every test of the run, so it outlives any one
		// test's TempDir; TestMain removes it.
		home, err := os.MkdirTemp("", "keymate-home-") //nolint:usetesting // see above.
		if err != nil {
			installed.err = err
			return
		}
		installed.home = home
		env := withoutEnv(os.Environ(), "HOME", "GOCACHE", "GOMODCACHE", "GOPATH", "GOENV", "MAKEFLAGS", "MAKELEVEL")
		for _, name := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOENV"} {
			out, err := exec.CommandContext(context.Background(), "go", "env", name).Output()
			if err != nil {
				installed.err = fmt.Errorf("go env %s: %w", name, err)
				return
			}
			env = append(env, name+"="+strings.TrimSpace(string(out)))
		}
		cmd := exec.CommandContext(context.Background(), "make", "--no-print-directory", "-C", repoRoot, "install")
		cmd.Env = append(env, "HOME="+home)
		if out, err := cmd.CombinedOutput(); err != nil {
			installed.err = fmt.Errorf("make install: %w\n%s", err, out)
		}
	})
	if installed.err != nil {
		t.Fatal(installed.err)
	}
	return installed.home
}

// projectVersion is the VERSION file's version.
func projectVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// withoutEnv returns env without the variables named.
func withoutEnv(env []string, names ...string) []string {
	var kept []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || name == n || (strings.HasSuffix(n, "*") && strings.HasPrefix(name, strings.TrimSuffix(n, "*")))
		}
		if !drop {
			kept = append(kept, kv)
		}
	}
	return kept
}

// userTerraform runs the Terraform CLI in dir as a user of the installed
// provider would: HOME is the one installedProvider filled, there is no CLI
// configuration, and env (for example the KEYMATE_* credentials) is added
// to an environment cleared of every TF_* and KEYMATE_* variable. It
// returns the combined output and the exit status.
func userTerraform(t *testing.T, home, dir string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), terraformCLI(), args...)
	cmd.Dir = dir
	cmd.Env = append(withoutEnv(os.Environ(), "HOME", "TF_*", "KEYMATE_*", "XDG_CONFIG_HOME", "XDG_DATA_HOME"),
		append([]string{"HOME=" + home, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1"}, env...)...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("%s %s: %v", terraformCLI(), strings.Join(args, " "), err)
	}
	return string(out), 0
}

// readmeBlock returns the first fenced code block in language lang below
// the README heading named.
func readmeBlock(t *testing.T, heading, lang string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no heading %q", heading)
	}
	_, block, ok := strings.Cut(section, "\n```"+lang+"\n")
	if !ok {
		t.Fatalf("README.md has no %s block below %q", lang, heading)
	}
	block, _, _ = strings.Cut(block, "\n```\n")
	return block + "\n"
}

// The README's path from a clone to a team's own configuration, done as it
// says: `make install` (in a HOME of its own), the README's configuration
// in a new directory, `terraform init` with no CLI configuration (the
// implied local mirror serves keymate/keymate at the VERSION file's
// version, with no development override and no registry), and `terraform
// apply` with the credentials in the environment; the next plan is empty,
// and destroy leaves nothing behind.
func TestAccInstall_readmeConfiguration(t *testing.T) {
	t.Parallel()
	// The installed binary tells the time by the wall clock, so the server does too.
	inst, _ := testAccSetup(t, servertest.WithClock(clock.Real{}))
	home, version := installedProvider(t), projectVersion(t)

	platform := runtime.GOOS + "_" + runtime.GOARCH
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		bin := filepath.Join(home, ".terraform.d", "plugins", host, "keymate", "keymate", version, platform, "terraform-provider-keymate_v"+version)
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("make install did not put the provider into the implied local mirror for %s: %v", host, err)
		}
	}

	config := readmeBlock(t, "## Use it in your own configuration", "hcl")
	if !strings.Contains(config, `version = ">= `+version+`"`) {
		t.Errorf("the README's configuration does not constrain the version to >= %s:\n%s", version, config)
	}
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	creds := []string{envEndpoint + "=" + inst.URL, envAPIKey + "=" + inst.AdminKey}

	out, status := userTerraform(t, home, work, nil, "init", "-input=false", "-no-color")
	if status != 0 {
		t.Fatalf("terraform init exited %d:\n%s", status, out)
	}
	if want := "keymate/keymate v" + version; !strings.Contains(out, want) {
		t.Errorf("terraform init did not install %s:\n%s", want, out)
	}
	if strings.Contains(out, "override") {
		t.Errorf("terraform init mentions a development override:\n%s", out)
	}
	if out, status := userTerraform(t, home, work, creds, "apply", "-auto-approve", "-input=false", "-no-color"); status != 0 {
		t.Fatalf("terraform apply exited %d:\n%s", status, out)
	}
	if out, status := userTerraform(t, home, work, creds, "plan", "-detailed-exitcode", "-input=false", "-no-color"); status != 0 {
		t.Errorf("terraform plan after apply exited %d, want 0 (no changes):\n%s", status, out)
	}
	if out, status := userTerraform(t, home, work, creds, "destroy", "-auto-approve", "-input=false", "-no-color"); status != 0 {
		t.Fatalf("terraform destroy exited %d:\n%s", status, out)
	}
	if err := checkAccountEmpty(t, inst)(nil); err != nil {
		t.Error(err)
	}
}
