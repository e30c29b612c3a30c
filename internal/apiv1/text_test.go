package apiv1

import (
	"strings"
	"testing"
)

// TestTextRuleCheck proves each part of a text rule: characters are counted,
// not bytes; blank required values, control characters (line feeds and tabs
// only in multi-line text), invisible formatting characters, invalid UTF-8
// and pattern mismatches are refused, each with a message saying which.
func TestTextRuleCheck(t *testing.T) {
	cases := []struct {
		rule  TextRule
		value string
		want  string // "" when valid; else part of the error
	}{
		{NameRule, strings.Repeat("é", MaxNameLength), ""},
		{NameRule, strings.Repeat("é", MaxNameLength+1), "at most 128 characters, got 129"},
		{NameRule, "Équipe SRE 日本", ""},
		{NameRule, " \t", "must not be empty"},
		{NameRule, "a\tb", "control characters, line breaks or tabs; found U+0009 at character 2"},
		{DescriptionRule, "line one\n\tline two", ""},
		{DescriptionRule, "", ""},
		{DescriptionRule, "bell\a", "other than line feeds and tabs; found U+0007"},
		{DescriptionRule, "a\r\nb", "found U+000D"},
		{NameRule, "admin\u202e", "invisible or formatting characters"},
		{DescriptionRule, "zero\u200bwidth", "U+200B"},
		{NameRule, "join\u200dme", "U+200D"},
		{NameRule, "\ufeffbom", "U+FEFF"},
		{NameRule, "para\u2029", "U+2029"},
		{NameRule, "private\ue000", "U+E000"},
		{NameRule, "bad\xffutf8", "valid UTF-8"},
		{KeyNameRule, "deploy bot_1.2-x", ""},
		{KeyNameRule, "-dash", "start with a letter or digit"},
		{KeyNameRule, "<b>", "letters, digits"},
		{KeyNameRule, "Équipe", "letters, digits"},
		{SlackChannelRule, "#équipe", ""},
		{SlackChannelRule, "#a\u00a0b", "without spaces"},
		{SlackChannelRule, "#", "without spaces"},
		{SlackChannelRule, "#" + strings.Repeat("é", MaxSlackChannelLength), "at most 80 characters"},
		{LabelKeyRule, "team.name", ""},
		{LabelKeyRule, "team name", "letters, digits"},
		{HeaderNameRule, "X-Api-Key", ""},
		{HeaderNameRule, "X Api", "HTTP header name"},
	}
	for _, tc := range cases {
		err := tc.rule.Check(tc.value)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: unexpected error %v", tc.value, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want one containing %q", tc.value, err, tc.want)
		}
	}
}

// TestCheckEmailAddress proves the one email rule that the server and the
// provider share.
func TestCheckEmailAddress(t *testing.T) {
	for _, ok := range []string{"ops@example.com", "first.last+alerts@sub.example.co.uk"} {
		if err := CheckEmailAddress(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"ops", "root@localhost", "Ops <ops@example.com>", "a@example.com, b@example.com",
		"op\u202es@example.com", strings.Repeat("a", 250) + "@example.com"} {
		if CheckEmailAddress(bad) == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
