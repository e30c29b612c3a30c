package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// findByPath reads with get the object named by the request's id path value.
// When there is none, the error is notFound's for that id.
func findByPath[T any](ctx context.Context, r *http.Request, get func(context.Context, string) (T, error), notFound func(id string) *apiError) (T, error) {
	id := r.PathValue("id")
	v, err := get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return v, notFound(id)
	}
	return v, err
}

// getByPath reads with get the object named by the request's id path value,
// outside a transaction. When that fails it answers the request itself (404
// with notFound's error when there is no such object, else 500) and returns
// false.
func getByPath[T any](s *Server, w http.ResponseWriter, r *http.Request, get func(context.Context, string) (T, error), notFound func(id string) *apiError) (T, bool) {
	id := r.PathValue("id")
	v, err := get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, r, notFound(id))
		return v, false
	}
	if err != nil {
		s.internalError(w, r, err)
		return v, false
	}
	return v, true
}

// recordChange calls apply and appends name to changed when differs.
func recordChange(changed *[]string, name string, differs bool, apply func()) {
	if differs {
		apply()
		*changed = append(*changed, name)
	}
}

// patchField sets *field to *value and appends name to changed when value is
// not nil and differs from *field.
func patchField[T comparable](changed *[]string, name string, value, field *T) {
	if value != nil {
		recordChange(changed, name, *value != *field, func() { *field = *value })
	}
}
