package schedule

import (
	"testing"
	"time"
)

// FuzzParse checks the cron and time zone parser that the server schedules
// with and the provider validates with: nothing panics; Parse accepts a
// cron expression exactly when CheckCron does (in a valid zone); the empty
// zone and "Local" are refused; and an accepted schedule fires after any
// time, in UTC. `make test` runs it briefly, `make fuzz` longer; the corpus
// is in testdata/fuzz.
func FuzzParse(f *testing.F) {
	for _, seed := range [][2]string{
		{"0 3 * * *", "UTC"}, {"*/15 * * * 1-5", "Europe/Berlin"}, {"0 0 29 2 *", "America/New_York"}, {"0 0 30 2 *", "UTC"},
		{"0 3 * *", "UTC"}, {"0 25 * * *", "UTC"}, {"@daily", "UTC"}, {"0 3 * * *", "Local"}, {"0 3 * * *", ""},
		{"0 3 * * *", "../../etc/passwd"}, {"30 2 * * SUN", "Europe/Berlin"}, {"0 0 31 4,6,9,11 *", "Asia/Kolkata"},
	} {
		f.Add(seed[0], seed[1], int64(1767225600))
	}
	f.Fuzz(func(t *testing.T, expr, tz string, unix int64) {
		s, err := Parse(expr, tz)
		_, tzErr := LoadTimezone(tz)
		if (tz == "" || tz == "Local") && tzErr == nil {
			t.Fatalf("the zone %q was accepted", tz)
		}
		if tzErr == nil && (err == nil) != (CheckCron(expr) == nil) {
			t.Fatalf("Parse(%q, %q) = %v but CheckCron says %v", expr, tz, err, CheckCron(expr))
		}
		if err != nil {
			return
		}
		// Any time from 1970 to 2200.
		from := time.Unix(unix%(230*365*24*3600), 0).UTC()
		if from.Before(time.Unix(0, 0)) {
			from = from.Add(230 * 365 * 24 * time.Hour)
		}
		next := s.Next(from)
		if !next.After(from) || next.Location() != time.UTC {
			t.Fatalf("%q in %s after %s: next run %s", expr, tz, from, next)
		}
	})
}
