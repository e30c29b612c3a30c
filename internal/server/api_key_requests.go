package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// The API key request bodies as the server decodes them, and their
// validation (see validation.go for the conventions).

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

// validateCreateKey checks a create request and fills in defaults.
func validateCreateKey(b createAPIKeyBody, now time.Time) (newKeySpec, error) {
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

// validateUpdateKey checks a merge patch. Null clears description and
// expires_at; other fields cannot be null.
func validateUpdateKey(b updateAPIKeyBody, now time.Time) (keyPatch, error) {
	var f fieldErrors
	var p keyPatch
	if v, ok := present(&f, "name", b.Name); ok {
		p.name = v
		f.checkText("name", *p.name, apiv1.KeyNameRule)
	}
	if b.Description.Set {
		p.description = valueOrZero(b.Description)
		f.checkText("description", *p.description, apiv1.DescriptionRule)
	}
	if v, ok := present(&f, "scopes", b.Scopes); ok {
		p.scopes = f.checkScopes(*v)
	}
	if v, ok := present(&f, "rotation_days", b.RotationDays); ok {
		p.rotationDays = v
		f.checkRotationDays(*p.rotationDays)
	}
	if v, ok := present(&f, "rotation_grace_period", b.RotationGracePeriod); ok {
		d := f.parseGracePeriod("rotation_grace_period", *v)
		p.rotationGracePeriod = &d
	}
	p.expiresAt, p.clearExpiry = f.patchExpiresAt(b.ExpiresAt, now)
	return p, f.err()
}
