// Package schedule parses the cron expressions and time zones of backup
// schedules and computes their next run. The server's request validation and
// the provider's plan-time validators both call it, so they accept exactly the
// same schedules.
package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // IANA names resolve on hosts without a zoneinfo database.

	"github.com/robfig/cron/v3"
)

// Schedule is a parsed cron expression in a time zone.
type Schedule struct {
	spec cron.Schedule
	loc  *time.Location
}

// Parse parses a standard 5-field cron expression ("minute hour
// day-of-month month day-of-week") evaluated in the IANA time zone timezone.
// The error says which of the two is wrong; use CheckCron and LoadTimezone to
// validate each on its own.
func Parse(expr, timezone string) (Schedule, error) {
	spec, err := parseCron(expr)
	if err != nil {
		return Schedule{}, fmt.Errorf("cron: %w", err)
	}
	loc, err := LoadTimezone(timezone)
	if err != nil {
		return Schedule{}, fmt.Errorf("timezone: %w", err)
	}
	return Schedule{spec: spec, loc: loc}, nil
}

// CheckCron returns nil if expr is a standard 5-field cron expression that
// fires at least once; otherwise the error says what is wrong.
func CheckCron(expr string) error {
	_, err := parseCron(expr)
	return err
}

// LoadTimezone returns the location of an IANA time zone name such as
// "Europe/Berlin" or "UTC". The empty name and "Local" are refused: a
// schedule must not depend on the host's settings.
func LoadTimezone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf(`must be an IANA time zone name such as "UTC" or "Europe/Berlin", got %q`, name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf(`unknown time zone %q; use an IANA name such as "UTC" or "Europe/Berlin"`, name)
	}
	return loc, nil
}

// Next returns the first time after t at which the schedule fires, in UTC.
func (s Schedule) Next(t time.Time) time.Time {
	// robfig/cron evaluates in the location of the time it is given when the
	// spec's own location is time.Local, which ParseStandard leaves it at.
	return s.spec.Next(t.In(s.loc)).UTC()
}

var errNeverFires = errors.New("never fires (no such date); check the day of month and month")

func parseCron(expr string) (cron.Schedule, error) {
	fields := strings.Fields(expr)
	if len(fields) != 5 {
		return nil, fmt.Errorf(`must have 5 fields "minute hour day-of-month month day-of-week", such as "0 3 * * *"; got %d in %q`, len(fields), expr)
	}
	spec, err := cron.ParseStandard(strings.Join(fields, " "))
	if err != nil {
		return nil, fmt.Errorf("invalid cron expression %q: %w", expr, err)
	}
	// robfig/cron gives up after five years without a match and returns the
	// zero time; a date that never exists (30 February) is such a schedule.
	if spec.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, fmt.Errorf("invalid cron expression %q: %w", expr, errNeverFires)
	}
	return spec, nil
}
