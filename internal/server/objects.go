package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// stored is what the paths every kind shares need of its stored objects of
// type T: how the store reads, inserts, updates and deletes one, and where an
// object keeps its id, its version and the time of its last change. Each
// kind's handler file defines one; the kind's own handlers say only what is
// particular to it.
type stored[T any] struct {
	objectType string // of its audit events and idempotent creates, such as "api_key"
	noun       string // in messages, such as "API key"

	read   func(*store.Store, context.Context, string) (T, error) // outside a transaction
	get    func(*store.Tx, context.Context, string) (T, error)
	insert func(*store.Tx, context.Context, *T) error
	update func(*store.Tx, context.Context, T) error
	delete func(*store.Tx, context.Context, string) error // nil for a kind that is revoked instead
	meta   func(*T) (id string, version *int64, updatedAt *time.Time)
}

// notFound is the error of a request naming an object that does not exist.
func (k stored[T]) notFound(id string) *apiError {
	return errNotFound("%s %s not found", k.noun, id)
}

// ref names obj in audit events and idempotent creates.
func (k stored[T]) ref(obj *T) objectRef {
	id, _, _ := k.meta(obj)
	return objectRef{k.objectType, id}
}

// version returns obj's version, its ETag.
func (k stored[T]) version(obj *T) int64 {
	_, version, _ := k.meta(obj)
	return *version
}

// find reads, in tx, the object named by the request's id path value; when
// there is none, the error is a 404 naming it.
func (k stored[T]) find(ctx context.Context, tx *store.Tx, r *http.Request) (T, error) {
	id := r.PathValue("id")
	obj, err := k.get(tx, ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return obj, k.notFound(id)
	}
	return obj, err
}

// load reads the object named by the request's path for a change: it must
// exist and match If-Match.
func (k stored[T]) load(ctx context.Context, tx *store.Tx, r *http.Request) (T, error) {
	obj, err := k.find(ctx, tx, r)
	if err != nil {
		return obj, err
	}
	return obj, checkIfMatch(r, k.version(&obj))
}

// readByPath reads the object named by the request's id path value, outside
// a transaction. When that fails it answers the request itself (404 when
// there is no such object, else 500) and returns false.
func (k stored[T]) readByPath(s *Server, w http.ResponseWriter, r *http.Request) (T, bool) {
	id := r.PathValue("id")
	obj, err := k.read(s.store, r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, r, k.notFound(id))
		return obj, false
	}
	if err != nil {
		s.internalError(w, r, err)
		return obj, false
	}
	return obj, true
}

// create inserts obj, a new object whose fields are set, and records its
// audit event naming the fields the request set. It returns the answer to
// the create, body being the object's view.
func (k stored[T]) create(s *Server, ctx context.Context, tx *store.Tx, r *http.Request, obj *T, fields []string, body func() any) (result, error) {
	if err := k.insert(tx, ctx, obj); err != nil {
		return result{}, err
	}
	ref := k.ref(obj)
	if err := s.audit(ctx, tx, r, ref, "create", fields); err != nil {
		return result{}, err
	}
	return result{status: http.StatusCreated, body: body(), version: k.version(obj), created: ref}, nil
}

// save writes a change to obj, one that request made at now (verb, such as
// "update" or "revoke") to the fields changed names, and records its audit
// event. The version moves on, so that an ETag taken before no longer
// matches. When changed is empty nothing is written.
func (k stored[T]) save(s *Server, ctx context.Context, tx *store.Tx, r *http.Request, obj *T, now time.Time, verb string, changed []string) error {
	if len(changed) == 0 {
		return nil
	}
	_, version, updatedAt := k.meta(obj)
	*version++
	*updatedAt = now
	if err := k.update(tx, ctx, *obj); err != nil {
		return err
	}
	return s.audit(ctx, tx, r, k.ref(obj), verb, changed)
}

// deleteHandler is the handler of a kind's DELETE: load reads the object for
// the change (it may refuse it); the object is deleted and the deletion
// audited.
func (k stored[T]) deleteHandler(s *Server, load func(context.Context, *store.Tx, *http.Request) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mutate(w, r, nil, func(ctx context.Context, tx *store.Tx) (result, error) {
			obj, err := load(ctx, tx, r)
			if err != nil {
				return result{}, err
			}
			ref := k.ref(&obj)
			if err := k.delete(tx, ctx, ref.id); err != nil {
				return result{}, err
			}
			if err := s.audit(ctx, tx, r, ref, "delete", nil); err != nil {
				return result{}, err
			}
			return result{status: http.StatusNoContent}, nil
		})
	}
}

// revokeHandler is the handler of the DELETE of a kind whose objects are
// revoked rather than deleted (keys and grants): load reads the object for
// the change (it may refuse it), revokedAt says where the object keeps the
// time of its revocation, and the revocation is saved and audited.
func (k stored[T]) revokeHandler(s *Server, load func(context.Context, *store.Tx, *http.Request) (T, error),
	revokedAt func(*T) **time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mutate(w, r, nil, func(ctx context.Context, tx *store.Tx) (result, error) {
			obj, err := load(ctx, tx, r)
			if err != nil {
				return result{}, err
			}
			now := s.clock.Now()
			*revokedAt(&obj) = &now
			if err := k.save(s, ctx, tx, r, &obj, now, "revoke", []string{"revoked_at", "status"}); err != nil {
				return result{}, err
			}
			return result{status: http.StatusNoContent, version: k.version(&obj)}, nil
		})
	}
}

// track appends name to changed, the names of the fields a request
// changes, when differs.
func track(changed *[]string, name string, differs bool) {
	if differs {
		*changed = append(*changed, name)
	}
}

// recordChange calls apply and appends name to changed when differs.
func recordChange(changed *[]string, name string, differs bool, apply func()) {
	if differs {
		apply()
	}
	track(changed, name, differs)
}

// patchField sets *field to *value and appends name to changed when value is
// not nil and differs from *field.
func patchField[T comparable](changed *[]string, name string, value, field *T) {
	if value != nil {
		recordChange(changed, name, *value != *field, func() { *field = *value })
	}
}
