package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// serverExamples is examples/server: the systemd unit and the container
// recipe.
const serverExamples = "../../examples/server"

// envReference is a KEYMATE_* variable named in a file.
var envReference = regexp.MustCompile(`KEYMATE_[A-Z0-9_]+`)

// TestServerExamplesUseRealSettings proves that the systemd unit and the
// Containerfile set only variables the server reads (a flag's or a
// secret's), keep secrets in files, and keep their hardening: the unit
// runs as a dynamic user without privileges on a read-only system, the
// container as a user other than root.
func TestServerExamplesUseRealSettings(t *testing.T) {
	var help, stderr bytes.Buffer
	if code := runMain([]string{"--help"}, &help, &stderr); code != 0 {
		t.Fatalf("--help exits %d: %s", code, stderr.String())
	}
	known := slices.Clone(secretEnvs)
	for line := range strings.Lines(help.String()) {
		if m := flagLine.FindStringSubmatch(line); m != nil && hasEnv(m[1]) {
			known = append(known, envName(m[1]))
		}
	}
	files := map[string][]string{
		"keymate-server.service": {"DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
			"StateDirectory=keymate", "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service",
			"KEYMATE_BOOTSTRAP_API_KEY_FILE=%d/", "KEYMATE_BACKUP_ENCRYPTION_KEY_FILE=%d/"},
		"Containerfile": {"USER 65532:65532", "CGO_ENABLED=0", "-X main.version=$(cat VERSION)", "./cmd/keymate-server",
			"KEYMATE_BOOTSTRAP_API_KEY_FILE=/run/secrets/", "KEYMATE_BACKUP_ENCRYPTION_KEY_FILE=/run/secrets/"},
	}
	for name, wants := range files {
		b, err := os.ReadFile(filepath.Join(serverExamples, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range envReference.FindAllString(string(b), -1) {
			if !slices.Contains(known, v) {
				t.Errorf("examples/server/%s sets %s, which keymate-server does not read", name, v)
			}
		}
		for _, secret := range secretEnvs {
			if bytes.Contains(b, []byte(secret+"=")) {
				t.Errorf("examples/server/%s puts a secret in the environment (%s); use its file flag", name, secret)
			}
		}
		for _, want := range wants {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("examples/server/%s lacks %q", name, want)
			}
		}
	}
}

// TestSystemdUnitVerifies runs systemd-analyze on the unit, its ExecStart
// pointed at a freshly built binary: verify must find nothing to say, and
// the offline security analysis must rate its exposure 2.0 or below ("OK").
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed; TestServerExamplesUseRealSettings still checks the unit")
	}
	unit, err := os.ReadFile(filepath.Join(serverExamples, "keymate-server.service"))
	if err != nil {
		t.Fatal(err)
	}
	bin := buildServer(t)
	const execStart = "ExecStart=/usr/local/bin/keymate-server\n"
	if !bytes.Contains(unit, []byte(execStart)) {
		t.Fatalf("the unit lacks %q", execStart)
	}
	path := filepath.Join(t.TempDir(), "keymate-server.service")
	if err := os.WriteFile(path, bytes.Replace(unit, []byte(execStart), []byte("ExecStart="+bin+"\n"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"verify", path}, {"security", "--offline=yes", "--threshold=20", path}} {
		out, err := exec.CommandContext(t.Context(), analyze, args...).CombinedOutput() //nolint:gosec // G204: the test's own arguments.
		if err != nil || (args[0] == "verify" && len(out) > 0) {
			t.Errorf("systemd-analyze %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
