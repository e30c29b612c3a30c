package server

import (
	"slices"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// The access grant request bodies as the server decodes them, and their
// validation (see validation.go for the conventions).

type principalBody struct {
	Type *string `json:"type"`
	ID   *string `json:"id"`
}

type createAccessGrantBody struct {
	Principal          *principalBody `json:"principal"`
	Role               *string        `json:"role"`
	Resource           *string        `json:"resource"`
	ExpiresAt          *string        `json:"expires_at"`
	Justification      *string        `json:"justification"`
	Ticket             *string        `json:"ticket"`
	ReviewIntervalDays *int64         `json:"review_interval_days"`
}

type updateAccessGrantBody struct {
	Principal          apiv1.Nullable[principalBody] `json:"principal"`
	Role               apiv1.Nullable[string]        `json:"role"`
	Resource           apiv1.Nullable[string]        `json:"resource"`
	ExpiresAt          apiv1.Nullable[string]        `json:"expires_at"`
	Justification      apiv1.Nullable[string]        `json:"justification"`
	Ticket             apiv1.Nullable[string]        `json:"ticket"`
	ReviewIntervalDays apiv1.Nullable[int64]         `json:"review_interval_days"`
}

type reviewAccessGrantBody struct {
	Reviewer *string `json:"reviewer"`
	Decision *string `json:"decision"`
	Comment  *string `json:"comment"`
}

type accessCheckBody struct {
	Principal *principalBody `json:"principal"`
	Action    *string        `json:"action"`
	Resource  *string        `json:"resource"`
}

// checkPrincipal validates a principal and returns it.
func (f *fieldErrors) checkPrincipal(p *principalBody) apiv1.Principal {
	if p == nil {
		f.add("principal", "is required")
		return apiv1.Principal{}
	}
	var out apiv1.Principal
	switch {
	case p.Type == nil:
		f.add("principal.type", "is required")
	case !slices.Contains(apiv1.PrincipalTypes, *p.Type):
		f.add("principal.type", "must be one of %s, got %q", strings.Join(apiv1.PrincipalTypes, ", "), *p.Type)
	default:
		out.Type = *p.Type
	}
	if p.ID == nil {
		f.add("principal.id", "is required")
	} else {
		out.ID = *p.ID
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
	if err := apiv1.CheckResourcePattern(p); err != nil {
		f.add("resource", "%v", err)
	}
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
func validateCreateGrant(b createAccessGrantBody, now time.Time) (grantSpec, error) {
	var f fieldErrors
	spec := grantSpec{reviewIntervalDays: apiv1.DefaultReviewIntervalDays}
	spec.principal = f.checkPrincipal(b.Principal)
	if b.Role == nil {
		f.add("role", "is required")
	} else {
		spec.role = *b.Role
		f.checkRole(spec.role)
	}
	if b.Resource == nil {
		f.add("resource", "is required")
	} else {
		spec.resource = *b.Resource
		f.checkResourcePattern(spec.resource)
	}
	if b.ExpiresAt != nil {
		spec.expiresAt = f.parseExpiresAt(*b.ExpiresAt, now)
	}
	if b.Justification == nil {
		f.add("justification", "is required: say why the access is needed")
	} else {
		spec.justification = *b.Justification
		f.checkText("justification", spec.justification, apiv1.JustificationRule)
	}
	if b.Ticket != nil {
		spec.ticket = *b.Ticket
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
func validateUpdateGrant(b updateAccessGrantBody, now time.Time) (grantPatch, error) {
	var f fieldErrors
	var p grantPatch
	if v, ok := present(&f, "principal", b.Principal); ok {
		principal := f.checkPrincipal(v)
		p.principal = &principal
	}
	if v, ok := present(&f, "role", b.Role); ok {
		p.role = v
		f.checkRole(*p.role)
	}
	if v, ok := present(&f, "resource", b.Resource); ok {
		p.resource = v
		f.checkResourcePattern(*p.resource)
	}
	p.expiresAt, p.clearExpiry = f.patchExpiresAt(b.ExpiresAt, now)
	if v, ok := present(&f, "justification", b.Justification); ok {
		p.justification = v
		f.checkText("justification", *p.justification, apiv1.JustificationRule)
	}
	if b.Ticket.Set {
		p.ticket = valueOrZero(b.Ticket)
		f.checkText("ticket", *p.ticket, apiv1.TicketRule)
	}
	if v, ok := present(&f, "review_interval_days", b.ReviewIntervalDays); ok {
		p.reviewIntervalDays = v
		f.checkReviewInterval(*p.reviewIntervalDays)
	}
	return p, f.err()
}

// reviewSpec is a validated review request.
type reviewSpec struct {
	reviewer, decision, comment string
}

func validateReview(b reviewAccessGrantBody) (reviewSpec, error) {
	var f fieldErrors
	var spec reviewSpec
	if b.Reviewer == nil {
		f.add("reviewer", "is required")
	} else {
		spec.reviewer = *b.Reviewer
		f.checkText("reviewer", spec.reviewer, apiv1.ReviewerRule)
	}
	switch {
	case b.Decision == nil:
		f.add("decision", "is required")
	case !slices.Contains(apiv1.ReviewDecisions, *b.Decision):
		f.add("decision", "must be one of %s, got %q", strings.Join(apiv1.ReviewDecisions, ", "), *b.Decision)
	default:
		spec.decision = *b.Decision
	}
	if b.Comment != nil {
		spec.comment = *b.Comment
		f.checkText("comment", spec.comment, apiv1.ReviewCommentRule)
	}
	return spec, f.err()
}

// checkSpec is a validated access check.
type checkSpec struct {
	principal        apiv1.Principal
	action, resource string
}

func validateAccessCheck(b accessCheckBody) (checkSpec, error) {
	var f fieldErrors
	var spec checkSpec
	spec.principal = f.checkPrincipal(b.Principal)
	switch {
	case b.Action == nil:
		f.add("action", "is required")
	case !apiv1.IsScope(*b.Action):
		f.add("action", "unknown action %q; actions are the scope names: %s", *b.Action, strings.Join(apiv1.Scopes, ", "))
	default:
		spec.action = *b.Action
	}
	if b.Resource == nil {
		f.add("resource", "is required")
	} else if err := apiv1.CheckResource(*b.Resource); err != nil {
		f.add("resource", "%v", err)
	} else {
		spec.resource = *b.Resource
	}
	return spec, f.err()
}
