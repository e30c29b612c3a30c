package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// Audit vocabulary of access grants.
const (
	objectTypeAccessGrant = "access_grant"
)

// storedGrants are the stored access grants, which are revoked rather than
// deleted.
var storedGrants = stored[store.AccessGrant]{
	objectType: objectTypeAccessGrant, noun: "access grant",
	read: (*store.Store).GetAccessGrant, get: (*store.Tx).GetAccessGrant,
	insert: (*store.Tx).InsertAccessGrant, update: (*store.Tx).UpdateAccessGrant,
	meta: func(g *store.AccessGrant) (string, *int64, *time.Time) { return g.ID, &g.Version, &g.UpdatedAt },
}

// accessGrants is the kind of access grants: revoked rather than deleted,
// and reviewed.
func (s *Server) accessGrants() kind {
	return kind{collection: apiv1.CollectionAccessGrants, objectType: objectTypeAccessGrant, read: apiv1.ScopeAccessRead, write: apiv1.ScopeAccessWrite,
		create: s.handleCreateAccessGrant, list: s.handleListAccessGrants, update: s.handleUpdateAccessGrant, remove: storedGrants.revokeHandler(s,
			func(ctx context.Context, tx *store.Tx, r *http.Request) (store.AccessGrant, error) {
				return loadGrantForChange(ctx, tx, r, "revoke")
			},
			func(g *store.AccessGrant) **time.Time { return &g.RevokedAt }),
		get: getHandler(s, storedGrants, plain(func(g store.AccessGrant) apiv1.AccessGrant { return grantToWire(g, s.clock.Now()) })),
		operations: []operation{
			{http.MethodPost, "review", apiv1.ScopeAccessWrite, s.handleReviewAccessGrant},
			{http.MethodGet, "reviews", apiv1.ScopeAccessRead, s.handleListAccessGrantReviews},
		},
	}
}

func (s *Server) handleCreateAccessGrant(w http.ResponseWriter, r *http.Request) {
	body, req, in, ok := readJSON[apiv1.CreateAccessGrantRequest](s, w, r)
	if !ok {
		return
	}
	now := s.clock.Now()
	spec, err := validateCreateGrant(req, in, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := checkRoleHeld(r, spec.role, "create"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		g := store.AccessGrant{
			ID: newID("ag"), PrincipalType: spec.principal.Type, PrincipalID: spec.principal.ID,
			Role: spec.role, Resource: spec.resource, ExpiresAt: spec.expiresAt, Justification: spec.justification,
			Ticket: spec.ticket, ReviewIntervalDays: spec.reviewIntervalDays, CreatedAt: now, UpdatedAt: now, Version: 1,
		}
		fields := []string{"justification", "principal", "resource", "review_interval_days", "role"}
		if g.ExpiresAt != nil {
			fields = append(fields, "expires_at")
		}
		if g.Ticket != "" {
			fields = append(fields, "ticket")
		}
		slices.Sort(fields)
		return storedGrants.create(s, ctx, tx, r, &g, fields, func() any { return grantToWire(g, now) })
	})
}

// checkRoleHeld returns a 403 error when role permits a scope the caller does
// not hold: no key can hand out, change, review or revoke more than it has.
// verb says what the caller tried to do with a grant of the role.
func checkRoleHeld(r *http.Request, role, verb string) error {
	return checkGrantable(callerFrom(r.Context()).Scopes, apiv1.RolePermissions[role],
		fmt.Sprintf("%s a grant of the %s role, which permits it", verb, role))
}

func (s *Server) handleListAccessGrants(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f fieldErrors
	filter := store.AccessGrantFilter{
		IDs: f.parseIDs(q), PrincipalType: q.Get("principal_type"), PrincipalID: q.Get("principal_id"),
		Role: q.Get("role"), Status: q.Get("status"), Now: s.clock.Now(),
	}
	filter.Limit, filter.BeforeSeq = f.parsePage(q)
	for _, p := range []struct {
		name  string
		valid []string
	}{{"principal_type", apiv1.PrincipalTypes}, {"role", apiv1.Roles}, {"status", apiv1.GrantStatuses}} {
		if v := q.Get(p.name); v != "" {
			f.checkOneOf(p.name, v, p.valid)
		}
	}
	if overdue := f.parseQueryBool(q, "review_overdue"); overdue != nil {
		filter.ReviewOverdue = *overdue
	}
	writeList(s, w, r, f, filter.Limit, func(limit int) ([]store.AccessGrant, error) {
		filter.Limit = limit
		return s.store.ListAccessGrants(r.Context(), filter)
	}, func(g store.AccessGrant) int64 { return g.Seq }, plain(func(g store.AccessGrant) apiv1.AccessGrant { return grantToWire(g, filter.Now) }))
}

