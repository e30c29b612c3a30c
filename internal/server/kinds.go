package server

import (
	"context"
	"net/http"
)

// kind is one collection of the API (api-keys, notification-channels, ...):
// objects with an id that are created, listed, read, changed and deleted or
// revoked through five routes behind the kind's read and write scopes, plus
// the routes of the kind's own operations. Each kind's handler file defines
// its kind; routeKind derives every route from it, including the lookup of
// the kind's idempotent creates, and routes lists the kinds.
type kind struct {
	collection  string // the path segment, apiv1.Collection*
	objectType  string // the object type of its audit events and idempotent creates, such as "api_key"
	read, write string // the scopes its read and write routes require

	create, list, get, update, remove http.HandlerFunc
	// operations are the kind's other routes, below an object.
	operations []operation
}

// operation is a route of a kind beyond the five every kind has, such as
// "POST /v1/api-keys/{id}/rotate": method, the path below the object
// ("rotate"), the scope it requires and its handler.
type operation struct {
	method, path, scope string
	handle              http.HandlerFunc
}

// routeKind registers the routes of k on mux.
func (s *Server) routeKind(mux *http.ServeMux, k kind) {
	collection := "/v1/" + k.collection
	object := collection + "/{id}"
	mux.Handle("POST "+collection, s.authenticated(k.write, k.create))
	mux.Handle("GET "+collection, s.authenticated(k.read, k.list))
	mux.Handle("GET "+object, s.authenticated(k.read, k.get))
	mux.Handle("PATCH "+object, s.authenticated(k.write, k.update))
	mux.Handle("DELETE "+object, s.authenticated(k.write, k.remove))
	for _, op := range k.operations {
		mux.Handle(op.method+" "+object+"/"+op.path, s.authenticated(op.scope, op.handle))
	}
	mux.Handle("GET /v1/idempotent-creates/"+k.collection+"/{key}", s.authenticated(k.read, s.handleGetIdempotentCreate(k.objectType)))
}

// getHandler is the handler of a kind's GET of one object: it reads the
// object named by the path (404 when there is none) and answers its view with
// its version as the ETag.
func getHandler[S, T any](s *Server, k stored[S], view func(context.Context, S) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		obj, ok := k.readByPath(s, w, r)
		if !ok {
			return
		}
		body, err := view(r.Context(), obj)
		if err != nil {
			s.internalError(w, r, err)
			return
		}
		w.Header().Set("ETag", etag(k.version(&obj)))
		writeJSON(w, http.StatusOK, body)
	}
}
