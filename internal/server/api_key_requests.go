package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// The validation of the API key requests (see validation.go for the
// conventions).

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
	return inCatalogueOrder(apiv1.Scopes, seen)
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
func validateCreateKey(b apiv1.CreateAPIKeyRequest, in presence, now time.Time) (newKeySpec, error) {
	var f fieldErrors
	spec := newKeySpec{rotationDays: apiv1.DefaultRotationDays, secret: b.Secret}
	if f.required(in, "name") {
		spec.name = b.Name
		f.checkText("name", spec.name, apiv1.KeyNameRule)
	}
	if in.value("description") {
		spec.description = b.Description
		f.checkText("description", spec.description, apiv1.DescriptionRule)
	}
	if f.required(in, "scopes") {
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
func validateUpdateKey(b apiv1.UpdateAPIKeyRequest, in presence, now time.Time) (keyPatch, error) {
	var f fieldErrors
	var p keyPatch
	patchValue(&f, in, "name", b.Name, &p.name, f.text("name", apiv1.KeyNameRule))
	if p.description = valueOrZero(in, "description", b.Description); p.description != nil {
		f.checkText("description", *p.description, apiv1.DescriptionRule)
	}
	if v, ok := present(&f, in, "scopes", b.Scopes); ok {
		p.scopes = f.checkScopes(*v)
	}
	patchValue(&f, in, "rotation_days", b.RotationDays, &p.rotationDays, f.checkRotationDays)
	if v, ok := present(&f, in, "rotation_grace_period", b.RotationGracePeriod); ok {
		d := f.parseGracePeriod("rotation_grace_period", *v)
		p.rotationGracePeriod = &d
	}
	p.expiresAt, p.clearExpiry = f.patchExpiresAt(b.ExpiresAt, now)
	return p, f.err()
}
