package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// Scopes required by the access grant endpoints.
const (
	scopeAccessRead  = "access:read"
	scopeAccessWrite = "access:write"
)

// Audit vocabulary of access grants.
const (
	objectTypeAccessGrant = "access_grant"
	actionGrantCreate     = "access_grant.create"
	actionGrantUpdate     = "access_grant.update"
	actionGrantRevoke     = "access_grant.revoke"
	actionGrantReview     = "access_grant.review"
)

func (s *Server) handleCreateAccessGrant(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	var req createAccessGrantBody
	if err := decodeJSON(body, &req); err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	now := s.clock.Now()
	spec, err := validateCreateGrant(req, now)
	if err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	if err := checkRoleGrantable(r, spec.role); err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		g := store.AccessGrant{
			ID: newID("ag"), PrincipalType: spec.principal.Type, PrincipalID: spec.principal.ID,
			Role: spec.role, Resource: spec.resource, ExpiresAt: spec.expiresAt, Justification: spec.justification,
			Ticket: spec.ticket, ReviewIntervalDays: spec.reviewIntervalDays, CreatedAt: now, UpdatedAt: now, Version: 1,
		}
		if err := tx.InsertAccessGrant(ctx, &g); err != nil {
			return result{}, err
		}
		fields := []string{"justification", "principal", "resource", "review_interval_days", "role"}
		if g.ExpiresAt != nil {
			fields = append(fields, "expires_at")
		}
		if g.Ticket != "" {
			fields = append(fields, "ticket")
		}
		slices.Sort(fields)
		if err := s.auditObject(ctx, tx, r, objectTypeAccessGrant, actionGrantCreate, g.ID, fields); err != nil {
			return result{}, err
		}
		return result{status: http.StatusCreated, body: grantToWire(g, now), version: g.Version}, nil
	})
}

// checkRoleGrantable returns a 403 error when the role permits a scope the
// caller does not hold: no key can hand out more than it has.
func checkRoleGrantable(r *http.Request, role string) error {
	return checkGrantable(callerFrom(r.Context()).Scopes, apiv1.RolePermissions[role], "grant the "+role+" role, which permits it")
}

func (s *Server) handleListAccessGrants(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f fieldErrors
	filter := store.AccessGrantFilter{
		PrincipalType: q.Get("principal_type"), PrincipalID: q.Get("principal_id"),
		Role: q.Get("role"), Status: q.Get("status"), Now: s.clock.Now(),
	}
	filter.Limit, filter.BeforeSeq = f.parsePage(q)
	if filter.PrincipalType != "" && !slices.Contains(apiv1.PrincipalTypes, filter.PrincipalType) {
		f.add("principal_type", "must be one of %s, got %q", strings.Join(apiv1.PrincipalTypes, ", "), filter.PrincipalType)
	}
	if filter.Role != "" && !slices.Contains(apiv1.Roles, filter.Role) {
		f.add("role", "must be one of %s, got %q", strings.Join(apiv1.Roles, ", "), filter.Role)
	}
	if filter.Status != "" && !slices.Contains(apiv1.GrantStatuses, filter.Status) {
		f.add("status", "must be one of %s, got %q", strings.Join(apiv1.GrantStatuses, ", "), filter.Status)
	}
	switch raw := q.Get("review_overdue"); raw {
	case "", "false":
	case "true":
		filter.ReviewOverdue = true
	default:
		f.add("review_overdue", "must be true or false, got %q", raw)
	}
	if err := f.err(); err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	limit := filter.Limit
	filter.Limit++ // one more tells whether there is a next page
	grants, err := s.store.ListAccessGrants(r.Context(), filter)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	cursor, n := nextCursor(len(grants), limit, func(i int) int64 { return grants[i].Seq })
	page := apiv1.AccessGrantList{Data: make([]apiv1.AccessGrant, 0, n), NextCursor: cursor}
	for _, g := range grants[:n] {
		page.Data = append(page.Data, grantToWire(g, filter.Now))
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) handleGetAccessGrant(w http.ResponseWriter, r *http.Request) {
	g, err := s.store.GetAccessGrant(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, r, errGrantNotFound(r.PathValue("id")))
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(g.Version))
	writeJSON(w, http.StatusOK, grantToWire(g, s.clock.Now()))
}

