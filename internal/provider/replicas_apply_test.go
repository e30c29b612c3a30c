package provider

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// serverBinary is keymate-server, built once for the tests that run it as
// processes.
var serverBinary struct {
	once sync.Once
	path string
	err  error
}

func buildServerBinary(t testing.TB) string {
	t.Helper()
	serverBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "keymate-server-") //nolint:usetesting // one build for every test of the run.
		if err != nil {
			serverBinary.err = err
			return
		}
		serverBinary.path = filepath.Join(dir, "keymate-server")
		if out, err := exec.CommandContext(context.Background(), "go", "build", "-o", serverBinary.path, "../../cmd/keymate-server").CombinedOutput(); err != nil {
			serverBinary.err = fmt.Errorf("building keymate-server: %w\n%s", err, out)
		}
	})
	if serverBinary.err != nil {
		t.Fatal(serverBinary.err)
	}
	return serverBinary.path
}

// serverProcess is a keymate-server process of a test.
type serverProcess struct {
	cmd *exec.Cmd
	url string
}

// startServerProcess starts keymate-server on a free loopback port with
// the environment env (KEYMATE_* settings) and returns once it said where it
// listens. The test's end kills it.
func startServerProcess(t testing.TB, bin string, env ...string) *serverProcess {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), bin, "--listen", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serverProcess{cmd: cmd}
	t.Cleanup(p.kill)
	found := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			var rec struct{ Msg, URL string }
			if json.Unmarshal(lines.Bytes(), &rec) == nil && rec.Msg == "listening" {
				found <- rec.URL
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case p.url = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("keymate-server never said where it listens")
	}
	return p
}

// kill ends the process with SIGKILL, as a lost machine does.
func (p *serverProcess) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}

// TestAccReplicas_applyConvergesWhenAReplicaIsKilled applies 300 API keys
// through a round-robin balancer in front of two keymate-server processes on
// one PostgreSQL database, and SIGKILLs one of them while the apply runs.
// The apply converges through the other: it succeeds, exactly 300 live keys
// exist (no orphan, no duplicate), and the next plan is empty.
func TestAccReplicas_applyConvergesWhenAReplicaIsKilled(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	dbURL := pgtest.URL(t)
	bin := buildServerBinary(t)
	const admin = "km_replicas-admin-secret-0123456789abcdef" //nolint:gosec // G101: a test-only secret.
	env := []string{"KEYMATE_DATABASE_URL=" + dbURL, "KEYMATE_DATA_DIR=" + t.TempDir(), "KEYMATE_BOOTSTRAP_API_KEY=" + admin,
		"KEYMATE_RATE_LIMIT=1000", "KEYMATE_RATE_BURST=1000"}
	first := startServerProcess(t, bin, env...)
	second := startServerProcess(t, bin, env...)
	lb := httptest.NewServer(servertest.NewBalancer(func() []string { return []string{first.url, second.url} }))
	t.Cleanup(lb.Close)

	const n = 300
	w := newCLIWorkdir(t, envEndpoint+"="+lb.URL, envAPIKey+"="+admin)
	w.writeConfig(fmt.Sprintf(`
resource "keymate_api_key" "bulk" {
  count  = %d
  name   = "bulk-${count.index}"
  scopes = ["keys:read"]
}
`, n))
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	live := func() (total, names int) {
		t.Helper()
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*), COUNT(DISTINCT name) FROM api_keys
			WHERE name LIKE 'bulk-%' AND revoked_at IS NULL`).Scan(&total, &names); err != nil {
			t.Fatal(err)
		}
		return total, names
	}

	applied := make(chan string, 1)
	status := make(chan int, 1)
	go func() {
		out, code := w.run(nil, "apply", "-input=false", "-no-color", "-auto-approve", "-parallelism=16")
		applied <- out
		status <- code
	}()
	killedAt := -1
	for killedAt < 0 {
		select {
		case out := <-applied:
			t.Fatalf("the apply ended before a replica was killed (%d):\n%s", <-status, out)
		case <-time.After(20 * time.Millisecond):
		}
		if total, _ := live(); total >= n/5 {
			first.kill()
			killedAt = total
		}
	}
	out := <-applied
	if code := <-status; code != 0 {
		t.Fatalf("the apply failed after a replica was killed at %d keys (exit %d):\n%s", killedAt, code, out)
	}
	if total, names := live(); total != n || names != n {
		t.Fatalf("after the apply %d live keys with %d names exist, want %d and %d", total, names, n, n)
	}
	t.Logf("killed one replica at %d of %d keys; the apply converged through the other", killedAt, n)
	w.mustRun("plan", "-input=false", "-no-color", "-detailed-exitcode") // exits 2, failing, when the plan is not empty
}
