package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// failoverDeadline bounds how long the remaining replica may take to lead
// after the leader is killed (the bound; a leader is replaced
// within about server.DefaultLeaderInterval).
const failoverDeadline = 10 * time.Second

// TestAKilledLeaderIsReplaced runs two server processes on one PostgreSQL
// database given by KEYMATE_DATABASE_URL, with a password in it. The first
// leads the periodic jobs (keymate_leader 1, the second 0); after SIGKILL of
// the first, PostgreSQL frees its lock and the second leads within
// failoverDeadline. Neither log holds the password.
func TestAKilledLeaderIsReplaced(t *testing.T) {
	const password = "pg-password-in-the-url-0123456789" //nolint:gosec // G101: a test-only secret (the cluster trusts loopback).
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("postgres", password)
	bin := buildServer(t)
	dataDir := t.TempDir() // both replicas read one sealing key
	env := []string{"KEYMATE_DATABASE_URL=" + u.String(), "KEYMATE_METRICS_PUBLIC=true"}
	first := startServerEnv(t, bin, dataDir, env)
	waitLeading(t, first, "1", failoverDeadline)
	second := startServerEnv(t, bin, dataDir, env)
	waitLeading(t, second, "0", failoverDeadline)

	first.kill(t)
	killed := time.Now()
	waitLeading(t, second, "1", failoverDeadline)
	t.Logf("the second replica led %v after the first was killed", time.Since(killed).Round(time.Millisecond))

	second.kill(t)
	for _, p := range []*process{first, second} {
		if log := p.stderr.String(); strings.Contains(log, password) || !strings.Contains(log, "postgresql 127.0.0.1:") {
			t.Errorf("the log names the database wrongly or holds its password:\n%s", log)
		}
	}
}

// waitLeading polls p's /metrics until keymate_leader is want, failing the
// test after deadline.
func waitLeading(t *testing.T, p *process, want string, deadline time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		var body []byte
		if resp, err := http.DefaultClient.Do(req); err == nil {
			body = readAll(resp)
			if strings.Contains(string(body), "\nkeymate_leader "+want+"\n") {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("keymate_leader never became %s at %s within %v; metrics:\n%s", want, p.url, deadline, grepLines(string(body), "keymate_leader"))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func readAll(resp *http.Response) []byte {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

// grepLines returns the lines of text that contain s.
func grepLines(text, s string) string {
	var out strings.Builder
	for line := range strings.Lines(text) {
		if strings.Contains(line, s) {
			out.WriteString(line)
		}
	}
	return out.String()
}
