package apiv1

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Principal types: who an access grant is for.
const (
	PrincipalUser           = "user"
	PrincipalTeam           = "team"
	PrincipalServiceAccount = "service_account"
)

// PrincipalTypes lists the principal types in documentation order.
var PrincipalTypes = []string{PrincipalUser, PrincipalTeam, PrincipalServiceAccount}

// Roles an access grant can give.
const (
	RoleViewer   = "viewer"
	RoleOperator = "operator"
	RoleAuditor  = "auditor"
	RoleAdmin    = "admin"
)

// Roles lists the roles in documentation order, weakest first.
var Roles = []string{RoleViewer, RoleOperator, RoleAuditor, RoleAdmin}

// RolePermissions maps each role to the scope names (actions) it permits:
//   - viewer: every "*:read" scope except audit:read;
//   - operator: viewer plus keys:write, channels:write, alerts:write and backups:write;
//   - auditor: audit:read, compliance:read, access:read and keys:read;
//   - admin: every scope.
var RolePermissions = map[string][]string{
	RoleViewer:   viewerPermissions(),
	RoleOperator: append(viewerPermissions(), ScopeKeysWrite, ScopeChannelsWrite, ScopeAlertsWrite, ScopeBackupsWrite),
	RoleAuditor:  {ScopeAuditRead, ScopeComplianceRead, ScopeAccessRead, ScopeKeysRead},
	RoleAdmin:    slices.Clone(Scopes),
}

func viewerPermissions() []string {
	var perms []string
	for _, s := range Scopes {
		if strings.HasSuffix(s, ":read") && s != ScopeAuditRead {
			perms = append(perms, s)
		}
	}
	return perms
}

// RolePermits reports whether role permits action (a scope name).
func RolePermits(role, action string) bool {
	return slices.Contains(RolePermissions[role], action)
}

// Resource collections an access grant's resource pattern can name.
const (
	CollectionAPIKeys              = "api-keys"
	CollectionNotificationChannels = "notification-channels"
	CollectionAlertRules           = "alert-rules"
	CollectionAccessGrants         = "access-grants"
	CollectionBackupSchedules      = "backup-schedules"
)

// Collections lists the resource collections in documentation order.
var Collections = []string{
	CollectionAPIKeys, CollectionNotificationChannels, CollectionAlertRules,
	CollectionAccessGrants, CollectionBackupSchedules,
}

// Access grant status values.
const (
	GrantStatusActive  = "active"
	GrantStatusExpired = "expired"
	GrantStatusRevoked = "revoked"
)

// GrantStatuses lists the access grant status values.
var GrantStatuses = []string{GrantStatusActive, GrantStatusExpired, GrantStatusRevoked}

// Access review decisions.
const (
	ReviewDecisionKeep   = "keep"
	ReviewDecisionRevoke = "revoke"
)

// ReviewDecisions lists the access review decisions.
var ReviewDecisions = []string{ReviewDecisionKeep, ReviewDecisionRevoke}

// Limits and defaults of access grants and reviews.
const (
	MaxPrincipalIDLength      = 128
	MaxResourceIDLength       = 128
	MaxJustificationLength    = 1024
	MaxTicketLength           = 256
	MinReviewIntervalDays     = 1
	MaxReviewIntervalDays     = 365
	DefaultReviewIntervalDays = 90
	MaxReviewerLength         = 128
	MaxReviewCommentLength    = 1024
)

