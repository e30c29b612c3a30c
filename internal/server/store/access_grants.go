package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// reviewDay is the length of a day of a review interval.
const reviewDay = 24 * time.Hour

// AccessGrant is an access grant as stored.
type AccessGrant struct {
	Seq                int64
	ID                 string
	PrincipalType      string
	PrincipalID        string
	Role               string
	Resource           string
	ExpiresAt          *time.Time
	Justification      string
	Ticket             string
	ReviewIntervalDays int64
	LastReviewedAt     *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	RevokedAt          *time.Time
	Version            int64
}

// Status reports whether the grant is active, revoked or expired at now.
func (g AccessGrant) Status(now time.Time) string {
	switch {
	case g.RevokedAt != nil:
		return apiv1.GrantStatusRevoked
	case g.ExpiresAt != nil && !now.Before(*g.ExpiresAt):
		return apiv1.GrantStatusExpired
	default:
		return apiv1.GrantStatusActive
	}
}

// NextReviewAt is when the grant is due for review: its last review (or its
// creation) plus the review interval.
func (g AccessGrant) NextReviewAt() time.Time {
	from := g.CreatedAt
	if g.LastReviewedAt != nil {
		from = *g.LastReviewedAt
	}
	return from.Add(time.Duration(g.ReviewIntervalDays) * reviewDay)
}

// AccessGrantFilter selects grants for ListAccessGrants. Zero fields do not
// filter.
type AccessGrantFilter struct {
	IDs           []string
	PrincipalType string
	PrincipalID   string
	Role          string
	Status        string
	// ReviewOverdue keeps active grants whose next review is at or before Now.
	ReviewOverdue bool
	Now           time.Time // the time against which Status and ReviewOverdue are judged
	BeforeSeq     int64     // return grants with Seq < BeforeSeq (the cursor)
	Limit         int       // 0 = no limit
}

const accessGrantColumns = `seq, id, principal_type, principal_id, role, resource, expires_at, justification, ticket,
	review_interval_days, last_reviewed_at, created_at, updated_at, revoked_at, version`

// GetAccessGrant returns the grant with the given id, or ErrNotFound.
func (s *Store) GetAccessGrant(ctx context.Context, id string) (AccessGrant, error) {
	return getAccessGrant(ctx, s.db, id)
}

// GetAccessGrant returns the grant with the given id, or ErrNotFound.
func (tx *Tx) GetAccessGrant(ctx context.Context, id string) (AccessGrant, error) {
	return getAccessGrant(ctx, tx.tx, id)
}

func getAccessGrant(ctx context.Context, q querier, id string) (AccessGrant, error) {
	return queryOne(ctx, q, "reading access grant "+id, scanAccessGrant,
		`SELECT `+accessGrantColumns+` FROM access_grants WHERE id = ?`, id)
}

// ListAccessGrants returns up to f.Limit grants (all when 0), newest first.
func (s *Store) ListAccessGrants(ctx context.Context, f AccessGrantFilter) ([]AccessGrant, error) {
	l := newListQuery(`SELECT `+accessGrantColumns+` FROM access_grants`, "seq", f.BeforeSeq)
	l.addIDs("id", f.IDs)
	if f.PrincipalType != "" {
		l.add("principal_type = ?", f.PrincipalType)
	}
	if f.PrincipalID != "" {
		l.add("principal_id = ?", f.PrincipalID)
	}
	if f.Role != "" {
		l.add("role = ?", f.Role)
	}
	now := toNanos(f.Now)
	const active = "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)"
	switch f.Status {
	case apiv1.GrantStatusRevoked:
		l.add("revoked_at IS NOT NULL")
	case apiv1.GrantStatusExpired:
		l.add("revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?", now)
	case apiv1.GrantStatusActive:
		l.add(active, now)
	}
	if f.ReviewOverdue {
		l.add(active+" AND COALESCE(last_reviewed_at, created_at) + review_interval_days * ? <= ?", now, int64(reviewDay), now)
	}
	query, args := l.build(f.Limit)
	return queryAll(ctx, s.db, "listing access grants", scanAccessGrant, query, args...)
}

