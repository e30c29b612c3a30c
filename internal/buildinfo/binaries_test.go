package buildinfo_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/buildinfo"
)

// modLine is the main module's line of `go version -m`: "mod", the path,
// the version and (for a module from a proxy) the sum.
var modLine = regexp.MustCompile(`(?m)^\s+mod\s+\S+\s+(\S+)`)

// TestVersionOfAPlainBuild builds the provider and the server with `go
// build` and no -X, as `go install` does, with VCS stamping on (the
// environment may turn it off in GOFLAGS), and proves that each one's
// --version prints its name and the main module's version that the Go
// command recorded in its build info: in a git clone the pseudo-version it
// derives from the commit, "dev" only where it records none ("(devel)", as
// in a git worktree, which the Go command does not read, or outside a
// repository).
func TestVersionOfAPlainBuild(t *testing.T) {
	for name, pkg := range map[string]string{"terraform-provider-keymate": "../..", "keymate-server": "../../cmd/keymate-server"} {
		t.Run(name, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), name)
			build := exec.CommandContext(t.Context(), "go", "build", "-buildvcs=auto", "-o", bin, pkg)
			build.Env = append(os.Environ(), "GOFLAGS=")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			info, err := exec.CommandContext(t.Context(), "go", "version", "-m", bin).Output()
			if err != nil {
				t.Fatalf("go version -m: %v", err)
			}
			m := modLine.FindSubmatch(info)
			if m == nil {
				t.Fatalf("go version -m names no main module:\n%s", info)
			}
			want := string(m[1])
			if want == "(devel)" {
				want = buildinfo.Dev
			}
			var stdout bytes.Buffer
			cmd := exec.CommandContext(t.Context(), bin, "--version") //nolint:gosec // G204: the binary this test built.
			cmd.Stdout = &stdout
			if err := cmd.Run(); err != nil {
				t.Fatalf("--version: %v", err)
			}
			if got := strings.TrimSpace(stdout.String()); got != buildinfo.Line(name, want) {
				t.Fatalf("--version printed %q, want %q (go version -m:\n%s)", got, buildinfo.Line(name, want), info)
			}
			t.Logf("a plain build reports %q", want)
		})
	}
}
