// Package apiv1 holds the wire types of the Keymate API v1: the JSON bodies that
// the client sends and the server answers with. api/openapi.yaml is the contract
// these types follow; the server's conformance test keeps the two in step.
package apiv1

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"
)

// Scopes an API key may hold. Each route requires one; access grant roles
// permit sets of them (RolePermissions), and an access check's action is one.
const (
	ScopeKeysRead       = "keys:read"
	ScopeKeysWrite      = "keys:write"
	ScopeChannelsRead   = "channels:read"
	ScopeChannelsWrite  = "channels:write"
	ScopeAlertsRead     = "alerts:read"
	ScopeAlertsWrite    = "alerts:write"
	ScopeAccessRead     = "access:read"
	ScopeAccessWrite    = "access:write"
	ScopeBackupsRead    = "backups:read"
	ScopeBackupsWrite   = "backups:write"
	ScopeAuditRead      = "audit:read"
	ScopeComplianceRead = "compliance:read"
	// ScopeMetricsRead lets a key read the server's /metrics.
	ScopeMetricsRead = "metrics:read"
	// ScopeAdmin grants every other scope.
	ScopeAdmin = "admin"
)

// Scopes is the catalogue of scopes an API key may hold, in documentation order.
var Scopes = []string{
	ScopeKeysRead, ScopeKeysWrite,
	ScopeChannelsRead, ScopeChannelsWrite,
	ScopeAlertsRead, ScopeAlertsWrite,
	ScopeAccessRead, ScopeAccessWrite,
	ScopeBackupsRead, ScopeBackupsWrite,
	ScopeAuditRead, ScopeComplianceRead,
	ScopeMetricsRead,
	ScopeAdmin,
}

// IsScope reports whether s is in the scope catalogue.
func IsScope(s string) bool { return slices.Contains(Scopes, s) }

// HoldsScope reports whether a key holding scopes holds scope: it lists it,
// or it holds ScopeAdmin.
func HoldsScope(scopes []string, scope string) bool {
	return slices.Contains(scopes, ScopeAdmin) || slices.Contains(scopes, scope)
}

// Limits and defaults of API keys, shared by server validation and provider
// schema validators so that both say the same thing.
const (
	MinSecretLength            = 32
	MinRotationDays            = 1
	MaxRotationDays            = 365
	DefaultRotationDays        = 90
	DefaultRotationGracePeriod = "24h"
	MaxRotationGracePeriod     = 30 * 24 * time.Hour
	MaxNameLength              = 128
	MaxDescriptionLength       = 1024
)

// Limits of list endpoints, shared by the server and the client.
const (
	// MaxPageLimit is the largest page a list returns (its limit parameter).
	MaxPageLimit = 1000
	// MaxListIDs is how many ids a list's ids parameter may name.
	MaxListIDs = 100
)

// API key status values.
const (
	KeyStatusActive  = "active"
	KeyStatusRevoked = "revoked"
	KeyStatusExpired = "expired"
)

// KeyStatuses lists the API key status values.
var KeyStatuses = []string{KeyStatusActive, KeyStatusRevoked, KeyStatusExpired}

// APIKey is an API key as the API returns it. Secret is set only in the
// responses to create and rotate, and only when the server generated it.
type APIKey struct {
	ID                      string     `json:"id"`
	Name                    string     `json:"name"`
	Description             string     `json:"description"`
	Scopes                  []string   `json:"scopes"`
	RotationDays            int64      `json:"rotation_days"`
	RotationGracePeriod     string     `json:"rotation_grace_period"`
	ExpiresAt               *time.Time `json:"expires_at"`
	Status                  string     `json:"status"`
	SecretFingerprint       string     `json:"secret_fingerprint"`
	SecretSource            string     `json:"secret_source"` // "generated" or "supplied"
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
	RotatedAt               time.Time  `json:"rotated_at"`
	NextRotationAt          time.Time  `json:"next_rotation_at"`
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at"`
	LastUsedAt              *time.Time `json:"last_used_at"`
	// ScopeLastUsedAt maps each scope a request made with the key needed
	// (its route's scope) to when one last did, whether or not the key held
	// it: a scope the key lacks appears when a request was refused for it.
	// Like LastUsedAt, it is written in batches, up to a minute late.
	ScopeLastUsedAt map[string]time.Time `json:"scope_last_used_at"`
	RevokedAt       *time.Time           `json:"revoked_at"`
	Version         int64                `json:"version"`
	Secret          string               `json:"secret,omitempty" secret:"true"`
}

// CreateAPIKeyRequest is the body of POST /v1/api-keys. Optional fields left nil
// take the server's defaults. Secret, when set, must be at least MinSecretLength
// characters; when nil the server generates one and returns it once.
type CreateAPIKeyRequest struct {
	Name                string   `json:"name"`
	Description         string   `json:"description,omitempty"`
	Scopes              []string `json:"scopes"`
	RotationDays        *int64   `json:"rotation_days,omitempty"`
	RotationGracePeriod *string  `json:"rotation_grace_period,omitempty"`
	ExpiresAt           *string  `json:"expires_at,omitempty"` // RFC 3339 (TimeText)
	Secret              *string  `json:"secret,omitempty" secret:"true"`
}