func (s *Server) handleUpdateAccessGrant(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	var req updateAccessGrantBody
	if err := decodeJSON(body, &req); err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	now := s.clock.Now()
	patch, err := validateUpdateGrant(req, now)
	if err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	if patch.role != nil {
		if err := checkRoleGrantable(r, *patch.role); err != nil {
			writeError(w, r, asAPIError(err))
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
		changed := applyGrantPatch(&g, patch)
		if len(changed) > 0 {
			if err := s.saveGrant(ctx, tx, r, &g, now, actionGrantUpdate, changed); err != nil {
				return result{}, err
			}
		}
		return result{status: http.StatusOK, body: grantToWire(g, now), version: g.Version}, nil
	})
}

// applyGrantPatch changes g as p says and returns the names of the fields
// whose value changed, sorted.
func applyGrantPatch(g *store.AccessGrant, p grantPatch) []string {
	var changed []string
	set := func(name string, differs bool, apply func()) {
		if differs {
			apply()
			changed = append(changed, name)
		}
	}
	if p.role != nil {
		set("role", *p.role != g.Role, func() { g.Role = *p.role })
	}
	if p.resource != nil {
		set("resource", *p.resource != g.Resource, func() { g.Resource = *p.resource })
	}
	if p.expiresAt != nil {
		set("expires_at", g.ExpiresAt == nil || !g.ExpiresAt.Equal(*p.expiresAt), func() { g.ExpiresAt = p.expiresAt })
	}
	if p.clearExpiry {
		set("expires_at", g.ExpiresAt != nil, func() { g.ExpiresAt = nil })
	}
	if p.justification != nil {
		set("justification", *p.justification != g.Justification, func() { g.Justification = *p.justification })
	}
	if p.ticket != nil {
		set("ticket", *p.ticket != g.Ticket, func() { g.Ticket = *p.ticket })
	}
	if p.reviewIntervalDays != nil {
		set("review_interval_days", *p.reviewIntervalDays != g.ReviewIntervalDays, func() { g.ReviewIntervalDays = *p.reviewIntervalDays })
	}
	slices.Sort(changed)
	return changed
}

func (s *Server) handleRevokeAccessGrant(w http.ResponseWriter, r *http.Request) {
	s.mutate(w, r, nil, func(ctx context.Context, tx *store.Tx) (result, error) {
		g, err := loadGrantForChange(ctx, tx, r, "revoke")
		if err != nil {
			return result{}, err
		}
		now := s.clock.Now()
		g.RevokedAt = &now
		if err := s.saveGrant(ctx, tx, r, &g, now, actionGrantRevoke, []string{"revoked_at", "status"}); err != nil {
			return result{}, err
		}
		return result{status: http.StatusNoContent, version: g.Version}, nil
	})
}

func (s *Server) handleReviewAccessGrant(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	var req reviewAccessGrantBody
	if err := decodeJSON(body, &req); err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	spec, err := validateReview(req)
	if err != nil {
		writeError(w, r, asAPIError(err))
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
		if err := s.saveGrant(ctx, tx, r, &g, now, actionGrantReview, changed); err != nil {
			return result{}, err
		}
		return result{status: http.StatusOK, body: grantToWire(g, now), version: g.Version}, nil
	})
}

