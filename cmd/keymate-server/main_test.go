package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestHelpPrintsUsageAndExitsZero proves that -h and --help, for the server
// and for restore, print the usage to stdout and exit 0; that the server's
// usage names the restore subcommand; and that a bad flag exits 2 with the
// error and the usage on stderr.
func TestHelpPrintsUsageAndExitsZero(t *testing.T) {
	cases := []struct {
		args []string
		want []string // in stdout
	}{
		{[]string{"--help"}, []string{"keymate-server restore", "-data-dir", "-listen", "KEYMATE_BOOTSTRAP_API_KEY"}},
		{[]string{"-h"}, []string{"keymate-server restore", "-listen"}},
		{[]string{"restore", "--help"}, []string{"keymate-server restore --from FILE --data-dir DIR", "-from", "-backup-encryption-key-file", backupKeyEnv}},
		{[]string{"restore", "-h"}, []string{"-from", "-data-dir"}},
	}
	for _, tc := range cases {
		var stdout, stderr bytes.Buffer
		if code := runMain(tc.args, &stdout, &stderr); code != 0 {
			t.Errorf("keymate-server %v exits %d, want 0; stderr:\n%s", tc.args, code, stderr.String())
		}
		for _, want := range tc.want {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("keymate-server %v: usage lacks %q:\n%s", tc.args, want, stdout.String())
			}
		}
		if stderr.Len() != 0 {
			t.Errorf("keymate-server %v wrote to stderr:\n%s", tc.args, stderr.String())
		}
	}

	for _, args := range [][]string{{"--bogus"}, {"restore", "--bogus"}} {
		var stdout, stderr bytes.Buffer
		if code := runMain(args, &stdout, &stderr); code != 2 {
			t.Errorf("keymate-server %v exits %d, want 2", args, code)
		}
		if got := stderr.String(); !strings.Contains(got, "flag provided but not defined: -bogus") || !strings.Contains(got, "Usage:") ||
			strings.Contains(got, "keymate-server: flag") || stdout.Len() != 0 {
			t.Errorf("keymate-server %v: stdout %q, stderr:\n%s", args, stdout.String(), got)
		}
	}
}

// TestBadCIDRListsAreRefused proves that a --destination-allow or
// --trusted-proxies entry that is not a CIDR block stops the server before
// it starts, with an error naming the flag and the entry.
func TestBadCIDRListsAreRefused(t *testing.T) {
	for _, flag := range []string{"--destination-allow", "--trusted-proxies"} {
		var stdout, stderr bytes.Buffer
		args := []string{flag, "127.0.0.1/32,localhost", "--data-dir", t.TempDir(), "--listen", "127.0.0.1:0"}
		if code := runMain(args, &stdout, &stderr); code != 1 {
			t.Fatalf("keymate-server %v exits %d, want 1; stderr:\n%s", args, code, stderr.String())
		}
		if got := stderr.String(); !strings.Contains(got, flag) || !strings.Contains(got, `"localhost"`) {
			t.Fatalf("stderr %q does not name %s and the bad entry", got, flag)
		}
	}
}
