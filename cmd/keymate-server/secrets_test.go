package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretSettingsAreChecked proves that the server refuses to start with
// SMTP settings that would send the password in clear, or with secret and
// certificate files it cannot use, naming the flag, and never printing the
// password.
func TestSecretSettingsAreChecked(t *testing.T) {
	const password = "smtp-password-flags-test-0123456789" //nolint:gosec // G101: a test-only secret.
	dir := t.TempDir()
	empty, notPEM := filepath.Join(dir, "empty"), filepath.Join(dir, "ca.pem")
	for f, content := range map[string]string{empty: "\n", notPEM: "not a certificate\n"} {
		if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(smtpPasswordEnv, password)
	serve := []string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--smtp-addr", "relay.example.com:587"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--smtp-username", "keymate", "--smtp-starttls", "off"}, "--smtp-username needs --smtp-starttls require: SMTP credentials are never sent in clear"},
		{[]string{"--smtp-starttls", "maybe"}, `invalid value "maybe" for flag -smtp-starttls: must be one of require, off`},
		{[]string{"--smtp-username", "keymate", "--smtp-password-file", filepath.Join(dir, "missing")}, "--smtp-password-file: open " + filepath.Join(dir, "missing")},
		{[]string{"--smtp-username", "keymate", "--smtp-password-file", empty}, "--smtp-password-file: " + empty + " is empty"},
		{[]string{"--smtp-ca-file", notPEM}, "--smtp-ca-file: " + notPEM + " holds no PEM certificate"},
		{nil, "an SMTP password is set without --smtp-username"},
		{[]string{"--bootstrap-api-key-file", empty}, "--bootstrap-api-key-file: " + empty + " is empty"},
	} {
		var stdout, stderr bytes.Buffer
		args := append(tc.args, serve...)
		if code := runMain(args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), tc.want) || strings.Contains(stderr.String(), password) {
			t.Errorf("keymate-server %v exits %d; stderr %q, want %q", args, code, stderr.String(), tc.want)
		}
	}
}

// TestSecretFileWinsOverTheEnvironment proves where a secret comes from:
// the file (without its final line break), else the variable.
func TestSecretFileWinsOverTheEnvironment(t *testing.T) {
	t.Setenv(smtpPasswordEnv, "from-the-environment")
	file := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(file, []byte("from the file\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{file: "from the file", "": "from-the-environment"} {
		if got, err := loadSecret("smtp-password-file", file, smtpPasswordEnv); err != nil || got != want {
			t.Errorf("loadSecret(%q) = %q, %v; want %q", file, got, err, want)
		}
	}
}
