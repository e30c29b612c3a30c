package apiv1

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// The rules of notification channel settings and of the secrets a request
// may carry. The server validates requests with them and the provider
// validates configurations with them, so that both say the same thing.
// Errors say what is wrong and never quote the value: a URL or a secret may
// be one.

// Limits of secrets and channel values.
const (
	// MaxSecretLength bounds every supplied secret: an API key's secret and
	// a webhook's signing secret.
	MaxSecretLength = 512
	// MaxChannelValueLength bounds channel URLs and header values.
	MaxChannelValueLength = 2048
)

// ReservedWebhookHeaders are set by the server on every webhook delivery and
// cannot be configured.
var ReservedWebhookHeaders = []string{"Content-Type", "Content-Length", "Host", "User-Agent", HeaderSignature, HeaderEvent}

// CheckSecret returns nil when s can be a supplied secret at least minLength
// bytes long (MinSecretLength for an API key, MinSigningSecretLength for a
// signing secret): at most MaxSecretLength bytes, without whitespace or
// control characters.
func CheckSecret(s string, minLength int) error {
	switch {
	case len(s) < minLength:
		return fmt.Errorf("must be at least %d characters, got %d", minLength, len(s))
	case len(s) > MaxSecretLength:
		return fmt.Errorf("must be at most %d characters, got %d", MaxSecretLength, len(s))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return errors.New("must not contain whitespace or control characters")
	}
	return nil
}

// CheckRoutingKey returns nil when s is a PagerDuty routing key:
// PagerDutyRoutingKeyLen ASCII letters and digits.
func CheckRoutingKey(s string) error {
	alnum := strings.IndexFunc(s, func(r rune) bool { return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) }) < 0
	if len(s) != PagerDutyRoutingKeyLen || !alnum {
		return fmt.Errorf("must be %d letters and digits, got %d characters", PagerDutyRoutingKeyLen, len(s))
	}
	return nil
}

// CheckHeaderName returns nil when name can be a configured webhook header:
// an HTTP header name (HeaderNameRule) that the server does not set itself
// (ReservedWebhookHeaders, in any case).
func CheckHeaderName(name string) error {
	if err := HeaderNameRule.Check(name); err != nil {
		return err
	}
	if slices.Contains(ReservedWebhookHeaders, http.CanonicalHeaderKey(name)) {
		return fmt.Errorf("must not be one of the headers the server sets itself (%s)", strings.Join(ReservedWebhookHeaders, ", "))
	}
	return nil
}

// CheckHeaderNamesDistinct returns nil when no two of names name the same
// HTTP header. Header names ignore case, so "X-Team" and "x-team" are one
// header, and a delivery could send only one of their values.
func CheckHeaderNamesDistinct(names []string) error {
	seen := map[string]string{}
	for _, name := range slices.Sorted(slices.Values(names)) {
		if first, ok := seen[strings.ToLower(name)]; ok {
			return fmt.Errorf("%q and %q name the same header: header names ignore case", first, name)
		}
		seen[strings.ToLower(name)] = name
	}
	return nil
}

// CheckHeaderValue returns nil when v can be a webhook header's value.
func CheckHeaderValue(v string) error {
	switch {
	case len(v) > MaxChannelValueLength:
		return fmt.Errorf("must be at most %d characters", MaxChannelValueLength)
	case strings.ContainsAny(v, "\r\n\x00"):
		return errors.New("must not contain line breaks or NUL")
	}
	return nil
}

// CheckChannelURL returns nil when s is an absolute http or https URL with a
// host, at most MaxChannelValueLength characters. With httpsOnly (Slack's
// webhook URL, PagerDuty's events URL) plain http is accepted only for
// loopback hosts, so that a receiver on the same machine can be used in
// tests.
func CheckChannelURL(s string, httpsOnly bool) error {
	if len(s) > MaxChannelValueLength {
		return fmt.Errorf("must be at most %d characters, got %d", MaxChannelValueLength, len(s))
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || !u.IsAbs():
		return errors.New(`not an absolute URL; write it like "https://hooks.example.com/keymate"`)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("the scheme is %q; use https (or http)", u.Scheme)
	case u.Hostname() == "":
		return errors.New("the URL has no host")
	case httpsOnly && u.Scheme == "http" && !IsLoopbackHost(u.Hostname()):
		return errors.New("must use https; plain http is accepted only for loopback hosts such as 127.0.0.1")
	}
	return nil
}

// IsLoopbackHost reports whether host is "localhost" (in any case) or a
// loopback IP address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// URLMask replaces each credential part of a destination URL that the API
// shows (MaskURL).
const URLMask = "*****"

// MaskURL returns raw with each part that may be a credential replaced by
// URLMask: the userinfo's password (its user name when it has no password,
// as a lone user name is usually a token), every query value and the
// fragment. Every query value is masked, not only those whose names look
// secret (token, key, sig, code, ...): any name can carry a receiver's
// credential, and a list of names would miss a vendor's own. Names, scheme,
// host and path are kept as written, so the masked URL tells which receiver
// it is. A URL that does not parse is masked whole. A secret in the path
// cannot be told from the rest of the path: such a URL is hidden instead
// (WebhookInput.URLHidden).
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return URLMask
	}
	userinfo := "" // written by hand: url.Userinfo would escape the mask
	if u.User != nil {
		userinfo = URLMask + "@"
		if _, hasPassword := u.User.Password(); hasPassword {
			userinfo = url.User(u.User.Username()).String() + ":" + URLMask + "@"
		}
		u.User = nil
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, part := range parts {
			if name, value, found := strings.Cut(part, "="); found && value != "" {
				parts[i] = name + "=" + URLMask
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if u.Fragment != "" {
		u.Fragment, u.RawFragment = URLMask, URLMask
	}
	masked := u.String()
	if prefix := u.Scheme + "://"; userinfo != "" && strings.HasPrefix(masked, prefix) {
		masked = prefix + userinfo + masked[len(prefix):]
	}
	return masked
}

// URLHost returns the host (and port) of a destination URL, "" when it does
// not parse: all the API shows of a hidden URL.
func URLHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
