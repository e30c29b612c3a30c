package server

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// idempotencyRetention is how long a recorded POST response is replayed.
const idempotencyRetention = 24 * time.Hour

// maxIdempotencyKeyLength bounds the Idempotency-Key header.
const maxIdempotencyKeyLength = 255

// result is the response to a successful mutation.
type result struct {
	status  int
	body    any   // nil for 204
	version int64 // sent as the ETag when non-zero
	// created names the object a create made, so that a POST with an
	// Idempotency-Key can be looked up later (GET /v1/idempotent-creates).
	created objectRef
}

// objectRef names an object by its type (as in audit events) and id.
type objectRef struct {
	typ, id string
}

// change performs a mutation and its audit event inside tx.
type change func(ctx context.Context, tx *store.Tx) (result, error)

// mutate runs fn in one transaction together with, for a POST carrying an
// Idempotency-Key, the lookup and recording of the idempotent response. A
// retry of the same request gets the recorded response replayed; the same
// key with a different request is a 422 naming the header.
func (s *Server) mutate(w http.ResponseWriter, r *http.Request, body []byte, fn change) {
	key, keyErr := idempotencyKey(r)
	if keyErr != nil {
		writeError(w, r, keyErr)
		return
	}
	caller := callerFrom(r.Context())
	requestHash := hashRequest(r, body)
	now := s.clock.Now()

	var res result
	var encoded []byte
	var replayed bool
	err := s.store.InTx(r.Context(), func(tx *store.Tx) error {
		if id := r.PathValue("id"); id != "" {
			if err := tx.LockObject(r.Context(), id); err != nil { // changes of one object follow one another on every server
				return err
			}
		}
		if key != "" {
			rec, err := tx.GetIdempotencyRecord(r.Context(), caller.ID, key, now.Add(-idempotencyRetention))
			switch {
			case err == nil:
				return s.replay(rec, requestHash, &res, &encoded, &replayed)
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		var err error
		if res, err = fn(r.Context(), tx); err != nil {
			return err
		}
		if res.body != nil {
			if encoded, err = json.Marshal(res.body); err != nil {
				return fmt.Errorf("encoding response: %w", err)
			}
		}
		if key == "" {
			return nil
		}
		if res.created != (objectRef{}) {
			if err := tx.PutIdempotentCreate(r.Context(), store.IdempotentCreate{ActorKeyID: caller.ID, Key: key,
				ObjectType: res.created.typ, ObjectID: res.created.id, RequestHash: requestHash, CreatedAt: now}); err != nil {
				return err
			}
		}
		return s.record(r.Context(), tx, caller.ID, key, requestHash, res, encoded, now)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	if res.version != 0 {
		w.Header().Set("ETag", etag(res.version))
	}
	if encoded == nil {
		w.WriteHeader(res.status)
		return
	}
	writeJSONBytes(w, res.status, encoded)
}

func (s *Server) replay(rec store.IdempotencyRecord, requestHash []byte, res *result, encoded *[]byte, replayed *bool) error {
	if string(rec.RequestHash) != string(requestHash) {
		return errValidation([]apiv1.FieldError{{Path: apiv1.HeaderIdempotencyKey,
			Message: "was already used for a different request; use a new key for a new request"}})
	}
	body, err := s.sealer.Open(rec.SealedBody)
	if err != nil {
		return fmt.Errorf("opening idempotency record: %w", err)
	}
	res.status = rec.Status
	if v, err := strconv.ParseInt(strings.Trim(rec.ETag, `"`), 10, 64); err == nil {
		res.version = v
	}
	if len(body) > 0 {
		*encoded = body
	}
	*replayed = true
	return nil
}

func (s *Server) record(ctx context.Context, tx *store.Tx, actorID, key string, requestHash []byte, res result, encoded []byte, now time.Time) error {
	sealed, err := s.sealer.Seal(encoded)
	if err != nil {
		return fmt.Errorf("sealing idempotency record: %w", err)
	}
	var tag string
	if res.version != 0 {
		tag = etag(res.version)
	}
	return tx.PutIdempotencyRecord(ctx, store.IdempotencyRecord{
		ActorKeyID: actorID, Key: key, RequestHash: requestHash, Status: res.status,
		ETag: tag, SealedBody: sealed, CreatedAt: now,
	})
}

// idempotencyCleanupInterval is how often the leader deletes the
// idempotency records past idempotencyRetention.
const idempotencyCleanupInterval = 10 * time.Minute

// deleteExpiredIdempotencyRecords is the leader's periodic job that deletes
// the recorded responses no retry may replay any more.
func (s *Server) deleteExpiredIdempotencyRecords(ctx context.Context) error {
	return s.store.DeleteExpiredIdempotencyRecords(ctx, s.clock.Now().Add(-idempotencyRetention))
}

// handleGetIdempotentCreate answers GET
// /v1/idempotent-creates/{collection}/{key}, collection being the one of
// objectType: which object the caller's POST with that Idempotency-Key
// created; 404 when it created none that still exists. Only the caller's own
// creates are found, and the route requires the collection's read scope, so
// the answer tells nothing the caller could not read already.
func (s *Server) handleGetIdempotentCreate(objectType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.store.GetIdempotentCreate(r.Context(), callerFrom(r.Context()).ID, objectType, r.PathValue("key"))
		switch {
		case errors.Is(err, store.ErrNotFound):
			writeError(w, r, errNotFound("this API key created no %s with that Idempotency-Key that still exists", objectType))
		case err != nil:
			s.internalError(w, r, err)
		default:
			writeJSON(w, http.StatusOK, apiv1.IdempotentCreate{ObjectType: c.ObjectType, ObjectID: c.ObjectID, CreatedAt: c.CreatedAt})
		}
	}
}

// idempotencyKey returns the request's Idempotency-Key, honoured on POST only.
func idempotencyKey(r *http.Request) (string, *apiError) {
	key := r.Header.Get(apiv1.HeaderIdempotencyKey)
	if key == "" || r.Method != http.MethodPost {
		return "", nil
	}
	if len(key) > maxIdempotencyKeyLength || strings.IndexFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) >= 0 {
		return "", errValidation([]apiv1.FieldError{{Path: apiv1.HeaderIdempotencyKey,
			Message: fmt.Sprintf("must be 1 to %d visible ASCII characters", maxIdempotencyKeyLength)}})
	}
	return key, nil
}

// hashRequest identifies a request by method, path and body.
func hashRequest(r *http.Request, body []byte) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.Path)
	h.Write(body)
	return h.Sum(nil)
}

// etag formats a version as a strong entity tag.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// checkIfMatch returns a 412 error when the request's If-Match header names
// neither "*" nor the object's current version.
func checkIfMatch(r *http.Request, version int64) error {
	header := r.Header.Get("If-Match")
	if header == "" {
		return nil
	}
	current := etag(version)
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == current {
			return nil
		}
	}
	return errPreconditionFailed("If-Match %s does not match the current version %s; read the object again and retry", header, current)
}
