package main

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/testcert"
)

// selfSignedCert writes a self-signed certificate for 127.0.0.1 and its key
// to PEM files and returns their paths and the certificate.
func selfSignedCert(t *testing.T) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	c := testcert.New(t)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, c.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, c.KeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, c.Leaf
}

// TestServesHTTPSWithTheGivenCertificate proves --tls-cert and --tls-key:
// the server speaks HTTPS with that certificate (a client trusting only it
// gets /healthz), and a plain HTTP request is not served.
func TestServesHTTPSWithTheGivenCertificate(t *testing.T) {
	certFile, keyFile, cert := selfSignedCert(t)
	tlsConfig, err := loadTLS(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	addr, _, _ := startServingTLS(t, testLimits, tlsConfig)

	roots := x509.NewCertPool()
	roots.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}, Timeout: closeBound}
	get := func(c *http.Client, url string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c.Do(req)
	}
	resp, err := get(client, "https://"+addr+"/healthz")
	if err != nil {
		t.Fatalf("GET https://%s/healthz: %v", addr, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || !resp.TLS.PeerCertificates[0].Equal(cert) {
		t.Fatalf("GET /healthz over TLS: %d, want 200 with the configured certificate", resp.StatusCode)
	}
	if resp, err := get(&http.Client{Timeout: closeBound}, "http://"+addr+"/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("a plain HTTP request to the TLS server was served")
		}
	}
}

// TestTLSFlagsAreChecked proves that --tls-cert and --tls-key go together
// and that an unreadable pair stops the server before it starts, naming
// the flags.
func TestTLSFlagsAreChecked(t *testing.T) {
	certFile, keyFile, _ := selfSignedCert(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", certFile}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-key", keyFile}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", keyFile, "--tls-key", certFile}, "--tls-cert/--tls-key"},
	} {
		var stdout, stderr strings.Builder
		args := append(tc.args, "--data-dir", t.TempDir(), "--listen", "127.0.0.1:0")
		if code := runMain(args, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("keymate-server %v exits %d with %q, want 1 and %q", args, code, stderr.String(), tc.want)
		}
	}
}

// TestPlaintextWarningDecision proves when the server warns that it
// listens without TLS: on every address but loopback, and never with TLS.
// Only the decision is tested; nothing binds a non-loopback address.
func TestPlaintextWarningDecision(t *testing.T) {
	for _, tc := range []struct {
		ip    string
		tlsOn bool
		warn  bool
	}{
		{"127.0.0.1", false, false},
		{"127.0.0.53", false, false},
		{"::1", false, false},
		{"0.0.0.0", false, true},
		{"::", false, true},
		{"192.0.2.10", false, true},
		{"2001:db8::1", false, true},
		{"0.0.0.0", true, false},
		{"192.0.2.10", true, false},
	} {
		addr := &net.TCPAddr{IP: net.ParseIP(tc.ip), Port: 8443}
		if got := exposedWithoutTLS(addr, tc.tlsOn); got != tc.warn {
			t.Errorf("exposedWithoutTLS(%s, tls %t) = %t, want %t", addr, tc.tlsOn, got, tc.warn)
		}
	}
}