// InsertAccessGrant stores a new grant and sets g.Seq.
func (tx *Tx) InsertAccessGrant(ctx context.Context, g *AccessGrant) error {
	seq, err := tx.insert(ctx, `INSERT INTO access_grants (
		id, principal_type, principal_id, role, resource, expires_at, justification, ticket,
		review_interval_days, last_reviewed_at, created_at, updated_at, revoked_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.ID, g.PrincipalType, g.PrincipalID, g.Role, g.Resource, nullableNanos(g.ExpiresAt), g.Justification, g.Ticket,
		g.ReviewIntervalDays, nullableNanos(g.LastReviewedAt), toNanos(g.CreatedAt), toNanos(g.UpdatedAt),
		nullableNanos(g.RevokedAt), g.Version)
	if err != nil {
		return fmt.Errorf("inserting access grant %s: %w", g.ID, err)
	}
	g.Seq = seq
	return nil
}

// UpdateAccessGrant writes every mutable field of g, identified by g.ID.
func (tx *Tx) UpdateAccessGrant(ctx context.Context, g AccessGrant) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE access_grants SET
		role = ?, resource = ?, expires_at = ?, justification = ?, ticket = ?, review_interval_days = ?,
		last_reviewed_at = ?, updated_at = ?, revoked_at = ?, version = ?
		WHERE id = ?`,
		g.Role, g.Resource, nullableNanos(g.ExpiresAt), g.Justification, g.Ticket, g.ReviewIntervalDays,
		nullableNanos(g.LastReviewedAt), toNanos(g.UpdatedAt), nullableNanos(g.RevokedAt), g.Version, g.ID)
	return checkOneRow(res, err, "updating access grant "+g.ID)
}

func scanAccessGrant(row scanner) (AccessGrant, error) {
	var (
		g                              AccessGrant
		createdAt, updatedAt           int64
		expiresAt, reviewed, revokedAt sql.NullInt64
	)
	err := row.Scan(&g.Seq, &g.ID, &g.PrincipalType, &g.PrincipalID, &g.Role, &g.Resource, &expiresAt,
		&g.Justification, &g.Ticket, &g.ReviewIntervalDays, &reviewed, &createdAt, &updatedAt, &revokedAt, &g.Version)
	if err != nil {
		return AccessGrant{}, err
	}
	g.ExpiresAt = timeFromNullable(expiresAt)
	g.LastReviewedAt = timeFromNullable(reviewed)
	g.CreatedAt = fromNanos(createdAt)
	g.UpdatedAt = fromNanos(updatedAt)
	g.RevokedAt = timeFromNullable(revokedAt)
	return g, nil
}

// AccessGrantReview is one recorded review of a grant.
type AccessGrantReview struct {
	Seq        int64
	ID         string
	GrantID    string
	Reviewer   string
	Decision   string
	Comment    string
	ReviewedAt time.Time
}

// InsertAccessGrantReview stores a review.
func (tx *Tx) InsertAccessGrantReview(ctx context.Context, r AccessGrantReview) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO access_grant_reviews (id, grant_id, reviewer, decision, comment, reviewed_at)
		VALUES (?, ?, ?, ?, ?, ?)`, r.ID, r.GrantID, r.Reviewer, r.Decision, r.Comment, toNanos(r.ReviewedAt))
	if err != nil {
		return fmt.Errorf("inserting review of access grant %s: %w", r.GrantID, err)
	}
	return nil
}

// ListAccessGrantReviews returns up to limit reviews of a grant with
// Seq < beforeSeq (any when 0), newest first.
func (s *Store) ListAccessGrantReviews(ctx context.Context, grantID string, beforeSeq int64, limit int) ([]AccessGrantReview, error) {
	l := newListQuery(`SELECT seq, id, grant_id, reviewer, decision, comment, reviewed_at FROM access_grant_reviews`, "seq", beforeSeq)
	l.add("grant_id = ?", grantID)
	query, args := l.build(limit)
	return queryAll(ctx, s.db, "listing reviews of access grant "+grantID, scanAccessGrantReview, query, args...)
}

func scanAccessGrantReview(row scanner) (AccessGrantReview, error) {
	var r AccessGrantReview
	var at int64
	if err := row.Scan(&r.Seq, &r.ID, &r.GrantID, &r.Reviewer, &r.Decision, &r.Comment, &at); err != nil {
		return AccessGrantReview{}, err
	}
	r.ReviewedAt = fromNanos(at)
	return r, nil
}
