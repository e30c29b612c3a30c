package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/go-version"
)

// skipBelowCLI skips a test that execs the CLI itself when that CLI is older
// than minimum, as tfversion.SkipBelow does for the framework's tests.
func skipBelowCLI(t *testing.T, minimum *version.Version) {
	t.Helper()
	out, err := exec.CommandContext(context.Background(), terraformCLI(), "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version: %v", terraformCLI(), err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v", terraformCLI(), err)
	}
	if got := version.Must(version.NewVersion(v.Version)); got.LessThan(minimum) {
		t.Skipf("Terraform CLI version %s is below minimum version %s: skipping test", got, minimum)
	}
}

// cliWorkdir is a working directory in which a test runs the Terraform CLI
// with the real provider binary (testProviderBinary), its own CLI
// configuration and the given environment.
type cliWorkdir struct {
	t   testing.TB
	dir string
	env []string
}

func newCLIWorkdir(t testing.TB, env ...string) *cliWorkdir {
	t.Helper()
	cliConfig := testProviderBinary(t)
	return &cliWorkdir{t: t, dir: t.TempDir(),
		env: append(append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1"), env...)}
}

// writeConfig replaces the configuration with main.tf holding config.
func (w *cliWorkdir) writeConfig(config string) { w.writeFile("main.tf", config) }

// writeFile writes a file of the working directory.
func (w *cliWorkdir) writeFile(name, content string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(content), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// mustRun executes the CLI with args and returns its combined output; it
// fails the test unless the CLI succeeds.
func (w *cliWorkdir) mustRun(args ...string) string {
	w.t.Helper()
	out, status := w.run(nil, args...)
	if status != 0 {
		w.t.Fatalf("terraform %v exited %d:\n%s", args, status, out)
	}
	return out
}

// run executes the CLI with args and extra environment, and returns its
// combined output and exit status.
func (w *cliWorkdir) run(env []string, args ...string) (string, int) {
	w.t.Helper()
	cmd := exec.CommandContext(context.Background(), terraformCLI(), args...)
	cmd.Dir = w.dir
	cmd.Env = append(append([]string(nil), w.env...), env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		w.t.Fatalf("terraform %v: %v", args, err)
	}
	return string(out), 0
}

// file returns the contents of a file of the working directory.
func (w *cliWorkdir) file(name string) string {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, name))
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}

// wireProxy is a reverse proxy on loopback in front of a test server. It
// hands every exchange to observe, and while dropping is set it forwards
// each request, reads the server's whole response (so the server has
// processed the request) and then drops it: the client's connection is cut
// without an answer, as when a response is lost on the network.
type wireProxy struct {
	URL      string
	dropping atomic.Bool
	dropped  atomic.Int64

	target  string
	observe func(req *http.Request, reqBody []byte, status int, resBody []byte)
	mu      sync.Mutex // serializes observe
}

func startWireProxy(t *testing.T, target string, observe func(req *http.Request, reqBody []byte, status int, resBody []byte)) *wireProxy {
	p := &wireProxy{target: target, observe: observe}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

func (p *wireProxy) serve(w http.ResponseWriter, r *http.Request) {
	reqBody, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(reqBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	res, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	resBody, err := io.ReadAll(res.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if p.observe != nil {
		p.mu.Lock()
		p.observe(r, reqBody, res.StatusCode, resBody)
		p.mu.Unlock()
	}
	if p.dropping.Load() {
		p.dropped.Add(1)
		panic(http.ErrAbortHandler) // closes the connection without a response
	}
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(resBody)
}
