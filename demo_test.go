package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// make demo, run as a person would with its output going to a file: it
// succeeds and tells the guide's story in fewer than 60 lines a person reads
// in under a minute: the quickstart applied, a plan-time guide check with its
// control id (a warning, an error under enforce), the compliance report with
// its findings, drift caught and undone, and a summary. Its output holds no
// escape codes (stdout is not a terminal) and no word of a development
// override (the demo installs the provider into a local mirror of its own).
func TestAccMakeDemo(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run")
	}
	var env []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); name != "MAKEFLAGS" && name != "MAKELEVEL" {
			env = append(env, kv)
		}
	}
	cmd := exec.CommandContext(context.Background(), "make", "--no-print-directory", "demo")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	text := string(out)
	if err != nil {
		t.Fatalf("make demo: %v\n%s", err, text)
	}
	for _, want := range []string{
		"==> 1. terraform apply examples/quickstart",
		"Apply complete! Resources: 6 added, 0 changed, 0 destroyed.",
		"Warning: KM-KEY-002: API key rotation period over 90 days",
		"With KEYMATE_POLICY=enforce (as in CI) the same plan fails: Error: KM-KEY-002",
		"FINDINGS: 0 critical and 3 warning findings",
		"KM-KEY-003 [warning] api_key bootstrap-admin",
		"# keymate_api_key.payments will be updated in-place",
		`- "keys:write",`,
		"terraform apply: Apply complete! Resources: 0 added, 1 changed, 0 destroyed.",
		"exit 0, no changes",
		"==> Summary",
		"terraform destroy: 6 objects destroyed",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the demo's output lacks %q", want)
		}
	}
	if strings.ContainsRune(text, '\x1b') {
		t.Error("the demo's output holds escape codes although stdout is not a terminal")
	}
	if strings.Contains(strings.ToLower(text), "override") {
		t.Error("the demo's output mentions a development override")
	}
	if lines := strings.Count(text, "\n"); lines >= 60 {
		t.Errorf("the demo prints %d lines, want fewer than 60", lines)
	}
	if t.Failed() {
		t.Logf("make demo printed:\n%s", text)
	}
}
