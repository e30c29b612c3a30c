package server

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// Request validation shared by every kind. A kind's request file (for
// example api_key_requests.go) decodes its bodies into structs of pointers
// and apiv1.Nullable (absent, null and a value told apart; times as strings,
// so that a bad one is reported against its field), checks them with these
// helpers and the rules of internal/apiv1, and returns every problem at once
// as one 422 naming each field.

// fieldErrors collects every problem of a request before it is answered.
type fieldErrors []apiv1.FieldError

func (f *fieldErrors) add(path, format string, args ...any) {
	*f = append(*f, apiv1.FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
}

// err returns the collected problems as a 422 error, or nil.
func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return errValidation(f)
}

// check adds err, the verdict of an apiv1 rule on the field at path, when
// it is not nil.
func (f *fieldErrors) check(path string, err error) {
	if err != nil {
		f.add(path, "%v", err)
	}
}

// checkText validates a name or free-text field with its rule, the one the
// provider validates the same field with.
func (f *fieldErrors) checkText(path, s string, rule apiv1.TextRule) {
	f.check(path, rule.Check(s))
}

// checkOneOf adds an error unless value is one of valid.
func (f *fieldErrors) checkOneOf(path, value string, valid []string) {
	if !slices.Contains(valid, value) {
		f.add(path, "must be one of %s, got %q", strings.Join(valid, ", "), value)
	}
}

// present returns the value of the field at path of a merge patch and
// whether there is one: absent is no value, and null is an error (for the
// fields that cannot be cleared).
func present[T any](f *fieldErrors, path string, n apiv1.Nullable[T]) (*T, bool) {
	if !n.Set {
		return nil, false
	}
	if n.Value == nil {
		f.add(path, "must not be null")
		return nil, false
	}
	return n.Value, true
}

// valueOrZero returns the value of a merge patch's field that null clears:
// nil when absent, the zero value when null.
func valueOrZero[T any](n apiv1.Nullable[T]) *T {
	if n.Value == nil && n.Set {
		return new(T)
	}
	return n.Value
}

// patchExpiresAt reads the expires_at of a merge patch: the new expiry
// (which must lie after now), or clear when it is null.
func (f *fieldErrors) patchExpiresAt(n apiv1.Nullable[string], now time.Time) (expiresAt *time.Time, clear bool) {
	switch {
	case !n.Set:
		return nil, false
	case n.Value == nil:
		return nil, true
	default:
		return f.parseExpiresAt(*n.Value, now), false
	}
}

// parseExpiresAt reads an expiry, which must lie after now.
func (f *fieldErrors) parseExpiresAt(s string, now time.Time) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		f.add("expires_at", "must be an RFC 3339 time such as \"2027-01-02T15:04:05Z\", got %q", s)
		return nil
	}
	if !t.After(now) {
		f.add("expires_at", "must be in the future, got %s", t.UTC().Format(time.RFC3339))
	}
	t = t.UTC()
	return &t
}