// UpdateAPIKeyRequest is the body of PATCH /v1/api-keys/{id}: a merge patch.
// Absent fields stay as they are; expires_at: null clears the expiry.
type UpdateAPIKeyRequest struct {
	Name                *string          `json:"name,omitempty"`
	Description         *string          `json:"description,omitempty"`
	Scopes              *[]string        `json:"scopes,omitempty"`
	RotationDays        *int64           `json:"rotation_days,omitempty"`
	RotationGracePeriod *string          `json:"rotation_grace_period,omitempty"`
	ExpiresAt           Nullable[string] `json:"expires_at,omitzero"` // RFC 3339 (TimeText)
}

// RotateAPIKeyRequest is the optional body of POST /v1/api-keys/{id}/rotate.
// Secret, when set, is the new client-supplied secret; otherwise the server
// generates one and returns it once.
type RotateAPIKeyRequest struct {
	Secret *string `json:"secret,omitempty" secret:"true"`
	// GracePeriod, a duration such as "1h" or "0s", replaces the key's
	// rotation_grace_period for this rotation only.
	GracePeriod *string `json:"grace_period,omitempty"`
}

// APIKeyList is a page of API keys. NextCursor is empty on the last page.
type APIKeyList struct {
	Data       []APIKey `json:"data"`
	NextCursor string   `json:"next_cursor"`
}

// AuditEvent records one mutation. ChangedFields names the fields a mutation
// changed, never their values.
type AuditEvent struct {
	ID            string    `json:"id"`
	Time          time.Time `json:"time"`
	ActorKeyID    string    `json:"actor_key_id"`
	Action        string    `json:"action"` // for example "api_key.create"
	ObjectType    string    `json:"object_type"`
	ObjectID      string    `json:"object_id"`
	RequestID     string    `json:"request_id"`
	ChangedFields []string  `json:"changed_fields"`
}

// AuditEventList is a page of audit events, newest first.
type AuditEventList struct {
	Data       []AuditEvent `json:"data"`
	NextCursor string       `json:"next_cursor"`
}

// Error codes carried in ErrorBody.Code.
const (
	CodeBadRequest         = "bad_request"
	CodeValidation         = "validation_failed"
	CodeUnauthorized       = "unauthorized"
	CodeForbidden          = "forbidden"
	CodeNotFound           = "not_found"
	CodeConflict           = "conflict"
	CodePreconditionFailed = "precondition_failed"
	CodeRateLimited        = "rate_limited"
	CodeInternal           = "internal"
	// CodeMethodNotAllowed answers a 405: the path exists but not for the
	// request's method; the Allow header lists the methods it has.
	CodeMethodNotAllowed = "method_not_allowed"
)

// ErrorEnvelope is the body of every error response.
type ErrorEnvelope struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody describes an error. Fields names the offending request fields
// (JSON paths such as "scopes[1]") for validation errors.
type ErrorBody struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	RequestID string       `json:"request_id"`
	Fields    []FieldError `json:"fields,omitempty"`
}

// FieldError names one invalid field and what is wrong with it.
type FieldError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// IdempotentCreate is the answer of GET
// /v1/idempotent-creates/{collection}/{idempotency_key}: the object of the
// collection that the caller's POST with that Idempotency-Key created. A
// client whose create's answer was lost finds with it what the create made,
// also in a later run. The API forgets it when the object is deleted or
// revoked.
type IdempotentCreate struct {
	ObjectType string    `json:"object_type"` // as in audit events, for example "api_key"
	ObjectID   string    `json:"object_id"`
	CreatedAt  time.Time `json:"created_at"`
}

// Headers used across the API.
const (
	HeaderRequestID          = "X-Request-Id"
	HeaderIdempotencyKey     = "Idempotency-Key"
	HeaderRateLimitLimit     = "X-RateLimit-Limit"
	HeaderRateLimitRemaining = "X-RateLimit-Remaining"
	HeaderRateLimitReset     = "X-RateLimit-Reset" // Unix seconds when the bucket is full again
	HeaderRetryAfter         = "Retry-After"       // seconds
)

// TimeText writes t as a request carries a time: RFC 3339, as encoding/json
// writes a time.Time. Requests carry times as text, so that the server can
// answer one that is not a time with an error naming its field.
func TimeText(t time.Time) string { return t.Format(time.RFC3339Nano) }

// Nullable is a JSON field that distinguishes absent (Set false), null (Set
// true, Value nil) and a value. Use it with the omitzero tag option.
type Nullable[T any] struct {
	Set   bool
	Value *T
}

// Null returns a Nullable that is present and null.
func Null[T any]() Nullable[T] { return Nullable[T]{Set: true} }

// Value returns a Nullable holding v.
func Value[T any](v T) Nullable[T] { return Nullable[T]{Set: true, Value: &v} }

// IsZero reports whether the field is absent, for omitzero.
func (n Nullable[T]) IsZero() bool { return !n.Set }

// MarshalJSON writes null or the value.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if n.Value == nil {
		return []byte("null"), nil
	}
	return json.Marshal(n.Value)
}

// UnmarshalJSON records that the field was present, and its value unless null.
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		n.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	n.Value = &v
	return nil
}
