package apiv1

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TextRule is the rule of one name or free-text field of the API. The server
// validates requests with it and the provider validates configurations with
// it, so that whatever one side accepts the other accepts too. Lengths count
// characters (Unicode code points), not bytes.
type TextRule struct {
	// MaxLength is the most characters the value may have.
	MaxLength int
	// Required values must hold a character other than white space.
	Required bool
	// Multiline values may hold line feeds and tabs; no value may hold any
	// other control character.
	Multiline bool
	// Pattern, when set, must match the whole value; PatternHint then says
	// what it allows ("must ...").
	Pattern     *regexp.Regexp
	PatternHint string
}

// The name and text rules of the API, one per kind of field.
var (
	// KeyNameRule is the rule of API key names: identifiers that appear in
	// logs, audit events and CI output, so plain ASCII.
	KeyNameRule = TextRule{MaxLength: MaxNameLength, Required: true,
		Pattern:     regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]*$`),
		PatternHint: "must contain only letters, digits, spaces, '.', '_' and '-', and start with a letter or digit"}
	// NameRule is the rule of the names of notification channels, alert
	// rules and backup schedules.
	NameRule = TextRule{MaxLength: MaxNameLength, Required: true}
	// DescriptionRule is the rule of API key and alert rule descriptions.
	DescriptionRule = TextRule{MaxLength: MaxDescriptionLength, Multiline: true}
	// PrincipalIDRule is the rule of an access grant principal's id.
	PrincipalIDRule = TextRule{MaxLength: MaxPrincipalIDLength, Required: true}
	// JustificationRule is the rule of an access grant's justification.
	JustificationRule = TextRule{MaxLength: MaxJustificationLength, Required: true, Multiline: true}
	// TicketRule is the rule of an access grant's ticket reference.
	TicketRule = TextRule{MaxLength: MaxTicketLength}
	// ReviewerRule is the rule of an access review's reviewer.
	ReviewerRule = TextRule{MaxLength: MaxReviewerLength, Required: true}
	// ReviewCommentRule is the rule of an access review's comment.
	ReviewCommentRule = TextRule{MaxLength: MaxReviewCommentLength, Multiline: true}
	// LabelKeyRule is the rule of an alert rule's label keys.
	LabelKeyRule = TextRule{MaxLength: MaxLabelKeyLength, Required: true,
		Pattern:     regexp.MustCompile(`^[A-Za-z0-9_.-]+$`),
		PatternHint: `must contain only letters, digits, "_", "-" and "."`}
	// LabelValueRule is the rule of an alert rule's label values.
	LabelValueRule = TextRule{MaxLength: MaxLabelValueLength}
	// SlackChannelRule is the rule of a Slack channel ("#alerts") or user
	// ("@oncall").
	SlackChannelRule = TextRule{MaxLength: MaxSlackChannelLength, Required: true,
		Pattern:     regexp.MustCompile(`^[#@][^\s\p{Z}]+$`),
		PatternHint: `must be a channel such as "#alerts" or a user such as "@oncall", without spaces`}
	// HeaderNameRule is the rule of a webhook header's name: an HTTP token
	// (RFC 9110).
	HeaderNameRule = TextRule{MaxLength: MaxHeaderNameLength, Required: true,
		Pattern:     regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"),
		PatternHint: "must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)"}
)

// Limits of the text rules not defined with their kind.
const (
	MaxSlackChannelLength = 80
	MaxHeaderNameLength   = 256
)

// Check returns nil when s follows the rule, else an error that says what is
// wrong ("must ...") without repeating the value.
func (r TextRule) Check(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("must be valid UTF-8")
	}
	if r.Required && strings.TrimSpace(s) == "" {
		return errors.New("must not be empty")
	}
	if n := utf8.RuneCountInString(s); n > r.MaxLength {
		return fmt.Errorf("must be at most %d characters, got %d", r.MaxLength, n)
	}
	for i, c := range []rune(s) {
		switch {
		case unicode.IsControl(c) && !(r.Multiline && (c == '\n' || c == '\t')):
			if r.Multiline {
				return fmt.Errorf("must not contain control characters other than line feeds and tabs; found %U at character %d", c, i+1)
			}
			return fmt.Errorf("must not contain control characters, line breaks or tabs; found %U at character %d", c, i+1)
		case invisible(c):
			return fmt.Errorf("must not contain invisible or formatting characters such as bidirectional controls, "+
				"zero-width spaces or line separators; found %U at character %d", c, i+1)
		}
	}
	if r.Pattern != nil && !r.Pattern.MatchString(s) {
		return errors.New(r.PatternHint)
	}
	return nil
}

// invisible reports whether c changes how text around it reads without
// showing itself: format characters (Unicode category Cf: bidirectional
// controls, zero-width spaces and joiners, the byte order mark, soft
// hyphens), line and paragraph separators (Zl, Zp), private-use characters
// (Co) and the noncharacters U+FFFE and U+FFFF.
func invisible(c rune) bool {
	return unicode.In(c, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co) || c == 0xFFFE || c == 0xFFFF
}

// emailRule bounds an email address to the length SMTP allows (RFC 5321)
// and refuses the characters no name may hold.
var emailRule = TextRule{MaxLength: 254, Required: true}

// CheckEmailAddress returns nil when s is a bare email address such as
// "ops@example.com" (no display name or angle brackets) whose domain holds a
// dot, as email notification channels require.
func CheckEmailAddress(s string) error {
	if err := emailRule.Check(s); err != nil {
		return err
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return errors.New(`must be a bare email address such as "ops@example.com" (no display name or angle brackets)`)
	}
	return nil
}
