package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// clientFrom returns an HTTP client whose connections come from the
// loopback address ip, so that the server sees a client of its own.
func clientFrom(ip string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}}
}

// getKeys lists API keys with secret through client and returns the status
// and the Retry-After header.
func getKeys(t *testing.T, client *http.Client, inst *servertest.Instance, secret string) (int, string) {
	t.Helper()
	return getKeysAt(t, client, inst.URL, secret)
}

// getKeysAt is getKeys at the server or balancer at url.
func getKeysAt(t *testing.T, client *http.Client, url, secret string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url+"/v1/api-keys", nil)
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get(apiv1.HeaderRetryAfter)
}

// TestFailedAuthenticationIsLimitedPerClientAddress proves the brute-force
// limit: a client address that presented wrong secrets burst times is
// answered 429 with Retry-After, before its secret is even looked at (a right
// one included, so that guessing learns nothing), while other addresses are
// unaffected; as the clock moves, the address earns one attempt per refill
// interval again. Requests without a secret do not count.
func TestFailedAuthenticationIsLimitedPerClientAddress(t *testing.T) {
	inst := servertest.Start(t)
	const burst, refill = server.DefaultAuthFailureBurst, server.DefaultAuthFailureInterval
	attacker, neighbour := clientFrom("127.0.0.2"), clientFrom("127.0.0.3")
	wrong := "km_guess-000000000000000000000000000000000000000"

	for i := range burst {
		if status, _ := getKeys(t, attacker, inst, wrong); status != http.StatusUnauthorized {
			t.Fatalf("failed attempt %d: status %d, want 401", i+1, status)
		}
	}
	for _, secret := range []string{wrong, inst.AdminKey} {
		status, retryAfter := getKeys(t, attacker, inst, secret)
		if status != http.StatusTooManyRequests || retryAfter != strconv.Itoa(int(refill.Seconds())) {
			t.Fatalf("after %d failures: status %d, Retry-After %q; want 429 and %d", burst, status, retryAfter, int(refill.Seconds()))
		}
	}
	if status, _ := getKeys(t, attacker, inst, ""); status != http.StatusUnauthorized {
		t.Fatalf("without a secret: status %d, want 401", status)
	}
	if status, _ := getKeys(t, neighbour, inst, inst.AdminKey); status != http.StatusOK {
		t.Fatalf("another address: status %d, want 200", status)
	}

	inst.Clock.Advance(refill)
	if status, _ := getKeys(t, attacker, inst, wrong); status != http.StatusUnauthorized {
		t.Fatalf("after one refill interval: status %d, want one more attempt (401)", status)
	}
	if status, _ := getKeys(t, attacker, inst, inst.AdminKey); status != http.StatusTooManyRequests {
		t.Fatalf("right after it: status %d, want 429", status)
	}
	inst.Clock.Advance(refill)
	if status, _ := getKeys(t, attacker, inst, inst.AdminKey); status != http.StatusOK {
		t.Fatalf("the right secret after a refill: status %d, want 200", status)
	}
}

// TestRefusedSecretsBehindALoadBalancerAreCountedPerClient proves the limit
// behind a load balancer. Without --trusted-proxies every client shares the
// balancer's address, so that one client's refused secrets lock every other
// client out until the limit refills (the finding this test keeps); with
// the balancer trusted, each client is counted by the address the balancer
// appends to X-Forwarded-For, and the others are unaffected.
func TestRefusedSecretsBehindALoadBalancerAreCountedPerClient(t *testing.T) {
	const wrong = "km_guess-000000000000000000000000000000000000000"
	for _, tc := range []struct {
		name      string
		trusted   []netip.Prefix
		neighbour int
	}{
		{"no proxy trusted", nil, http.StatusTooManyRequests},
		{"the balancer trusted", []netip.Prefix{servertest.BalancerAddress}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inst := servertest.Start(t, func(c *server.Config) { c.TrustedProxies = tc.trusted })
			lb := httptest.NewServer(servertest.NewBalancer(func() []string { return []string{inst.URL} }))
			t.Cleanup(lb.Close)
			attacker, neighbour := clientFrom("127.0.0.2"), clientFrom("127.0.0.3")
			for i := range server.DefaultAuthFailureBurst {
				if status, _ := getKeysAt(t, attacker, lb.URL, wrong); status != http.StatusUnauthorized {
					t.Fatalf("failed attempt %d: status %d, want 401", i+1, status)
				}
			}
			if status, _ := getKeysAt(t, attacker, lb.URL, inst.AdminKey); status != http.StatusTooManyRequests {
				t.Fatalf("the attacker after its failures: status %d, want 429", status)
			}
			if status, _ := getKeysAt(t, neighbour, lb.URL, inst.AdminKey); status != tc.neighbour {
				t.Fatalf("another client through the balancer: status %d, want %d", status, tc.neighbour)
			}
		})
	}
}
