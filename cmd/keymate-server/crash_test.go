package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"
)

// bootstrapSecret is the admin secret the crash test's server is started
// with, through KEYMATE_BOOTSTRAP_API_KEY.
const bootstrapSecret = "crash-test-admin-secret-0123456789abcdef" //nolint:gosec // G101: a test-only secret.

// buildServer builds the keymate-server binary into a temporary directory
// and returns its path.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "keymate-server")
	out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is a running keymate-server binary.
type process struct {
	cmd    *exec.Cmd
	url    string
	stdout *syncBuffer // nothing, as the server writes its log to stderr
	stderr *syncBuffer
}

// startServer starts bin on a free loopback port with dataDir, the
// bootstrap admin secret and the extra flags, and returns once /healthz
// answers 200.
func startServer(t *testing.T, bin, dataDir string, flags ...string) *process {
	t.Helper()
	return startServerEnv(t, bin, dataDir, nil, flags...)
}

// startServerEnv is startServer with extra environment variables (NAME=value).
func startServerEnv(t *testing.T, bin, dataDir string, env []string, flags ...string) *process {
	t.Helper()
	p := &process{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	addr := &addrWriter{found: make(chan string, 1), to: p.stderr}
	args := append([]string{"--listen", "127.0.0.1:0", "--data-dir", dataDir}, flags...)
	p.cmd = exec.CommandContext(t.Context(), bin, args...) //nolint:gosec // G204: the binary this test built.
	p.cmd.Env = append(append(os.Environ(), "KEYMATE_BOOTSTRAP_API_KEY="+bootstrapSecret), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, addr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting keymate-server: %v", err)
	}
	t.Cleanup(func() { p.kill(t) })

	// Wait for events (the listening line, then a healthy answer); the
	// deadline only bounds a broken run.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	select {
	case p.url = <-addr.found:
	case <-ctx.Done():
		t.Fatalf("keymate-server never said where it listens; stderr:\n%s", p.stderr)
	}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/healthz", nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("keymate-server at %s never became healthy; stderr:\n%s", p.url, p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// kill ends the process with SIGKILL, as a crash would, and waits for it.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if p.cmd.ProcessState != nil {
		return
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) { // the test's context may have ended it
		t.Errorf("killing keymate-server: %v", err)
	}
	_ = p.cmd.Wait() // "signal: killed"
}

// addrWriter takes the server's log (stderr), passes it on to "to" and
// reports the URL of its "listening" record once, in either log format.
type addrWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	to    io.Writer
	found chan string
	sent  bool
}

// listeningLine matches the "listening" record as text (msg=listening ...
// url=http://...) and as JSON ("msg":"listening",... "url":"http://...").
var listeningLine = regexp.MustCompile(`"?msg"?[=:]"?listening\b.*\burl"?[=:]"?(http://[^"\s]+)`)

func (w *addrWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	if _, err := w.to.Write(b); err != nil {
		return 0, err
	}
	if m := listeningLine.FindSubmatch(w.buf.Bytes()); m != nil && !w.sent {
		w.sent = true
		w.found <- string(m[1])
	}
	return len(b), nil
}

// syncBuffer is a bytes.Buffer safe for a process's writes and the test's
// reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestNothingCommittedIsLostOnACrash proves that every object whose create
// or update was answered survives the server being killed with SIGKILL: the
// binary restarted on the same data directory serves each one unchanged,
// version included, to the same admin key, and the channel's sealed secret
// still signs its test delivery to a loopback receiver, which the binary
// reaches because it is started with --destination-allow.
func TestNothingCommittedIsLostOnACrash(t *testing.T) {
	bin := buildServer(t)
	dataDir := t.TempDir()
	allowLoopback := []string{"--destination-allow", "127.0.0.0/8,::1/128"}
	first := startServer(t, bin, dataDir, allowLoopback...)
	before := api{t, first.url, bootstrapSecret}
	hook, deliveries := webhookReceiver(t)
	const signingSecret = "whsec-crash-test-0123456789"

	key := before.create("/v1/api-keys", `{"name":"ci","scopes":["keys:read"]}`)
	before.do(http.MethodPatch, key, `{"description":"version 2"}`, http.StatusOK, "If-Match", `"1"`)
	channel := before.create("/v1/notification-channels",
		fmt.Sprintf(`{"name":"ops","type":"webhook","webhook":{"url":%q,"signing_secret":%q}}`, hook, signingSecret))
	grant := before.create("/v1/access-grants", `{"principal":{"type":"team","id":"sre"},"role":"operator","resource":"alert-rules/*","justification":"on call"}`)
	before.do(http.MethodPost, grant+"/review", `{"reviewer":"carol","decision":"keep"}`, http.StatusOK)
	want := map[string][]byte{}
	for _, path := range []string{key, channel, grant} {
		want[path] = before.do(http.MethodGet, path, "", http.StatusOK)
	}

	first.kill(t)
	second := startServer(t, bin, dataDir, allowLoopback...)
	after := api{t, second.url, bootstrapSecret}
	for path, body := range want {
		var obj struct{ Version int64 }
		decodeInto(t, body, &obj)
		if got := after.do(http.MethodGet, path, "", http.StatusOK); !bytes.Equal(got, body) {
			t.Errorf("GET %s after the crash:\n%s\nwant (version %d):\n%s", path, got, obj.Version, body)
		}
	}
	var list struct{ Data []struct{ ID string } }
	decodeInto(t, after.do(http.MethodGet, "/v1/api-keys", "", http.StatusOK), &list)
	if len(list.Data) != 2 {
		t.Errorf("%d API keys after the crash, want the admin key and ci", len(list.Data))
	}
	after.testDeliveryIsSigned(channel, deliveries, signingSecret, time.Now())
}
