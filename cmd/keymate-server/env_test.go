package main

import (
	"bytes"
	"flag"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// flagLine is a flag's first line in the usage text; its usage follows on
// the next line.
var flagLine = regexp.MustCompile(`^  -([a-z0-9-]+)`)

// TestEveryFlagHasAnEnvironmentVariable proves, over whatever flags the
// server and restore define, that --help names each flag's KEYMATE_*
// variable (all but --version), and that no flag's variable is one of the
// secrets' variables, which only the environment may set.
func TestEveryFlagHasAnEnvironmentVariable(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"restore", "--help"}} {
		var stdout, stderr bytes.Buffer
		if code := runMain(args, &stdout, &stderr); code != 0 {
			t.Fatalf("keymate-server %v exits %d: %s", args, code, stderr.String())
		}
		lines := strings.Split(stdout.String(), "\n")
		seen := 0
		for i, line := range lines {
			m := flagLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			seen++
			name, usage := m[1], lines[i+1]
			want := "(env " + envName(name) + ")"
			switch {
			case name == versionFlag && strings.Contains(usage, "(env "):
				t.Errorf("keymate-server %v: --version has an environment variable: %s", args, usage)
			case name != versionFlag && !strings.Contains(usage, want):
				t.Errorf("keymate-server %v: the usage of --%s lacks %s: %s", args, name, want, usage)
			}
			if slices.Contains(secretEnvs, envName(name)) {
				t.Errorf("keymate-server %v: --%s would be set by the secret variable %s", args, name, envName(name))
			}
		}
		if seen < 3 {
			t.Fatalf("keymate-server %v: found %d flags in the usage:\n%s", args, seen, stdout.String())
		}
	}
}