func (s *Server) handleUpdateAccessGrant(w http.ResponseWriter, r *http.Request) {
	body, req, in, ok := readJSON[apiv1.UpdateAccessGrantRequest](s, w, r)
	if !ok {
		return
	}
	now := s.clock.Now()
	patch, err := validateUpdateGrant(req, in, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if patch.role != nil {
		if err := checkRoleHeld(r, *patch.role, "update a grant into"); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		g, err := loadGrantForChange(ctx, tx, r, "update")
		if err != nil {
			return result{}, err
		}
		if p := patch.principal; p != nil && (p.Type != g.PrincipalType || p.ID != g.PrincipalID) {
			return result{}, errValidation([]apiv1.FieldError{{Path: "principal",
				Message: "cannot change; revoke this grant and create one for the new principal"}})
		}
		if err := storedGrants.save(s, ctx, tx, r, &g, now, "update", applyGrantPatch(&g, patch)); err != nil {
			return result{}, err
		}
		return result{status: http.StatusOK, body: grantToWire(g, now), version: g.Version}, nil
	})
}

// applyGrantPatch changes g as p says and returns the names of the fields
// whose value changed, sorted.
func applyGrantPatch(g *store.AccessGrant, p grantPatch) []string {
	var changed []string
	patchField(&changed, "role", p.role, &g.Role)
	patchField(&changed, "resource", p.resource, &g.Resource)
	if p.expiresAt != nil {
		recordChange(&changed, "expires_at", g.ExpiresAt == nil || !g.ExpiresAt.Equal(*p.expiresAt), func() { g.ExpiresAt = p.expiresAt })
	}
	if p.clearExpiry {
		recordChange(&changed, "expires_at", g.ExpiresAt != nil, func() { g.ExpiresAt = nil })
	}
	patchField(&changed, "justification", p.justification, &g.Justification)
	patchField(&changed, "ticket", p.ticket, &g.Ticket)
	patchField(&changed, "review_interval_days", p.reviewIntervalDays, &g.ReviewIntervalDays)
	slices.Sort(changed)
	return changed
}

func (s *Server) handleReviewAccessGrant(w http.ResponseWriter, r *http.Request) {
	body, req, in, ok := readJSON[apiv1.ReviewAccessGrantRequest](s, w, r)
	if !ok {
		return
	}
	spec, err := validateReview(req, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		g, err := loadGrantForChange(ctx, tx, r, "review")
		if err != nil {
			return result{}, err
		}
		now := s.clock.Now()
		if err := tx.InsertAccessGrantReview(ctx, store.AccessGrantReview{
			ID: newID("agr"), GrantID: g.ID, Reviewer: spec.reviewer, Decision: spec.decision,
			Comment: spec.comment, ReviewedAt: now,
		}); err != nil {
			return result{}, err
		}
		g.LastReviewedAt = &now
		changed := []string{"last_reviewed_at", "next_review_at"}
		if spec.decision == apiv1.ReviewDecisionRevoke {
			g.RevokedAt = &now
			changed = append(changed, "revoked_at", "status")
		}
		if err := storedGrants.save(s, ctx, tx, r, &g, now, "review", changed); err != nil {
			return result{}, err
		}
		return result{status: http.StatusOK, body: grantToWire(g, now), version: g.Version}, nil
	})
}

func (s *Server) handleListAccessGrantReviews(w http.ResponseWriter, r *http.Request) {
	writeSubList(s, w, r, storedGrants, s.store.ListAccessGrantReviews,
		func(rv store.AccessGrantReview) int64 { return rv.Seq }, reviewToWire)
}

// loadGrantForChange reads the grant named by the path for a change: it must
// exist, not be revoked, match If-Match, and give a role whose every
// permission the caller holds (so that no key can widen, prolong, review or
// end a grant more powerful than itself).
func loadGrantForChange(ctx context.Context, tx *store.Tx, r *http.Request, verb string) (store.AccessGrant, error) {
	g, err := storedGrants.find(ctx, tx, r)
	if err != nil {
		return store.AccessGrant{}, err
	}
	id := g.ID
	if g.RevokedAt != nil {
		if verb == "revoke" {
			return store.AccessGrant{}, errNotFound("access grant %s is already revoked", id)
		}
		return store.AccessGrant{}, errConflict("access grant %s is revoked and cannot be %s; create a new grant", id, pastTense(verb))
	}
	if err := checkIfMatch(r, g.Version); err != nil {
		return store.AccessGrant{}, err
	}
	if err := checkRoleHeld(r, g.Role, verb); err != nil {
		return store.AccessGrant{}, err
	}
	return g, nil
}

