package schedule

import (
	"strings"
	"testing"
	"time"
)

// TestNextRunsAtTheCronTimeInTheScheduleTimeZone proves that Next evaluates
// the cron expression in the schedule's zone, across a DST change, and
// returns UTC.
func TestNextRunsAtTheCronTimeInTheScheduleTimeZone(t *testing.T) {
	cases := []struct {
		cron, tz string
		after    time.Time
		want     time.Time
	}{
		{"0 3 * * *", "UTC", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)},
		{"0 3 * * *", "UTC", time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)},
		// 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer.
		{"0 3 * * *", "Europe/Berlin", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)},
		{"0 3 * * *", "Europe/Berlin", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 1, 0, 0, 0, time.UTC)},
		{"*/15 * * * 1-5", "America/New_York", time.Date(2026, 1, 3, 12, 0, 0, 0, time.UTC), time.Date(2026, 1, 5, 5, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		s, err := Parse(tc.cron, tc.tz)
		if err != nil {
			t.Fatalf("Parse(%q, %q): %v", tc.cron, tc.tz, err)
		}
		got := s.Next(tc.after)
		if !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("Parse(%q, %q).Next(%s) = %s, want %s in UTC", tc.cron, tc.tz, tc.after, got, tc.want)
		}
	}
}

// TestParseRejectsBadInputNamingWhatIsWrong proves that Parse, CheckCron and
// LoadTimezone refuse what the server and provider must refuse, with a
// message naming the part at fault.
func TestParseRejectsBadInputNamingWhatIsWrong(t *testing.T) {
	cases := []struct{ cron, tz, want string }{
		{"0 3 * *", "UTC", "cron: must have 5 fields"},
		{"0 0 3 * * *", "UTC", "cron: must have 5 fields"}, // seconds are not standard
		{"@daily", "UTC", "cron: must have 5 fields"},
		{"CRON_TZ=UTC 0 3 * * *", "UTC", "cron: must have 5 fields"},
		{"61 3 * * *", "UTC", "cron: invalid cron expression"},
		{"0 0 30 2 *", "UTC", "never fires"},
		{"0 3 * * *", "Mars/Olympus", `timezone: unknown time zone "Mars/Olympus"`},
		{"0 3 * * *", "", "timezone: must be an IANA time zone name"},
		{"0 3 * * *", "Local", "timezone: must be an IANA time zone name"},
	}
	for _, tc := range cases {
		_, err := Parse(tc.cron, tc.tz)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q, %q) = %v, want an error containing %q", tc.cron, tc.tz, err, tc.want)
		}
	}
	if err := CheckCron("  0   3 * * 1  "); err != nil {
		t.Errorf("CheckCron with extra spaces: %v", err)
	}
	if _, err := LoadTimezone("Asia/Kolkata"); err != nil {
		t.Errorf("LoadTimezone(Asia/Kolkata): %v", err)
	}
}
