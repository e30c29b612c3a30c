package server

import (
	"net/http"
	"testing"
)

// TestClientAddressGroupsIPv6Networks proves how the failed authentication
// limit names a client: an IPv4 address (also when IPv4-mapped) as itself,
// and an IPv6 address by its /64 network, so that a client cannot earn new
// attempts by moving within the network it holds.
func TestClientAddressGroupsIPv6Networks(t *testing.T) {
	for remote, want := range map[string]string{
		"127.0.0.2:5555":             "127.0.0.2",
		"[::ffff:127.0.0.3]:5555":    "127.0.0.3",
		"[2001:db8:1:2:aaaa::1]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:bbbb::9]:443": "2001:db8:1:2::/64",
		"[::1]:80":                   "::/64",
		"not an address":             "not an address",
	} {
		if got := clientAddress(&http.Request{RemoteAddr: remote}); got != want {
			t.Errorf("clientAddress(%q) = %q, want %q", remote, got, want)
		}
	}
}
