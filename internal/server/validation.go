package server

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// Request validation shared by every kind. The server decodes a request
// body into its apiv1 request type (readJSON), the type the client sends, and
// learns which fields the body gives (presence): a zero value or a nil
// pointer does not tell an absent field from one given as null, or from a
// field given its zero value. A kind's request file (for example
// api_key_requests.go) checks the request with these helpers and the rules of
// internal/apiv1 and returns every problem at once as one 422 naming each
// field: a field a create requires and the body leaves out or gives as null
// "is required"; a field of a merge patch given as null "must not be null",
// unless null clears it.

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

// text is checkText of the field at path, for patchValue.
func (f *fieldErrors) text(path string, rule apiv1.TextRule) func(string) {
	return func(s string) { f.checkText(path, s, rule) }
}

// checkOneOf adds an error unless value is one of valid, and reports
// whether it is.
func (f *fieldErrors) checkOneOf(path, value string, valid []string) bool {
	if !slices.Contains(valid, value) {
		f.add(path, "must be one of %s, got %q", strings.Join(valid, ", "), value)
		return false
	}
	return true
}

// presence tells which fields a request body gives, by path ("name",
// "principal.type"), and which of them it gives as null: what the zero
// values and nil pointers of an apiv1 request type cannot tell apart. The
// validation of a request reads it to say that a field "is required" or
// "must not be null", or to clear a field set to null. Like encoding/json,
// which decodes "NAME" into the field "name", it ignores case, and the last of
// two spellings of a field is the one that counts.
type presence map[string]bool // folded path → given as null

// valuesAt is the presence of a body that gives a value to the fields at
// paths, and to no others.
func valuesAt(paths ...string) presence {
	p := presence{}
	for _, path := range paths {
		p.give(path, false)
	}
	return p
}

// give records that the body gives the field at path, as null or not.
func (p presence) give(path string, null bool) { p[foldCase(path)] = null }

// value reports whether the body gives the field at path a value (not null).
func (p presence) value(path string) bool {
	null, given := p[foldCase(path)]
	return given && !null
}

// null reports whether the body gives the field at path as null.
func (p presence) null(path string) bool { return p[foldCase(path)] }

// foldCase maps s to one spelling of all those that strings.EqualFold, the
// comparison encoding/json matches field names with, holds equal to it: each
// rune becomes the least rune of its case-folding orbit.
func foldCase(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

// required reports whether the body gives the field at path a value, and
// adds "is required" when it does not.
func (f *fieldErrors) required(in presence, path string) bool {
	if !in.value(path) {
		f.add(path, "is required")
	}
	return in.value(path)
}

// inCatalogueOrder returns the values of catalogue that a request gives (seen),
// in the catalogue's order.
func inCatalogueOrder(catalogue []string, seen map[string]bool) []string {
	return slices.DeleteFunc(slices.Clone(catalogue), func(v string) bool { return !seen[v] })
}

// present returns v, the value of the field at path of a merge patch, and
// whether there is one: absent is no value, and null is an error (for the
// fields that cannot be cleared).
func present[T any](f *fieldErrors, in presence, path string, v *T) (*T, bool) {
	if in.null(path) {
		f.add(path, "must not be null")
		return nil, false
	}
	return v, v != nil
}

// patchValue sets *dst to v, the value of the field at path of a merge patch,
// when there is one (see present), and checks it with check (nil: any value
// of its type will do).
func patchValue[T any](f *fieldErrors, in presence, path string, v *T, dst **T, check func(T)) {
	if v, ok := present(f, in, path, v); ok {
		*dst = v
		if check != nil {
			check(*v)
		}
	}
}

// valueOrZero returns v, the value of a merge patch's field at path that null
// clears: nil when absent, the zero value when null.
func valueOrZero[T any](in presence, path string, v *T) *T {
	if in.null(path) {
		return new(T)
	}
	return v
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
