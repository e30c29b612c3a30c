package client

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// APIError is the error returned for every non-2xx response. Match it against
// the sentinels (ErrNotFound, ErrConflict, ...) with errors.Is, or read its
// fields with errors.As.
type APIError struct {
	// StatusCode is the HTTP status, for example 422.
	StatusCode int
	// Code is the API's error code (apiv1.Code*), empty when the body was not
	// an error envelope.
	Code string
	// Message is the API's message, or a short snippet of a body that was not
	// an error envelope.
	Message string
	// RequestID identifies the request in the server's logs and audit trail.
	RequestID string
	// Fields names each invalid request field of a validation error.
	Fields []apiv1.FieldError
	// Method and Path name the operation, for example "POST" and "/v1/api-keys".
	Method, Path string
}

// Error returns one readable line, for example
// `POST /v1/api-keys: 422 validation_failed: invalid request (scopes[1]: unknown scope "x") [request id req_1]`.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d ", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		b.WriteString(e.Code)
	} else {
		b.WriteString(http.StatusText(e.StatusCode))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.Fields) > 0 {
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = f.Path + ": " + f.Message
		}
		b.WriteString(" (" + strings.Join(parts, "; ") + ")")
	}
	if e.RequestID != "" {
		b.WriteString(" [request id " + e.RequestID + "]")
	}
	return b.String()
}

// Is reports whether target is the sentinel for e's status or error code, so
// that errors.Is(err, client.ErrNotFound) works on any wrapped *APIError.
func (e *APIError) Is(target error) bool {
	s, ok := target.(*sentinel)
	if !ok {
		return false
	}
	return e.StatusCode == s.status || (e.Code != "" && e.Code == s.code)
}

// sentinel is the type of the Err* values: a status and an error code that an
// APIError matches.
type sentinel struct {
	status int
	code   string
}

func (s *sentinel) Error() string { return fmt.Sprintf("%d %s", s.status, s.code) }

// Sentinels for errors.Is. Each matches an *APIError by HTTP status or by API
// error code.
var (
	// ErrNotFound matches 404 not_found: the object does not exist (or, for
	// revoke, is already revoked).
	ErrNotFound error = &sentinel{http.StatusNotFound, apiv1.CodeNotFound}
	// ErrConflict matches 409 conflict: a duplicate name or a revoked key.
	ErrConflict error = &sentinel{http.StatusConflict, apiv1.CodeConflict}
	// ErrValidation matches 422 validation_failed; APIError.Fields names the
	// bad fields.
	ErrValidation error = &sentinel{http.StatusUnprocessableEntity, apiv1.CodeValidation}
	// ErrUnauthorized matches 401 unauthorized: a missing, unknown or expired
	// API key.
	ErrUnauthorized error = &sentinel{http.StatusUnauthorized, apiv1.CodeUnauthorized}
	// ErrForbidden matches 403 forbidden: the key lacks a required scope.
	ErrForbidden error = &sentinel{http.StatusForbidden, apiv1.CodeForbidden}
	// ErrPreconditionFailed matches 412 precondition_failed: a stale If-Match.
	ErrPreconditionFailed error = &sentinel{http.StatusPreconditionFailed, apiv1.CodePreconditionFailed}
	// ErrRateLimited matches 429 rate_limited, returned once retries are used up.
	ErrRateLimited error = &sentinel{http.StatusTooManyRequests, apiv1.CodeRateLimited}
)

// UnconfirmedError is returned by a POST carrying an Idempotency-Key whose
// request reached the server at least once but whose answer never arrived
// (the connection broke, or a 5xx, on every attempt): the API may have
// carried it out. IdempotencyKey is the key every attempt carried;
// Client.IdempotentCreate finds with it the object a create made, also in a
// later run. Err is the last attempt's error, so errors.As still finds an
// *APIError for a 5xx.
type UnconfirmedError struct {
	IdempotencyKey string
	Err            error
}

func (e *UnconfirmedError) Error() string {
	return e.Err.Error() + " (the request reached the API, which may have carried it out)"
}

func (e *UnconfirmedError) Unwrap() error { return e.Err }
