package destination

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// TestClassify proves the classification of addresses as a pure function
// over literals; nothing is dialled. Every non-public block, in IPv4, IPv6
// and the IPv6 forms that lead to an IPv4 address (mapped, NAT64, 6to4), is
// classified, and public addresses are not.
func TestClassify(t *testing.T) {
	cases := map[string]string{
		"0.0.0.0":                  ClassUnspecified,
		"0.1.2.3":                  ClassUnspecified,
		"::":                       ClassUnspecified,
		"127.0.0.1":                ClassLoopback,
		"127.255.255.254":          ClassLoopback,
		"::1":                      ClassLoopback,
		"10.0.0.1":                 ClassPrivate,
		"172.16.0.1":               ClassPrivate,
		"172.31.255.255":           ClassPrivate,
		"192.168.1.1":              ClassPrivate,
		"169.254.169.254":          ClassLinkLocal,
		"fe80::1":                  ClassLinkLocal,
		"fe80::1%eth0":             ClassLinkLocal,
		"fc00::1":                  ClassUniqueLocal,
		"fd12:3456::1":             ClassUniqueLocal,
		"224.0.0.1":                ClassMulticast,
		"239.255.255.250":          ClassMulticast,
		"ff02::1":                  ClassMulticast,
		"100.64.0.1":               ClassReserved,
		"240.0.0.1":                ClassReserved,
		"255.255.255.255":          ClassReserved,
		"fec0::1":                  ClassReserved,
		"64:ff9b:1::1":             ClassPrivate,
		"::ffff:127.0.0.1":         ClassLoopback,
		"::ffff:10.1.2.3":          ClassPrivate,
		"::ffff:169.254.169.254":   ClassLinkLocal,
		"::ffff:0.0.0.0":           ClassUnspecified,
		"::ffff:224.0.0.1":         ClassMulticast,
		"64:ff9b::7f00:1":          ClassLoopback,  // NAT64 of 127.0.0.1
		"64:ff9b::a9fe:a9fe":       ClassLinkLocal, // NAT64 of 169.254.169.254
		"2002:7f00:1::1":           ClassLoopback,  // 6to4 of 127.0.0.1
		"2002:c0a8:101::1":         ClassPrivate,   // 6to4 of 192.168.1.1
		"8.8.8.8":                  "",
		"1.1.1.1":                  "",
		"172.32.0.1":               "",
		"100.128.0.1":              "",
		"2606:4700:4700::1111":     "",
		"::ffff:8.8.8.8":           "",
		"64:ff9b::808:808":         "", // NAT64 of 8.8.8.8
		"2002:808:808::1":          "", // 6to4 of 8.8.8.8
		"2001:4860:4860::8888":     "",
		"223.255.255.255":          "",
		"fbff:ffff:ffff::1":        "",
		"feff:ffff:ffff:ffff::1":   ClassReserved,
		"febf:ffff:ffff:ffff::1":   ClassLinkLocal,
		"ff00::":                   ClassMulticast,
		"::ffff:255.255.255.255":   ClassReserved,
		"2001:db8::1":              "",
		"64:ff9b::ffff:ffff":       ClassReserved,
		"64:ff9b::0:0":             ClassUnspecified,
		"2002::":                   ClassUnspecified,
		"2002:ffff:ffff::":         ClassReserved,
		"2003::1":                  "",
		"::2":                      "",
		"64:ff9b::c0a8:0101":       ClassPrivate,
		"64:ff9b:0:0:0:1:c0a8:101": "", // outside the /96
	}
	for literal, want := range cases {
		addr, err := netip.ParseAddr(literal)
		if err != nil {
			t.Fatalf("bad literal %q: %v", literal, err)
		}
		if got := Classify(addr); got != want {
			t.Errorf("Classify(%s) = %q, want %q", literal, got, want)
		}
	}
	if got := Classify(netip.Addr{}); got != ClassUnspecified {
		t.Errorf("Classify(zero Addr) = %q, want %q", got, ClassUnspecified)
	}
}

// TestPolicyCheck proves what each policy denies: the zero policy every
// non-public class, an allow-list exactly its blocks (mapped forms
// included), AllowPrivate nothing; and that the error names the class but
// not the address.
func TestPolicyCheck(t *testing.T) {
	loopbackOnly := Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	cases := []struct {
		policy  Policy
		literal string
		allowed bool
	}{
		{Policy{}, "8.8.8.8", true},
		{Policy{}, "127.0.0.1", false},
		{Policy{}, "::1", false},
		{Policy{}, "10.0.0.1", false},
		{Policy{AllowPrivate: true}, "127.0.0.1", true},
		{Policy{AllowPrivate: true}, "169.254.169.254", true},
		{loopbackOnly, "127.0.0.1", true},
		{loopbackOnly, "::ffff:127.0.0.1", true},
		{loopbackOnly, "::1", true},
		{loopbackOnly, "10.0.0.1", false},
		{loopbackOnly, "169.254.169.254", false},
		{loopbackOnly, "8.8.8.8", true},
	}
	for _, tc := range cases {
		err := tc.policy.Check(netip.MustParseAddr(tc.literal))
		if (err == nil) != tc.allowed {
			t.Errorf("%+v.Check(%s) = %v, want allowed %t", tc.policy, tc.literal, err, tc.allowed)
		}
		var denied *DeniedError
		if err != nil && (!errors.As(err, &denied) || strings.Contains(err.Error(), tc.literal) || !strings.Contains(err.Error(), Classify(netip.MustParseAddr(tc.literal)))) {
			t.Errorf("error for %s: %v; want a *DeniedError naming the class, not the address", tc.literal, err)
		}
	}
}

// TestParseAllowList proves the --destination-allow syntax: CIDR blocks or
// single addresses, comma-separated; a bad entry is an error quoting it.
func TestParseAllowList(t *testing.T) {
	got, err := ParseAllowList(" 127.0.0.1/8, ::1 ,10.1.2.3,")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"127.0.0.0/8", "::1/128", "10.1.2.3/32"}
	if len(got) != len(want) {
		t.Fatalf("ParseAllowList = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("prefix %d = %s, want %s", i, got[i], want[i])
		}
	}
	if empty, err := ParseAllowList(""); err != nil || len(empty) != 0 {
		t.Fatalf("ParseAllowList(\"\") = %v, %v", empty, err)
	}
	if _, err := ParseAllowList("127.0.0.1/8,localhost"); err == nil || !strings.Contains(err.Error(), `"localhost"`) {
		t.Fatalf("ParseAllowList with a host name: %v", err)
	}
}
