package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/server"
)

// closeBound is how long a test waits for the server to close a
// connection whose timeout (a fraction of a second) has passed; it only
// bounds a broken run.
const closeBound = 10 * time.Second

// testLimits are short connection limits, so that timeouts pass quickly.
var testLimits = connLimits{
	readTimeout:    300 * time.Millisecond,
	writeTimeout:   5 * time.Second,
	idleTimeout:    300 * time.Millisecond,
	maxConnections: 4,
}

// countingListener records how many accepted connections are open at once.
type countingListener struct {
	net.Listener
	mu        sync.Mutex
	open, max int
}

func (l *countingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open++
	l.max = max(l.max, l.open)
	return &countedConn{Conn: conn, l: l}, nil
}

func (l *countingListener) peak() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.max
}

type countedConn struct {
	net.Conn
	l    *countingListener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// startServing serves a real Keymate server on a loopback port through
// serve with limits, and returns its address, its admin key and the
// listener that counts its connections.
func startServing(t *testing.T, limits connLimits) (addr, adminKey string, counter *countingListener) {
	t.Helper()
	return startServingTLS(t, limits, nil)
}

// startServingTLS is startServing with a TLS configuration (nil for none).
func startServingTLS(t *testing.T, limits connLimits, tlsConfig *tls.Config) (addr, adminKey string, counter *countingListener) {
	t.Helper()
	const admin = "serve-test-admin-secret-0123456789abcdef" //nolint:gosec // G101: a test-only secret.
	srv, err := server.New(server.Config{DataDir: t.TempDir(), BootstrapAPIKey: admin})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	counter = &countingListener{Listener: ln}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, counter, srv.Handler(), limits, tlsConfig, slog.New(slog.DiscardHandler))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		_ = srv.Close()
	})
	return ln.Addr().String(), admin, counter
}

// dial opens a raw connection to addr.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := (&net.Dialer{}).DialContext(t.Context(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// expectClosed reads conn until the server closes it (EOF or reset) and
// fails if that does not happen within closeBound.
func expectClosed(t *testing.T, conn net.Conn, what string) {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(closeBound)); err != nil {
		t.Fatal(err)
	}
	_, err := io.Copy(io.Discard, conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("%s: the server kept the connection open for %s", what, closeBound)
	}
}

// TestIdleConnectionsAreClosed proves that a keep-alive connection left idle
// after a request is closed by the server once the idle timeout passes.
func TestIdleConnectionsAreClosed(t *testing.T) {
	addr, _, _ := startServing(t, testLimits)
	conn := dial(t, addr)
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: keymate\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(closeBound)); err != nil {
		t.Fatal(err)
	}
	reader := bufio.NewReader(conn)
	resp, err := http.ReadResponse(reader, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("GET /healthz: %d (close %t), want 200 on a kept-alive connection", resp.StatusCode, resp.Close)
	}
	expectClosed(t, conn, "an idle keep-alive connection")
}

// TestSlowRequestsAreClosed proves that a client sending its headers, or
// its body, slower than the read timeout (slowloris) loses the connection.
func TestSlowRequestsAreClosed(t *testing.T) {
	addr, admin, _ := startServing(t, testLimits)
	slowHeaders := dial(t, addr)
	if _, err := io.WriteString(slowHeaders, "GET /healthz HTTP/1.1\r\nHost: keymate\r\nX-Slow: 1\r\n"); err != nil {
		t.Fatal(err)
	}
	slowBody := dial(t, addr)
	if _, err := io.WriteString(slowBody, "POST /v1/notification-channels HTTP/1.1\r\nHost: keymate\r\nAuthorization: Bearer "+admin+
		"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"name\":"); err != nil {
		t.Fatal(err)
	}
	expectClosed(t, slowHeaders, "a request whose headers never end")
	expectClosed(t, slowBody, "a request whose body never ends")
}

// TestHealthzAnswersAtTheConnectionCap proves the connection cap: with
// twice the cap of connections held open by idle and slow clients, the
// server never has more than the cap open at once, and /healthz still
// answers, as the timeouts free the held connections.
func TestHealthzAnswersAtTheConnectionCap(t *testing.T) {
	addr, _, counter := startServing(t, testLimits)
	for i := range 2 * testLimits.maxConnections {
		conn := dial(t, addr)
		if i%2 == 0 { // half of them start a request and never finish it
			if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: keymate\r\n"); err != nil {
				t.Fatal(err)
			}
		}
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: closeBound}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET /healthz at the connection cap: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz at the connection cap: %d", resp.StatusCode)
	}
	if peak := counter.peak(); peak > testLimits.maxConnections {
		t.Fatalf("%d connections were open at once, above the cap of %d", peak, testLimits.maxConnections)
	}
}

// TestHugeHeadersAreRefused proves MaxHeaderBytes: headers above 64 KiB get
// 431 without reaching a handler.
func TestHugeHeadersAreRefused(t *testing.T) {
	addr, _, _ := startServing(t, testLimits)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Big", strings.Repeat("a", 2*maxHeaderBytes))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("a request with %d bytes of headers: %d, want 431", 2*maxHeaderBytes, resp.StatusCode)
	}
}

// TestConnectionLimitFlagsAreChecked proves that a limit that is not
// positive stops the server before it starts, naming the flag.
func TestConnectionLimitFlagsAreChecked(t *testing.T) {
	for _, tc := range []struct{ flag, value string }{
		{"--read-timeout", "0s"}, {"--write-timeout", "-1s"}, {"--idle-timeout", "0s"}, {"--max-connections", "0"},
	} {
		var stdout, stderr strings.Builder
		args := []string{tc.flag, tc.value, "--data-dir", t.TempDir(), "--listen", "127.0.0.1:0"}
		if code := runMain(args, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), tc.flag) {
			t.Errorf("keymate-server %v exits %d with %q, want 1 naming %s", args, code, stderr.String(), tc.flag)
		}
	}
}
