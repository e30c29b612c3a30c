// Package destination decides which network addresses the server may
// connect to when it delivers notifications: the defence against request
// forgery through notification channels. A Policy is enforced when a
// connection is dialled, after the host name was resolved, so a name that
// resolves to a denied address (DNS rebinding included) is refused before a
// single byte is sent.
package destination

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// Address classes a Policy denies unless told otherwise.
const (
	ClassUnspecified = "unspecified"
	ClassLoopback    = "loopback"
	ClassPrivate     = "private"
	ClassLinkLocal   = "link-local"
	ClassUniqueLocal = "unique-local"
	ClassMulticast   = "multicast"
	// ClassReserved covers the shared address space of carrier-grade NAT,
	// the "this network" block, IPv4's reserved and broadcast addresses and
	// the deprecated IPv6 site-local block: none is a public receiver.
	ClassReserved = "reserved"
)

// denied lists the non-public blocks with their class. IPv4-mapped IPv6
// addresses are unmapped first, and the IPv4 address embedded in a NAT64 or
// 6to4 address is classified as itself (see Classify).
var denied = []struct {
	prefix netip.Prefix
	class  string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), ClassUnspecified},
	{netip.MustParsePrefix("127.0.0.0/8"), ClassLoopback},
	{netip.MustParsePrefix("10.0.0.0/8"), ClassPrivate},
	{netip.MustParsePrefix("172.16.0.0/12"), ClassPrivate},
	{netip.MustParsePrefix("192.168.0.0/16"), ClassPrivate},
	{netip.MustParsePrefix("100.64.0.0/10"), ClassReserved},
	{netip.MustParsePrefix("169.254.0.0/16"), ClassLinkLocal},
	{netip.MustParsePrefix("224.0.0.0/4"), ClassMulticast},
	{netip.MustParsePrefix("240.0.0.0/4"), ClassReserved}, // with 255.255.255.255
	{netip.MustParsePrefix("::/128"), ClassUnspecified},
	{netip.MustParsePrefix("::1/128"), ClassLoopback},
	{netip.MustParsePrefix("fe80::/10"), ClassLinkLocal},
	{netip.MustParsePrefix("fec0::/10"), ClassReserved},
	{netip.MustParsePrefix("fc00::/7"), ClassUniqueLocal},
	{netip.MustParsePrefix("ff00::/8"), ClassMulticast},
	{netip.MustParsePrefix("64:ff9b:1::/48"), ClassPrivate}, // local-use NAT64 (RFC 8215)
}

// Prefixes of IPv6 addresses that carry an IPv4 address a gateway connects
// to: NAT64's well-known prefix (the IPv4 address in the last 32 bits) and
// 6to4 (in bits 16 to 47).
var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// Classify returns the class of a non-public address (one of the Class
// constants), or "" for an address a public receiver may have. It is a pure
// function of the address.
func Classify(addr netip.Addr) string {
	addr = addr.WithZone("").Unmap()
	if !addr.IsValid() {
		return ClassUnspecified
	}
	if embedded, ok := embeddedIPv4(addr); ok {
		return Classify(embedded)
	}
	for _, d := range denied {
		if d.prefix.Contains(addr) {
			return d.class
		}
	}
	return ""
}

// embeddedIPv4 returns the IPv4 address a NAT64 or 6to4 address leads to.
func embeddedIPv4(addr netip.Addr) (netip.Addr, bool) {
	b := addr.As16()
	switch {
	case !addr.Is6():
		return netip.Addr{}, false
	case nat64.Contains(addr):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixTo4.Contains(addr):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// Policy decides which addresses the server may connect to. The zero
// Policy allows public addresses only.
type Policy struct {
	// AllowPrivate allows every address (--allow-private-destinations).
	AllowPrivate bool
	// Allow lists blocks allowed although their class is denied
	// (--destination-allow), such as 127.0.0.1/32 for a local receiver.
	Allow []netip.Prefix
}

// DeniedError is the error of a connection the Policy refused. It names the
// class of the address, never the address, so that an API caller cannot
// use the server to map internal names to addresses.
type DeniedError struct {
	Class string
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("the destination is a %s address, which the server's destination policy denies "+
		"(an operator can allow it with --destination-allow or --allow-private-destinations)", e.Class)
}

// Check returns a *DeniedError when p denies addr, else nil.
func (p Policy) Check(addr netip.Addr) error {
	class := Classify(addr)
	if class == "" || p.AllowPrivate {
		return nil
	}
	plain := addr.WithZone("").Unmap()
	for _, allowed := range p.Allow {
		if allowed.Contains(plain) {
			return nil
		}
	}
	return &DeniedError{Class: class}
}

// Dialer returns a dialer that checks every address it is about to connect
// to, after name resolution, against p.
func (p Policy) Dialer() *net.Dialer {
	return &net.Dialer{Control: func(_, address string, _ syscall.RawConn) error {
		addrPort, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("destination policy: cannot check address %q: %w", address, err)
		}
		return p.Check(addrPort.Addr())
	}}
}

// ParseAllowList parses a comma-separated list of CIDR blocks, or single
// addresses, into prefixes; "" is an empty list.
func ParseAllowList(s string) ([]netip.Prefix, error) {
	var prefixes []netip.Prefix
	var errs []error
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if addr, err := netip.ParseAddr(item); err == nil && addr.Zone() == "" {
			prefixes = append(prefixes, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
			continue
		}
		prefix, err := netip.ParsePrefix(item)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q is not a CIDR block such as 127.0.0.1/32", item))
			continue
		}
		prefixes = append(prefixes, prefix.Masked())
	}
	return prefixes, errors.Join(errs...)
}
