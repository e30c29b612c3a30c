package server

import (
	"net/http"
	"net/netip"
	"testing"
)

// TestClientAddressGroupsIPv6Networks proves how the failed authentication
// limit names a client: an IPv4 address (also when IPv4-mapped) as itself,
// and an IPv6 address by its /64 network, so that a client cannot earn new
// attempts by moving within the network it holds.
func TestClientAddressGroupsIPv6Networks(t *testing.T) {
	var s Server
	for remote, want := range map[string]string{
		"127.0.0.2:5555":             "127.0.0.2",
		"[::ffff:127.0.0.3]:5555":    "127.0.0.3",
		"[2001:db8:1:2:aaaa::1]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:bbbb::9]:443": "2001:db8:1:2::/64",
		"[::1]:80":                   "::/64",
		"not an address":             "not an address",
	} {
		if got := s.clientAddress(&http.Request{RemoteAddr: remote}); got != want {
			t.Errorf("clientAddress(%q) = %q, want %q", remote, got, want)
		}
	}
}

// TestClientAddressBehindTrustedProxies proves whom the failed
// authentication limit counts behind load balancers: X-Forwarded-For only
// when the connection comes from a trusted proxy, and then its rightmost
// address that is not a trusted proxy's, so that a client cannot name
// another address (to spread its guesses, or to have someone else limited)
// by sending the header itself.
func TestClientAddressBehindTrustedProxies(t *testing.T) {
	s := Server{trustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}}
	cases := []struct {
		name, remote string
		forwarded    []string
		want         string
	}{
		{"a client sending the header itself", "192.0.2.7:5555", []string{"198.51.100.1"}, "192.0.2.7"},
		{"through one proxy", "10.0.0.5:443", []string{"192.0.2.7"}, "192.0.2.7"},
		{"through two proxies", "10.0.0.5:443", []string{"192.0.2.7, 10.1.1.1"}, "192.0.2.7"},
		{"a forged address left of the client's", "10.0.0.5:443", []string{"198.51.100.1, 192.0.2.7"}, "192.0.2.7"},
		{"header lines joined in order", "10.0.0.5:443", []string{"198.51.100.1", "192.0.2.7, 10.1.1.1"}, "192.0.2.7"},
		{"no header: the proxy itself (a health check)", "10.0.0.5:443", nil, "10.0.0.5"},
		{"only proxies: the leftmost", "10.0.0.5:443", []string{"10.9.9.9, 10.1.1.1"}, "10.9.9.9"},
		{"not an address: the last proxy known", "10.0.0.5:443", []string{"192.0.2.7, garbage, 10.1.1.1"}, "10.1.1.1"},
		{"an IPv6 client by its /64", "[fd00::5]:443", []string{"2001:db8:1:2:aaaa::1"}, "2001:db8:1:2::/64"},
		{"an IPv4-mapped client", "10.0.0.5:443", []string{"::ffff:192.0.2.7"}, "192.0.2.7"},
		{"entries with ports", "10.0.0.5:443", []string{"192.0.2.7:5555, [fd00::9]:443"}, "192.0.2.7"},
	}
	for _, tc := range cases {
		r := &http.Request{RemoteAddr: tc.remote, Header: http.Header{}}
		for _, v := range tc.forwarded {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.clientAddress(r); got != tc.want {
			t.Errorf("%s: clientAddress(%s, X-Forwarded-For %q) = %q, want %q", tc.name, tc.remote, tc.forwarded, got, tc.want)
		}
	}
}
