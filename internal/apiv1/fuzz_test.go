package apiv1

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The fuzz targets of the rules the server and the provider share. Each
// checks that a rule never panics and that what it accepts has the
// properties the API documents (and the server relies on). `make test` runs
// each briefly, `make fuzz` longer; the corpus is in testdata/fuzz.

// textRules are the rules FuzzTextRules checks, by name.
var textRules = map[string]TextRule{
	"key name": KeyNameRule, "name": NameRule, "description": DescriptionRule, "principal id": PrincipalIDRule,
	"justification": JustificationRule, "ticket": TicketRule, "reviewer": ReviewerRule, "comment": ReviewCommentRule,
	"label key": LabelKeyRule, "label value": LabelValueRule, "slack channel": SlackChannelRule, "header name": HeaderNameRule,
}

// FuzzTextRules checks every name and text rule: an accepted value is UTF-8,
// within the length in characters, not blank when required, free of control
// characters (line feeds and tabs only in multi-line text) and of invisible
// formatting characters, and matches the rule's pattern.
func FuzzTextRules(f *testing.F) {
	for _, s := range []string{"", " ", "deploy-bot", "Équipe SRE", "a\u202eb", "zero\u200bwidth", "line\nbreak\ttab",
		"#alerts", "X-Api-Key", "team.name", "\xff", strings.Repeat("é", 129)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, rule := range textRules {
			if rule.Check(s) != nil {
				continue
			}
			switch {
			case !utf8.ValidString(s):
				t.Fatalf("%s accepted invalid UTF-8 %q", name, s)
			case utf8.RuneCountInString(s) > rule.MaxLength:
				t.Fatalf("%s accepted %d characters", name, utf8.RuneCountInString(s))
			case rule.Required && strings.TrimSpace(s) == "":
				t.Fatalf("%s accepted the blank %q", name, s)
			case rule.Pattern != nil && !rule.Pattern.MatchString(s):
				t.Fatalf("%s accepted %q against its pattern", name, s)
			}
			for _, c := range s {
				if unicode.IsControl(c) && !(rule.Multiline && (c == '\n' || c == '\t')) ||
					unicode.In(c, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co) {
					t.Fatalf("%s accepted %U in %q", name, c, s)
				}
			}
		}
	})
}

// FuzzCheckBackupDestination checks that an accepted destination is a local
// path, which the server joins to its backup root: never absolute, never a
// step out.
func FuzzCheckBackupDestination(f *testing.F) {
	for _, s := range []string{".", "nightly", "nightly/db", "/", "..", "a/../..", `a\b`, "a//b", "./a", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dest string) {
		if CheckBackupDestination(dest) != nil {
			return
		}
		if !filepath.IsLocal(filepath.FromSlash(dest)) || strings.HasPrefix(dest, "/") || strings.Contains(dest, `\`) {
			t.Fatalf("accepted the destination %q, which is not local", dest)
		}
	})
}

// idPattern is what an object id in a resource may hold.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_.\-]+$`)

// FuzzCheckResourcePattern checks that an accepted resource names a known
// collection and an id, and is a pattern too.
func FuzzCheckResourcePattern(f *testing.F) {
	for _, s := range []string{"*", "api-keys/*", "alert-rules/ar_1", "widgets/*", "api-keys/a b", "api-keys/", "**"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		patternErr := CheckResourcePattern(s)
		if CheckResource(s) == nil {
			collection, id, _ := strings.Cut(s, "/")
			if patternErr != nil || !idPattern.MatchString(id) || len(id) > MaxResourceIDLength || !strings.Contains(strings.Join(Collections, " "), collection) {
				t.Fatalf("accepted the resource %q", s)
			}
		}
		if patternErr == nil && s != "*" && !strings.Contains(s, "/") {
			t.Fatalf("accepted the pattern %q", s)
		}
	})
}

// FuzzCheckEmailAddress checks that an accepted address is one bare address
// with a dotted domain.
func FuzzCheckEmailAddress(f *testing.F) {
	for _, s := range []string{"ops@example.com", "Ops <ops@example.com>", "a@b", "a@example.com, b@example.com", "\"a b\"@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckEmailAddress(s) != nil {
			return
		}
		at := strings.LastIndex(s, "@")
		if at < 1 || !strings.Contains(s[at+1:], ".") || strings.ContainsAny(s, "<>,") || emailRule.Check(s) != nil {
			t.Fatalf("accepted the address %q", s)
		}
	})
}

// FuzzCheckChannelURL checks that an accepted destination URL is absolute
// http(s) with a host, and https unless its host is loopback when asked.
func FuzzCheckChannelURL(f *testing.F) {
	for _, s := range []string{"https://hooks.example.com/k", "http://127.0.0.1:8080/x", "http://example.com", "ftp://x", "//x", "https://", "http://[::1]/"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, httpsOnly bool) {
		if CheckChannelURL(s, httpsOnly) != nil {
			return
		}
		u, err := url.Parse(s)
		if err != nil || u.Hostname() == "" || u.Scheme != "https" && u.Scheme != "http" ||
			httpsOnly && u.Scheme == "http" && !IsLoopbackHost(u.Hostname()) {
			t.Fatalf("accepted the URL %q (https only: %v)", s, httpsOnly)
		}
	})
}

// FuzzMaskURL checks that the mask of a URL the API accepts shows no password
// and no query value of the URL, keeps its host, and masks nothing more when
// masked again (the provider compares a URL's mask with the API's).
func FuzzMaskURL(f *testing.F) {
	for _, s := range []string{"https://ops:S3CRET@hooks.example.com/x?token=T0K&team=sre#frag", "https://T0KEN@h/x", "http://127.0.0.1:9/?a=b&c", "https://h/%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckChannelURL(s, false) != nil {
			return
		}
		masked := MaskURL(s)
		if again := MaskURL(masked); again != masked {
			t.Fatalf("MaskURL(%q) = %q, masked again %q", s, masked, again)
		}
		u, err := url.Parse(s)
		if err != nil {
			return
		}
		m, err := url.Parse(masked)
		if err != nil {
			t.Fatalf("MaskURL(%q) = %q, which does not parse: %v", s, masked, err)
		}
		if m.Host != u.Host {
			t.Fatalf("MaskURL(%q) = %q changed the host", s, masked)
		}
		if p, ok := m.User.Password(); ok && p != URLMask {
			t.Fatalf("MaskURL(%q) = %q shows a password", s, masked)
		}
		for name, values := range m.Query() {
			for _, v := range values {
				if v != "" && v != URLMask {
					t.Fatalf("MaskURL(%q) = %q shows the value of %q", s, masked, name)
				}
			}
		}
	})
}
