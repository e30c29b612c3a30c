package server

import (
	"slices"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// The validation of the access grant requests (see validation.go for the
// conventions).

// checkPrincipal validates a principal the body gives and returns it.
func (f *fieldErrors) checkPrincipal(in presence, p apiv1.Principal) apiv1.Principal {
	var out apiv1.Principal
	if f.required(in, "principal.type") && f.checkOneOf("principal.type", p.Type, apiv1.PrincipalTypes) {
		out.Type = p.Type
	}
	if f.required(in, "principal.id") {
		out.ID = p.ID
		f.checkText("principal.id", out.ID, apiv1.PrincipalIDRule)
	}
	return out
}

func (f *fieldErrors) checkRole(role string) {
	if !slices.Contains(apiv1.Roles, role) {
		f.add("role", "unknown role %q; use one of %s", role, strings.Join(apiv1.Roles, ", "))
	}
}

func (f *fieldErrors) checkResourcePattern(p string) {
	f.check("resource", apiv1.CheckResourcePattern(p))
}

func (f *fieldErrors) checkReviewInterval(days int64) {
	if days < apiv1.MinReviewIntervalDays || days > apiv1.MaxReviewIntervalDays {
		f.add("review_interval_days", "must be between %d and %d, got %d", apiv1.MinReviewIntervalDays, apiv1.MaxReviewIntervalDays, days)
	}
}

// grantSpec is a validated create request.
type grantSpec struct {
	principal          apiv1.Principal
	role, resource     string
	expiresAt          *time.Time
	justification      string
	ticket             string
	reviewIntervalDays int64
}

// validateCreateGrant checks a create request and fills in defaults.
func validateCreateGrant(b apiv1.CreateAccessGrantRequest, in presence, now time.Time) (grantSpec, error) {
	var f fieldErrors
	spec := grantSpec{reviewIntervalDays: apiv1.DefaultReviewIntervalDays}
	if f.required(in, "principal") {
		spec.principal = f.checkPrincipal(in, b.Principal)
	}
	if f.required(in, "role") {
		spec.role = b.Role
		f.checkRole(spec.role)
	}
	if f.required(in, "resource") {
		spec.resource = b.Resource
		f.checkResourcePattern(spec.resource)
	}
	if b.ExpiresAt != nil {
		spec.expiresAt = f.parseExpiresAt(*b.ExpiresAt, now)
	}
	if !in.value("justification") {
		f.add("justification", "is required: say why the access is needed")
	} else {
		spec.justification = b.Justification
		f.checkText("justification", spec.justification, apiv1.JustificationRule)
	}
	if in.value("ticket") {
		spec.ticket = b.Ticket
		f.checkText("ticket", spec.ticket, apiv1.TicketRule)
	}
	if b.ReviewIntervalDays != nil {
		spec.reviewIntervalDays = *b.ReviewIntervalDays
		f.checkReviewInterval(spec.reviewIntervalDays)
	}
	return spec, f.err()
}

// grantPatch is a validated update request; nil fields are left unchanged,
// except that clearExpiry removes the expiry. principal, when set, must equal
// the grant's.
type grantPatch struct {
	principal          *apiv1.Principal
	role, resource     *string
	expiresAt          *time.Time
	clearExpiry        bool
	justification      *string
	ticket             *string
	reviewIntervalDays *int64
}

// validateUpdateGrant checks a merge patch. Null clears expires_at and
// ticket; other fields cannot be null.
func validateUpdateGrant(b apiv1.UpdateAccessGrantRequest, in presence, now time.Time) (grantPatch, error) {
	var f fieldErrors
	var p grantPatch
	if v, ok := present(&f, in, "principal", b.Principal); ok {
		principal := f.checkPrincipal(in, *v)
		p.principal = &principal
	}
	patchValue(&f, in, "role", b.Role, &p.role, f.checkRole)
	patchValue(&f, in, "resource", b.Resource, &p.resource, f.checkResourcePattern)
	p.expiresAt, p.clearExpiry = f.patchExpiresAt(b.ExpiresAt, now)
	patchValue(&f, in, "justification", b.Justification, &p.justification, f.text("justification", apiv1.JustificationRule))
	if p.ticket = valueOrZero(in, "ticket", b.Ticket); p.ticket != nil {
		f.checkText("ticket", *p.ticket, apiv1.TicketRule)
	}
	patchValue(&f, in, "review_interval_days", b.ReviewIntervalDays, &p.reviewIntervalDays, f.checkReviewInterval)
	return p, f.err()
}

// reviewSpec is a validated review request.
type reviewSpec struct {
	reviewer, decision, comment string
}

func validateReview(b apiv1.ReviewAccessGrantRequest, in presence) (reviewSpec, error) {
	var f fieldErrors
	var spec reviewSpec
	if f.required(in, "reviewer") {
		spec.reviewer = b.Reviewer
		f.checkText("reviewer", spec.reviewer, apiv1.ReviewerRule)
	}
	if f.required(in, "decision") && f.checkOneOf("decision", b.Decision, apiv1.ReviewDecisions) {
		spec.decision = b.Decision
	}
	if in.value("comment") {
		spec.comment = b.Comment
		f.checkText("comment", spec.comment, apiv1.ReviewCommentRule)
	}
	return spec, f.err()
}

// checkSpec is a validated access check.
type checkSpec struct {
	principal        apiv1.Principal
	action, resource string
}

func validateAccessCheck(b apiv1.AccessCheckRequest, in presence) (checkSpec, error) {
	var f fieldErrors
	var spec checkSpec
	if f.required(in, "principal") {
		spec.principal = f.checkPrincipal(in, b.Principal)
	}
	switch {
	case !in.value("action"):
		f.add("action", "is required")
	case !apiv1.IsScope(b.Action):
		f.add("action", "unknown action %q; actions are the scope names: %s", b.Action, strings.Join(apiv1.Scopes, ", "))
	default:
		spec.action = b.Action
	}
	if f.required(in, "resource") {
		if err := apiv1.CheckResource(b.Resource); err != nil {
			f.add("resource", "%v", err)
		} else {
			spec.resource = b.Resource
		}
	}
	return spec, f.err()
}
