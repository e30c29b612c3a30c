package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

const (
	accessGrantsPath = "/v1/access-grants"
	accessChecksPath = "/v1/access-checks"
)

// ListAccessGrantsOptions filters ListAccessGrants. Zero fields do not filter.
type ListAccessGrantsOptions struct {
	// PrincipalType is one of apiv1.PrincipalTypes; PrincipalID matches the
	// principal's id exactly.
	PrincipalType, PrincipalID string
	// Role is one of apiv1.Roles.
	Role string
	// Status is one of apiv1.GrantStatuses.
	Status string
	// ReviewOverdue keeps only grants whose next_review_at has passed.
	ReviewOverdue bool
	// Limit stops the listing after this many grants (0 = all).
	Limit int
}

// CreateAccessGrant creates an access grant (POST /v1/access-grants).
func (c *Client) CreateAccessGrant(ctx context.Context, req apiv1.CreateAccessGrantRequest) (*apiv1.AccessGrant, error) {
	return send[apiv1.AccessGrant](ctx, c, http.MethodPost, accessGrantsPath, req)
}

// GetAccessGrant returns one access grant (GET /v1/access-grants/{id});
// revoked grants are returned with status "revoked", unknown ids yield
// ErrNotFound.
func (c *Client) GetAccessGrant(ctx context.Context, id string) (*apiv1.AccessGrant, error) {
	return sendTo[apiv1.AccessGrant](ctx, c, http.MethodGet, accessGrantsPath, id, nil)
}

// RefreshAccessGrant returns the same as GetAccessGrant, coalesced with
// other reads of access grants (see refresh.go): for Terraform's refresh of
// many grants.
func (c *Client) RefreshAccessGrant(ctx context.Context, id string) (*apiv1.AccessGrant, error) {
	return c.accessGrants.read(ctx, id)
}

// ListAccessGrants returns every access grant matching opts
// (GET /v1/access-grants), following next_cursor to the last page or to
// opts.Limit grants.
func (c *Client) ListAccessGrants(ctx context.Context, opts ListAccessGrantsOptions) ([]apiv1.AccessGrant, error) {
	q := url.Values{}
	setIf(q, "principal_type", opts.PrincipalType)
	setIf(q, "principal_id", opts.PrincipalID)
	setIf(q, "role", opts.Role)
	setIf(q, "status", opts.Status)
	if opts.ReviewOverdue {
		q.Set("review_overdue", "true")
	}
	return listAll[apiv1.AccessGrant](ctx, c, accessGrantsPath, q, opts.Limit)
}

// UpdateAccessGrant applies a merge patch to an access grant
// (PATCH /v1/access-grants/{id}).
func (c *Client) UpdateAccessGrant(ctx context.Context, id string, req apiv1.UpdateAccessGrantRequest) (*apiv1.AccessGrant, error) {
	return sendTo[apiv1.AccessGrant](ctx, c, http.MethodPatch, accessGrantsPath, id, req)
}

// RevokeAccessGrant revokes an access grant (DELETE /v1/access-grants/{id}).
// The grant stays readable with status "revoked"; a grant that is unknown or
// already revoked yields ErrNotFound.
func (c *Client) RevokeAccessGrant(ctx context.Context, id string) error {
	return deleteObject(ctx, c, accessGrantsPath, id)
}

// ReviewAccessGrant records an access review (POST
// /v1/access-grants/{id}/review) and returns the grant after it: its
// last_reviewed_at is now, and decision "revoke" has ended it.
func (c *Client) ReviewAccessGrant(ctx context.Context, id string, req apiv1.ReviewAccessGrantRequest) (*apiv1.AccessGrant, error) {
	return sendTo[apiv1.AccessGrant](ctx, c, http.MethodPost, accessGrantsPath, id, req, "review")
}

// ListAccessGrantReviews returns every review of an access grant, newest
// first (GET /v1/access-grants/{id}/reviews).
func (c *Client) ListAccessGrantReviews(ctx context.Context, id string) ([]apiv1.AccessGrantReview, error) {
	path, err := objectPath(accessGrantsPath, id, "reviews")
	if err != nil {
		return nil, err
	}
	return listAll[apiv1.AccessGrantReview](ctx, c, path, nil, 0)
}

// CheckAccess asks whether a principal may perform an action on a resource
// (POST /v1/access-checks), by the grants active at the server's now.
func (c *Client) CheckAccess(ctx context.Context, req apiv1.AccessCheckRequest) (*apiv1.AccessCheckResult, error) {
	return send[apiv1.AccessCheckResult](ctx, c, http.MethodPost, accessChecksPath, req)
}