func pastTense(verb string) string {
	if strings.HasSuffix(verb, "e") {
		return verb + "d"
	}
	return verb + "ed"
}

func (s *Server) handleCheckAccess(w http.ResponseWriter, r *http.Request) {
	_, req, in, ok := readJSON[apiv1.AccessCheckRequest](s, w, r)
	if !ok {
		return
	}
	spec, err := validateAccessCheck(req, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.clock.Now()
	grants, err := s.store.ListAccessGrants(r.Context(), store.AccessGrantFilter{
		PrincipalType: spec.principal.Type, PrincipalID: spec.principal.ID, Now: now,
	})
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, decideAccess(grants, spec, now))
}

// decideAccess allows the action when an active grant of the principal has a
// role permitting it on a pattern covering the resource; decided_by then
// lists those grants. Otherwise it denies, decided_by lists every grant of
// the principal (each fell short), and the reason says per grant why.
func decideAccess(grants []store.AccessGrant, spec checkSpec, now time.Time) apiv1.AccessCheckResult {
	var allowing, shortOf, why []string
	for _, g := range slices.Backward(grants) { // oldest first
		if short := grantShortfalls(g, spec, now); len(short) > 0 {
			shortOf = append(shortOf, g.ID)
			why = append(why, fmt.Sprintf("grant %s (%s on %s) %s", g.ID, g.Role, g.Resource, strings.Join(short, " and ")))
			continue
		}
		allowing = append(allowing, g.ID)
	}
	who := spec.principal.Type + " " + spec.principal.ID
	switch {
	case len(allowing) > 0:
		return apiv1.AccessCheckResult{Allowed: true, DecidedBy: allowing,
			Reason: fmt.Sprintf("%s may %s on %s by active grant(s) %s", who, spec.action, spec.resource, strings.Join(allowing, ", "))}
	case len(shortOf) == 0:
		return apiv1.AccessCheckResult{DecidedBy: []string{}, Reason: fmt.Sprintf("denied: %s has no access grants", who)}
	default:
		return apiv1.AccessCheckResult{DecidedBy: shortOf,
			Reason: fmt.Sprintf("denied: no active grant lets %s %s on %s: %s", who, spec.action, spec.resource, strings.Join(why, "; "))}
	}
}

// grantShortfalls returns every reason why g does not allow the checked
// action at now, or nil when it allows it.
func grantShortfalls(g store.AccessGrant, spec checkSpec, now time.Time) []string {
	var short []string
	switch g.Status(now) {
	case apiv1.GrantStatusRevoked:
		short = append(short, "was revoked at "+g.RevokedAt.UTC().Format(time.RFC3339))
	case apiv1.GrantStatusExpired:
		short = append(short, "expired at "+g.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if !apiv1.RolePermits(g.Role, spec.action) {
		short = append(short, fmt.Sprintf("gives role %s, which does not permit %s", g.Role, spec.action))
	}
	if !patternCovers(g.Resource, spec.resource) {
		short = append(short, fmt.Sprintf("covers %s, not %s", g.Resource, spec.resource))
	}
	return short
}

// patternCovers reports whether a grant's resource pattern ("*",
// "<collection>/*" or "<collection>/<id>") covers resource.
func patternCovers(pattern, resource string) bool {
	if pattern == "*" || pattern == resource {
		return true
	}
	collection, ok := strings.CutSuffix(pattern, "/*")
	return ok && strings.HasPrefix(resource, collection+"/")
}

// grantToWire converts a stored grant into its API representation at now.
func grantToWire(g store.AccessGrant, now time.Time) apiv1.AccessGrant {
	return apiv1.AccessGrant{
		ID: g.ID, Principal: apiv1.Principal{Type: g.PrincipalType, ID: g.PrincipalID},
		Role: g.Role, Resource: g.Resource, ExpiresAt: g.ExpiresAt, Justification: g.Justification,
		Ticket: g.Ticket, ReviewIntervalDays: g.ReviewIntervalDays, Status: g.Status(now),
		LastReviewedAt: g.LastReviewedAt, NextReviewAt: g.NextReviewAt(), CreatedAt: g.CreatedAt,
		UpdatedAt: g.UpdatedAt, Version: g.Version,
	}
}

// reviewToWire converts a stored review into its API representation.
func reviewToWire(rv store.AccessGrantReview) apiv1.AccessGrantReview {
	return apiv1.AccessGrantReview{
		ID: rv.ID, GrantID: rv.GrantID, Reviewer: rv.Reviewer, Decision: rv.Decision,
		Comment: rv.Comment, ReviewedAt: rv.ReviewedAt,
	}
}