// TestApplyEnvSetsWhatTheCommandLineLeftOut proves the mechanism on a flag
// set of every kind of flag: variables set the flags the command line did
// not give, a flag given wins over its variable, an empty variable counts as
// unset, and each bad value is an error naming its variable and flag.
func TestApplyEnvSetsWhatTheCommandLineLeftOut(t *testing.T) {
	newFlags := func() (*flag.FlagSet, *string, *time.Duration, *bool, *int, *string) {
		flags := flag.NewFlagSet("test", flag.ContinueOnError)
		return flags, flags.String("smtp-addr", "default", ""), flags.Duration("alert-eval-interval", time.Second, ""),
			flags.Bool("allow-private-destinations", false, ""), flags.Int("rate-burst", 1, ""),
			choiceFlag(flags, "log-format", "text", "", "text", "json")
	}
	env := map[string]string{
		"KEYMATE_SMTP_ADDR":                  "relay.example.com:587",
		"KEYMATE_ALERT_EVAL_INTERVAL":        "2m",
		"KEYMATE_ALLOW_PRIVATE_DESTINATIONS": "true",
		"KEYMATE_RATE_BURST":                 "",
		"KEYMATE_LOG_FORMAT":                 "json",
	}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }

	flags, addr, interval, private, burst, format := newFlags()
	if err := flags.Parse([]string{"--log-format", "text"}); err != nil {
		t.Fatal(err)
	}
	if err := applyEnv(flags, lookup); err != nil {
		t.Fatal(err)
	}
	if *addr != "relay.example.com:587" || *interval != 2*time.Minute || !*private || *burst != 1 || *format != "text" {
		t.Fatalf("after applyEnv: smtp-addr %q, alert-eval-interval %s, allow-private-destinations %t, rate-burst %d, log-format %q",
			*addr, *interval, *private, *burst, *format)
	}

	env["KEYMATE_ALERT_EVAL_INTERVAL"], env["KEYMATE_LOG_FORMAT"] = "soon", "yaml"
	flags, _, _, _, _, _ = newFlags()
	if err := flags.Parse(nil); err != nil {
		t.Fatal(err)
	}
	err := applyEnv(flags, lookup)
	if err == nil {
		t.Fatal("applyEnv accepted KEYMATE_ALERT_EVAL_INTERVAL=soon and KEYMATE_LOG_FORMAT=yaml")
	}
	for _, want := range []string{`KEYMATE_ALERT_EVAL_INTERVAL (the environment's --alert-eval-interval): invalid value "soon"`,
		`KEYMATE_LOG_FORMAT (the environment's --log-format): invalid value "yaml": must be one of text, json`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestServerReadsItsFlagsFromTheEnvironment proves the mechanism is wired
// into the server and restore commands: a bad variable stops them with an
// error naming it, before anything starts, and a flag on the command line
// wins over its variable.
func TestServerReadsItsFlagsFromTheEnvironment(t *testing.T) {
	dataDir := t.TempDir()
	serve := []string{"--listen", "127.0.0.1:0", "--data-dir", dataDir}
	cases := []struct {
		env, value string
		args       []string
		want, not  string // in stderr
	}{
		{"KEYMATE_LOG_FORMAT", "yaml", serve, `KEYMATE_LOG_FORMAT (the environment's --log-format): invalid value "yaml": must be one of text, json`, ""},
		{"KEYMATE_RATE_LIMIT", "fast", serve, `KEYMATE_RATE_LIMIT (the environment's --rate-limit): invalid value "fast"`, ""},
		// The variable's value reaches the flag's own check...
		{"KEYMATE_DESTINATION_ALLOW", "127.0.0.1/32,localhost", serve, `"localhost"`, ""},
		// ...unless the command line gives the flag.
		{"KEYMATE_DESTINATION_ALLOW", "127.0.0.1/32,localhost", append([]string{"--destination-allow", "10.0.0.0/8,gateway"}, serve...), `"gateway"`, "localhost"},
		// An empty variable is unset.
		{"KEYMATE_FROM", "", []string{"restore", "--data-dir", dataDir}, "--from is required", ""},
		// The restore command reads the environment too.
		{"KEYMATE_FROM", "/nonexistent/backup.db", []string{"restore", "--data-dir", t.TempDir()}, "/nonexistent/backup.db", ""},
	}
	for _, tc := range cases {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			var stdout, stderr bytes.Buffer
			if code := runMain(tc.args, &stdout, &stderr); code != 1 {
				t.Fatalf("keymate-server %v with %s=%q exits %d, want 1; stderr:\n%s", tc.args, tc.env, tc.value, code, stderr.String())
			}
			got := stderr.String()
			if !strings.Contains(got, tc.want) || (tc.not != "" && strings.Contains(got, tc.not)) {
				t.Fatalf("stderr %q: want %q without %q", got, tc.want, tc.not)
			}
		})
	}
}

// TestVersionPrintsTheBuildVersion proves that --version prints the version
// the build gave (make build and goreleaser set it from the VERSION file, as
// for the provider; make release-check compares the two binaries) and exits
// 0 without starting anything.
func TestVersionPrintsTheBuildVersion(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "9.8.7-test"
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"--version", "--data-dir", "/nonexistent/never-created"}, &stdout, &stderr); code != 0 {
		t.Fatalf("--version exits %d: %s", code, stderr.String())
	}
	if got := stdout.String(); got != "keymate-server 9.8.7-test\n" || stderr.Len() != 0 {
		t.Fatalf("--version printed %q, stderr %q", got, stderr.String())
	}
}

// TestReadmeDocumentsEveryServerFlag proves that README.md's server section
// names every flag --help lists, so a new flag cannot go undocumented.
func TestReadmeDocumentsEveryServerFlag(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"--help"}, &stdout, &stderr); code != 0 {
		t.Fatalf("--help exits %d: %s", code, stderr.String())
	}
	for line := range strings.Lines(stdout.String()) {
		if m := flagLine.FindStringSubmatch(line); m != nil && !bytes.Contains(readme, []byte("`--"+m[1]+"`")) {
			t.Errorf("README.md does not document --%s", m[1])
		}
	}
}
