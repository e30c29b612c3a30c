package validators

import (
	"fmt"
	"time"
)

// CheckNotInPast returns an error when t is before now. The provider calls it
// at plan time with its clock, for values that must lie in the future when
// sent to the API (an expiry on create or change).
func CheckNotInPast(t, now time.Time) error {
	if t.Before(now) {
		return fmt.Errorf("%s is in the past (the time is now %s); choose a future time or remove the attribute",
			t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}
