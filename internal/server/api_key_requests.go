package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// The request bodies as the server decodes them: pointers and Nullable tell
// absent, null and set apart, and times arrive as strings so that a bad one
// is reported against its field.

type createAPIKeyBody struct {
	Name                *string  `json:"name"`
	Description         *string  `json:"description"`
	Scopes              []string `json:"scopes"`
	RotationDays        *int64   `json:"rotation_days"`
	RotationGracePeriod *string  `json:"rotation_grace_period"`
	ExpiresAt           *string  `json:"expires_at"`
	Secret              *string  `json:"secret"`
}

type updateAPIKeyBody struct {
	Name                apiv1.Nullable[string]   `json:"name"`
	Description         apiv1.Nullable[string]   `json:"description"`
	Scopes              apiv1.Nullable[[]string] `json:"scopes"`
	RotationDays        apiv1.Nullable[int64]    `json:"rotation_days"`
	RotationGracePeriod apiv1.Nullable[string]   `json:"rotation_grace_period"`
	ExpiresAt           apiv1.Nullable[string]   `json:"expires_at"`
}

type rotateAPIKeyBody struct {
	Secret      *string `json:"secret"`
	GracePeriod *string `json:"grace_period"`
}

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

// checkScopes validates a scope set and returns it in catalogue order.
func (f *fieldErrors) checkScopes(scopes []string) []string {
	if len(scopes) == 0 {
		f.add("scopes", "must hold at least one scope")
		return nil
	}
	seen := map[string]bool{}
	for i, s := range scopes {
		path := fmt.Sprintf("scopes[%d]", i)
		switch {
		case !apiv1.IsScope(s):
			f.add(path, "unknown scope %q; valid scopes are %s", s, strings.Join(apiv1.Scopes, ", "))
		case seen[s]:
			f.add(path, "duplicate scope %q", s)
		}
		seen[s] = true
	}
	var ordered []string
	for _, s := range apiv1.Scopes {
		if seen[s] {
			ordered = append(ordered, s)
		}
	}
	return ordered
}

func (f *fieldErrors) checkRotationDays(days int64) {
	if days < apiv1.MinRotationDays || days > apiv1.MaxRotationDays {
		f.add("rotation_days", "must be between %d and %d, got %d", apiv1.MinRotationDays, apiv1.MaxRotationDays, days)
	}
}

func (f *fieldErrors) parseGracePeriod(path, s string) time.Duration {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		f.add(path, "must be a duration such as \"24h\" or \"90m\", got %q", s)
	case d < 0:
		f.add(path, "must not be negative, got %q", s)
	case d > apiv1.MaxRotationGracePeriod:
		f.add(path, "must be at most %s, got %q", apiv1.MaxRotationGracePeriod, s)
	}
	return d
}

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

// checkSecret validates a client-supplied secret without echoing it.
func (f *fieldErrors) checkSecret(s string) {
	f.check("secret", apiv1.CheckSecret(s, apiv1.MinSecretLength))
}

// newKeySpec is a validated create request.
type newKeySpec struct {
	name, description   string
	scopes              []string
	rotationDays        int64
	rotationGracePeriod time.Duration
	expiresAt           *time.Time
	secret              *string
}

// validateCreate checks a create request and fills in defaults.
func validateCreate(b createAPIKeyBody, now time.Time) (newKeySpec, error) {
	var f fieldErrors
	spec := newKeySpec{rotationDays: apiv1.DefaultRotationDays, secret: b.Secret}
	if b.Name == nil {
		f.add("name", "is required")
	} else {
		spec.name = *b.Name
		f.checkText("name", spec.name, apiv1.KeyNameRule)
	}
	if b.Description != nil {
		spec.description = *b.Description
		f.checkText("description", spec.description, apiv1.DescriptionRule)
	}
	if b.Scopes == nil {
		f.add("scopes", "is required")
	} else {
		spec.scopes = f.checkScopes(b.Scopes)
	}
	if b.RotationDays != nil {
		spec.rotationDays = *b.RotationDays
		f.checkRotationDays(spec.rotationDays)
	}
	grace := apiv1.DefaultRotationGracePeriod
	if b.RotationGracePeriod != nil {
		grace = *b.RotationGracePeriod
	}
	spec.rotationGracePeriod = f.parseGracePeriod("rotation_grace_period", grace)
	if b.ExpiresAt != nil {
		spec.expiresAt = f.parseExpiresAt(*b.ExpiresAt, now)
	}
	if b.Secret != nil {
		f.checkSecret(*b.Secret)
	}
	return spec, f.err()
}

// keyPatch is a validated update request; nil fields are left unchanged,
// except that clearExpiry removes the expiry.
type keyPatch struct {
	name, description   *string
	scopes              []string
	rotationDays        *int64
	rotationGracePeriod *time.Duration
	expiresAt           *time.Time
	clearExpiry         bool
}

// validateUpdate checks a merge patch. Null clears description and
// expires_at; other fields cannot be null.
func validateUpdate(b updateAPIKeyBody, now time.Time) (keyPatch, error) {
	var f fieldErrors
	var p keyPatch
	notNull := func(path string, n bool) bool {
		if n {
			f.add(path, "must not be null")
		}
		return !n
	}
	if b.Name.Set && notNull("name", b.Name.Value == nil) {
		p.name = b.Name.Value
		f.checkText("name", *p.name, apiv1.KeyNameRule)
	}
	if b.Description.Set {
		p.description = new(string)
		if b.Description.Value != nil {
			p.description = b.Description.Value
		}
		f.checkText("description", *p.description, apiv1.DescriptionRule)
	}
	if b.Scopes.Set && notNull("scopes", b.Scopes.Value == nil) {
		p.scopes = f.checkScopes(*b.Scopes.Value)
	}
	if b.RotationDays.Set && notNull("rotation_days", b.RotationDays.Value == nil) {
		p.rotationDays = b.RotationDays.Value
		f.checkRotationDays(*p.rotationDays)
	}
	if b.RotationGracePeriod.Set && notNull("rotation_grace_period", b.RotationGracePeriod.Value == nil) {
		d := f.parseGracePeriod("rotation_grace_period", *b.RotationGracePeriod.Value)
		p.rotationGracePeriod = &d
	}
	if b.ExpiresAt.Set {
		if b.ExpiresAt.Value == nil {
			p.clearExpiry = true
		} else {
			p.expiresAt = f.parseExpiresAt(*b.ExpiresAt.Value, now)
		}
	}
	return p, f.err()
}

// checkGrantable returns a 403 error naming the first scope in scopes that
// the caller does not hold.
func checkGrantable(callerScopes, scopes []string, what string) error {
	for _, s := range scopes {
		if !apiv1.HoldsScope(callerScopes, s) {
			return errForbidden("the API key lacks the %q scope, so it cannot %s", s, what)
		}
	}
	return nil
}
