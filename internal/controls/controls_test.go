package controls

import (
	"regexp"
	"testing"
)

func TestCatalogueIsWellFormed(t *testing.T) {
	idPattern := regexp.MustCompile(`^KM-[A-Z]+-\d{3}$`)
	seen := map[string]bool{}
	for _, c := range All {
		if !idPattern.MatchString(c.ID) {
			t.Errorf("control id %q does not look like KM-AREA-000", c.ID)
		}
		if seen[c.ID] {
			t.Errorf("control id %q is used twice", c.ID)
		}
		seen[c.ID] = true
		if c.Severity.Rank() == 0 {
			t.Errorf("%s: unknown severity %q", c.ID, c.Severity)
		}
		if c.Title == "" || c.Remediation == "" || c.Guide == "" {
			t.Errorf("%s: title, guide section and remediation are all required", c.ID)
		}
		if got, ok := Lookup(c.ID); !ok || got != c {
			t.Errorf("Lookup(%q) = %+v, %v", c.ID, got, ok)
		}
	}
	if _, ok := Lookup("KM-NOPE-000"); ok {
		t.Error("Lookup found a control that does not exist")
	}
}

func TestSeverityRankOrdersMostSevereFirst(t *testing.T) {
	for i := 1; i < len(Severities); i++ {
		if Severities[i-1].Rank() <= Severities[i].Rank() {
			t.Errorf("%s should rank above %s", Severities[i-1], Severities[i])
		}
	}
	if Severity("bogus").Rank() != 0 {
		t.Error("an unknown severity must rank 0")
	}
}
