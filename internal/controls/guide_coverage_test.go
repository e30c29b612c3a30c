package controls

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The security guide's text, as the team received it, is kept in
// testdata so that this test needs nothing outside the repository.
const (
	guideFile    = "testdata/keymate-security-best-practices.txt"
	coveragePage = "../../docs/guides/guide-coverage.md"
)

// coverageKinds are what may serve a line of the guide on the coverage page.
var coverageKinds = []string{"resource", "data source", "action", "control", "server feature", "provider feature", "document",
	"outside the provider"}

var (
	coverageRow  = regexp.MustCompile(`(?m)^\| "(.+?)" \| ([a-z ]+) \| (.*) \|$`)
	summaryRow   = regexp.MustCompile(`(?m)^\| ([a-z ]+) \| (\d+) \|$`)
	lineCount    = regexp.MustCompile(`has (\d+) lines of advice`)
	controlIDRef = regexp.MustCompile(`KM-[A-Z]+-\d{3}`)
)

// guideLines returns the guide's lines of advice (its "- " bullets), in order.
func guideLines(guide string) []string {
	var lines []string
	for _, l := range strings.Split(guide, "\n") {
		if text, ok := strings.CutPrefix(strings.TrimSpace(l), "- "); ok {
			lines = append(lines, text)
		}
	}
	return lines
}

// coverageProblems returns what is wrong with the coverage page for the
// guide: a line of the guide it does not quote exactly (or quotes twice, or
// out of the guide's order), a row quoting no line of the guide, a kind
// outside coverageKinds, a row without an explanation, a summary count or
// line count that the rows do not add up to, and a control id that the
// catalogue does not have.
func coverageProblems(guide, page string) []string {
	var problems []string
	lines := guideLines(guide)
	var quoted []string
	counts := map[string]int{}
	for _, m := range coverageRow.FindAllStringSubmatch(page, -1) {
		line, kind, how := m[1], m[2], strings.TrimSpace(m[3])
		quoted = append(quoted, line)
		counts[kind]++
		if !slices.Contains(lines, line) {
			problems = append(problems, fmt.Sprintf("the page quotes %q, which is not a line of the guide", line))
		}
		if !slices.Contains(coverageKinds, kind) {
			problems = append(problems, fmt.Sprintf("%q is served by %q, not one of %v", line, kind, coverageKinds))
		}
		if len(how) < 40 {
			problems = append(problems, fmt.Sprintf("%q: %q says too little about how it is served (or why not, and what to use instead)", line, how))
		}
	}
	for _, line := range lines {
		if n := slices.Index(quoted, line); n < 0 {
			problems = append(problems, fmt.Sprintf("the guide's line %q is missing from the page", line))
		} else if slices.Index(quoted[n+1:], line) >= 0 {
			problems = append(problems, fmt.Sprintf("the guide's line %q is quoted twice", line))
		}
	}
	if len(problems) == 0 && !slices.Equal(quoted, lines) {
		problems = append(problems, "the page does not follow the guide's order")
	}
	summary := map[string]int{}
	for _, m := range summaryRow.FindAllStringSubmatch(page, -1) {
		summary[m[1]], _ = strconv.Atoi(m[2])
	}
	for _, kind := range coverageKinds {
		if summary[kind] != counts[kind] {
			problems = append(problems, fmt.Sprintf("the summary counts %d lines served by %s, the rows %d", summary[kind], kind, counts[kind]))
		}
	}
	if m := lineCount.FindStringSubmatch(page); m == nil || m[1] != strconv.Itoa(len(lines)) {
		problems = append(problems, fmt.Sprintf("the page must say the guide \"has %d lines of advice\"", len(lines)))
	}
	for _, id := range controlIDRef.FindAllString(page, -1) {
		if _, ok := Lookup(id); !ok {
			problems = append(problems, fmt.Sprintf("the page names control %s, which does not exist", id))
		}
	}
	return problems
}

func readCoverage(t *testing.T) (guide, page string) {
	t.Helper()
	g, err := os.ReadFile(filepath.FromSlash(guideFile))
	if err != nil {
		t.Fatal(err)
	}
	p, err := os.ReadFile(filepath.FromSlash(coveragePage))
	if err != nil {
		t.Fatal(err)
	}
	return string(g), string(p)
}

// TestGuideCoverageAccountsForEveryLine proves docs/guides/guide-coverage.md
// quotes every line of the security guide exactly, once and in order, with
// what serves it, and names only controls the report evaluates.
func TestGuideCoverageAccountsForEveryLine(t *testing.T) {
	guide, page := readCoverage(t)
	if n := len(guideLines(guide)); n != 60 {
		t.Fatalf("the guide in %s has %d lines of advice, want its 60: is the copy complete?", guideFile, n)
	}
	for _, p := range coverageProblems(guide, page) {
		t.Error(p)
	}
}

// TestGuideCoverageFindsWhatIsWrong proves the check above can fail: a page
// that drops a line of the guide, rewords one, or names a control that does
// not exist is refused, each problem named.
func TestGuideCoverageFindsWhatIsWrong(t *testing.T) {
	guide, page := readCoverage(t)
	for name, tc := range map[string]struct {
		from, to, want string
	}{
		"a line dropped":     {`| "Regular backups" |`, `| "Backups" |`, `the guide's line "Regular backups" is missing`},
		"a line reworded":    {`"Rotate keys regularly (every 90 days)"`, `"Rotate keys every 90 days"`, `which is not a line of the guide`},
		"an unknown control": {"`KM-KEY-004`", "`KM-KEY-099`", "control KM-KEY-099, which does not exist"},
		"a kind made up":     {`| "Regular backups" | resource |`, `| "Regular backups" | magic |`, `not one of`},
		"a count off":        {"| resource | 8 |", "| resource | 9 |", "the summary counts 9 lines served by resource, the rows 8"},
	} {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(page, tc.from) {
				t.Fatalf("the page has no %q to change", tc.from)
			}
			problems := coverageProblems(guide, strings.Replace(page, tc.from, tc.to, 1))
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Errorf("problems %q, want one saying %q", problems, tc.want)
			}
		})
	}
}