func (s *Server) handleListAccessGrantReviews(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var f fieldErrors
	limit, beforeSeq := f.parsePage(r.URL.Query())
	if err := f.err(); err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	if _, err := s.store.GetAccessGrant(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		writeError(w, r, errGrantNotFound(id))
		return
	} else if err != nil {
		s.internalError(w, r, err)
		return
	}
	reviews, err := s.store.ListAccessGrantReviews(r.Context(), id, beforeSeq, limit+1)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	cursor, n := nextCursor(len(reviews), limit, func(i int) int64 { return reviews[i].Seq })
	page := apiv1.AccessGrantReviewList{Data: make([]apiv1.AccessGrantReview, 0, n), NextCursor: cursor}
	for _, rv := range reviews[:n] {
		page.Data = append(page.Data, apiv1.AccessGrantReview{
			ID: rv.ID, GrantID: rv.GrantID, Reviewer: rv.Reviewer, Decision: rv.Decision,
			Comment: rv.Comment, ReviewedAt: rv.ReviewedAt,
		})
	}
	writeJSON(w, http.StatusOK, page)
}

// loadGrantForChange reads the grant named by the path for a change: it must
// exist, not be revoked, and match If-Match.
func loadGrantForChange(ctx context.Context, tx *store.Tx, r *http.Request, verb string) (store.AccessGrant, error) {
	id := r.PathValue("id")
	g, err := tx.GetAccessGrant(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.AccessGrant{}, errGrantNotFound(id)
	}
	if err != nil {
		return store.AccessGrant{}, err
	}
	if g.RevokedAt != nil {
		if verb == "revoke" {
			return store.AccessGrant{}, errNotFound("access grant %s is already revoked", id)
		}
		return store.AccessGrant{}, errConflict("access grant %s is revoked and cannot be %s; create a new grant", id, pastTense(verb))
	}
	if err := checkIfMatch(r, g.Version); err != nil {
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

// saveGrant bumps the grant's version, writes it and records the audit event.
func (s *Server) saveGrant(ctx context.Context, tx *store.Tx, r *http.Request, g *store.AccessGrant, now time.Time, action string, changed []string) error {
	g.Version++
	g.UpdatedAt = now
	if err := tx.UpdateAccessGrant(ctx, *g); err != nil {
		return err
	}
	return s.auditObject(ctx, tx, r, objectTypeAccessGrant, action, g.ID, changed)
}

func (s *Server) handleCheckAccess(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	var req accessCheckBody
	if err := decodeJSON(body, &req); err != nil {
		writeError(w, r, asAPIError(err))
		return
	}
	spec, err := validateAccessCheck(req)
	if err != nil {
		writeError(w, r, asAPIError(err))
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
// role permitting it on a pattern covering the resource; otherwise it denies
// and says why each grant did not count.
func decideAccess(grants []store.AccessGrant, spec checkSpec, now time.Time) apiv1.AccessCheckResult {
	res := apiv1.AccessCheckResult{DecidedBy: []string{}}
	var why []string
	for _, g := range slices.Backward(grants) { // oldest first
		switch {
		case g.Status(now) != apiv1.GrantStatusActive:
			why = append(why, fmt.Sprintf("grant %s is %s", g.ID, g.Status(now)))
		case !apiv1.RolePermits(g.Role, spec.action):
			why = append(why, fmt.Sprintf("grant %s gives role %s, which does not permit %s", g.ID, g.Role, spec.action))
		case !patternCovers(g.Resource, spec.resource):
			why = append(why, fmt.Sprintf("grant %s covers %s, not %s", g.ID, g.Resource, spec.resource))
		default:
			res.DecidedBy = append(res.DecidedBy, g.ID)
		}
	}
	who := spec.principal.Type + " " + spec.principal.ID
	switch {
	case len(res.DecidedBy) > 0:
		res.Allowed = true
		res.Reason = fmt.Sprintf("%s may %s on %s by %d active grant(s)", who, spec.action, spec.resource, len(res.DecidedBy))
	case len(why) == 0:
		res.Reason = fmt.Sprintf("denied: %s has no access grants", who)
	default:
		res.Reason = fmt.Sprintf("denied: no active grant lets %s %s on %s: %s", who, spec.action, spec.resource, strings.Join(why, "; "))
	}
	return res
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

func errGrantNotFound(id string) *apiError {
	return errNotFound("access grant %s not found", id)
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