// resourceIDPattern is what an object id in a resource or pattern may contain.
var resourceIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.\-]+$`)

// CheckResourcePattern returns nil if p is a valid grant resource pattern:
// "*", "<collection>/*" or "<collection>/<id>". Otherwise the error says why.
func CheckResourcePattern(p string) error {
	if p == "*" {
		return nil
	}
	return checkResource(p, true)
}

// CheckResource returns nil if r names one object, "<collection>/<id>", as an
// access check's resource must.
func CheckResource(r string) error {
	return checkResource(r, false)
}

func checkResource(r string, wildcard bool) error {
	collection, id, ok := strings.Cut(r, "/")
	if !ok {
		if wildcard {
			return fmt.Errorf(`must be "*", "<collection>/*" or "<collection>/<id>", got %q`, r)
		}
		return fmt.Errorf(`must be "<collection>/<id>", got %q`, r)
	}
	if !slices.Contains(Collections, collection) {
		return fmt.Errorf("unknown collection %q; use one of %s", collection, strings.Join(Collections, ", "))
	}
	switch {
	case id == "*" && wildcard:
		return nil
	case id == "*":
		return fmt.Errorf(`must name one object, not a pattern; got %q`, r)
	case len(id) > MaxResourceIDLength:
		return fmt.Errorf("the object id must be at most %d characters", MaxResourceIDLength)
	case !resourceIDPattern.MatchString(id):
		return fmt.Errorf("the object id %q must be 1 or more letters, digits, '_', '.' or '-'", id)
	}
	return nil
}

// Principal identifies who an access grant is for.
type Principal struct {
	Type string `json:"type"` // one of PrincipalTypes
	ID   string `json:"id"`
}

// AccessGrant is an access grant as the API returns it. Status is computed
// from the server's clock and revocation; NextReviewAt is LastReviewedAt (or
// CreatedAt) plus ReviewIntervalDays.
type AccessGrant struct {
	ID                 string     `json:"id"`
	Principal          Principal  `json:"principal"`
	Role               string     `json:"role"`
	Resource           string     `json:"resource"`
	ExpiresAt          *time.Time `json:"expires_at"`
	Justification      string     `json:"justification"`
	Ticket             string     `json:"ticket"`
	ReviewIntervalDays int64      `json:"review_interval_days"`
	Status             string     `json:"status"`
	LastReviewedAt     *time.Time `json:"last_reviewed_at"`
	NextReviewAt       time.Time  `json:"next_review_at"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
	Version            int64      `json:"version"`
}

// CreateAccessGrantRequest is the body of POST /v1/access-grants. Optional
// fields left nil or empty take the server's defaults.
type CreateAccessGrantRequest struct {
	Principal          Principal `json:"principal"`
	Role               string    `json:"role"`
	Resource           string    `json:"resource"`
	ExpiresAt          *string   `json:"expires_at,omitempty"` // RFC 3339 (TimeText)
	Justification      string    `json:"justification"`
	Ticket             string    `json:"ticket,omitempty"`
	ReviewIntervalDays *int64    `json:"review_interval_days,omitempty"`
}

// UpdateAccessGrantRequest is the body of PATCH /v1/access-grants/{id}: a
// merge patch. Absent fields stay as they are; expires_at: null clears the
// expiry. Principal cannot change: a principal different from the grant's is
// a 422 error on "principal".
type UpdateAccessGrantRequest struct {
	Principal          *Principal       `json:"principal,omitempty"`
	Role               *string          `json:"role,omitempty"`
	Resource           *string          `json:"resource,omitempty"`
	ExpiresAt          Nullable[string] `json:"expires_at,omitzero"` // RFC 3339 (TimeText)
	Justification      *string          `json:"justification,omitempty"`
	Ticket             *string          `json:"ticket,omitempty"`
	ReviewIntervalDays *int64           `json:"review_interval_days,omitempty"`
}

// AccessGrantList is a page of access grants. NextCursor is empty on the last
// page.
type AccessGrantList struct {
	Data       []AccessGrant `json:"data"`
	NextCursor string        `json:"next_cursor"`
}

// ReviewAccessGrantRequest is the body of POST /v1/access-grants/{id}/review.
// Decision "revoke" ends the grant.
type ReviewAccessGrantRequest struct {
	Reviewer string `json:"reviewer"`
	Decision string `json:"decision"` // one of ReviewDecisions
	Comment  string `json:"comment,omitempty"`
}

// AccessGrantReview is one recorded access review.
type AccessGrantReview struct {
	ID         string    `json:"id"`
	GrantID    string    `json:"grant_id"`
	Reviewer   string    `json:"reviewer"`
	Decision   string    `json:"decision"`
	Comment    string    `json:"comment"`
	ReviewedAt time.Time `json:"reviewed_at"`
}

// AccessGrantReviewList is a page of reviews of one grant, newest first.
type AccessGrantReviewList struct {
	Data       []AccessGrantReview `json:"data"`
	NextCursor string              `json:"next_cursor"`
}

// AccessCheckRequest is the body of POST /v1/access-checks: may Principal
// perform Action (a scope name such as "alerts:write") on Resource
// ("<collection>/<id>", such as "alert-rules/ar_123")?
type AccessCheckRequest struct {
	Principal Principal `json:"principal"`
	Action    string    `json:"action"`
	Resource  string    `json:"resource"`
}

// AccessCheckResult answers an access check. When allowed, DecidedBy lists
// the ids of the active grants that allow the action; when denied, the ids of
// the principal's grants that fell short (expired, revoked, a role not
// permitting the action, a pattern not covering the resource), empty when it
// has none. Reason explains the decision, per grant when denied.
type AccessCheckResult struct {
	Allowed   bool     `json:"allowed"`
	DecidedBy []string `json:"decided_by"`
	Reason    string   `json:"reason"`
}
