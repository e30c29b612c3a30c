package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/secret"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// Audit vocabulary of API keys.
const (
	objectTypeAPIKey      = "api_key"
	secretSourceGenerated = "generated"
	secretSourceSupplied  = "supplied"
)

// storedKeys are the stored API keys, which are revoked rather than deleted.
var storedKeys = stored[store.APIKey]{
	objectType: objectTypeAPIKey, noun: "API key",
	read: (*store.Store).GetAPIKey, get: (*store.Tx).GetAPIKey,
	insert: (*store.Tx).InsertAPIKey, update: (*store.Tx).UpdateAPIKey,
	meta: func(k *store.APIKey) (string, *int64, *time.Time) { return k.ID, &k.Version, &k.UpdatedAt },
}

// apiKeys is the kind of API keys: revoked rather than deleted, and rotated
// in place.
func (s *Server) apiKeys() kind {
	return kind{collection: apiv1.CollectionAPIKeys, objectType: objectTypeAPIKey, read: apiv1.ScopeKeysRead, write: apiv1.ScopeKeysWrite,
		create: s.handleCreateAPIKey, list: s.handleListAPIKeys, update: s.handleUpdateAPIKey, remove: storedKeys.revokeHandler(s,
			func(ctx context.Context, tx *store.Tx, r *http.Request) (store.APIKey, error) {
				return s.loadKeyForChange(ctx, tx, r, callerFrom(r.Context()), "revoke")
			},
			func(k *store.APIKey) **time.Time { return &k.RevokedAt }),
		get: getHandler(s, storedKeys, plain(func(k store.APIKey) apiv1.APIKey { return keyToWire(k, s.clock.Now()) })),
		operations: []operation{
			{http.MethodPost, "rotate", apiv1.ScopeKeysWrite, s.handleRotateAPIKey},
			{http.MethodGet, "usage", apiv1.ScopeKeysRead, s.handleAPIKeyUsage},
		},
	}
}

func (s *Server) handleCreateAPIKey(w http.ResponseWriter, r *http.Request) {
	body, req, in, ok := readJSON[apiv1.CreateAPIKeyRequest](s, w, r)
	if !ok {
		return
	}
	now := s.clock.Now()
	spec, err := validateCreateKey(req, in, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	caller := callerFrom(r.Context())
	if err := checkGrantable(caller.Scopes, spec.scopes, "grant it to a new key"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		repeated, ok, err := repeatedKeyCreate(ctx, tx, caller.ID, hashRequest(r, body), spec.secret)
		if err != nil {
			return result{}, err
		}
		if ok {
			return result{status: http.StatusCreated, body: keyToWire(repeated, now), version: repeated.Version,
				created: storedKeys.ref(&repeated)}, nil
		}
		key, plaintext, err := newAPIKey(ctx, tx, spec, now)
		if err != nil {
			return result{}, err
		}
		return storedKeys.create(s, ctx, tx, r, &key, keyCreatedFields(spec), func() any {
			view := keyToWire(key, now)
			view.Secret = plaintext
			return view
		})
	})
}

// repeatedKeyCreate recognises a create with a supplied secret that repeats,
// with any Idempotency-Key, the very request (same hash) with which the
// caller created a key that is still live and still holds that secret: it
// returns that key, and ok, so that the create answers it instead of a
// conflict. A key with a supplied secret cannot be replaced with the same
// secret (a secret once used is never accepted again), so a client whose
// create's answer was lost gets its key this way in a later run. Knowing
// the key's secret is the proof: no one else can repeat the request.
func repeatedKeyCreate(ctx context.Context, tx *store.Tx, callerID string, requestHash []byte, supplied *string) (store.APIKey, bool, error) {
	if supplied == nil {
		return store.APIKey{}, false, nil
	}
	id, err := tx.CreatedByRequest(ctx, callerID, objectTypeAPIKey, requestHash)
	if errors.Is(err, store.ErrNotFound) {
		return store.APIKey{}, false, nil
	}
	if err != nil {
		return store.APIKey{}, false, err
	}
	key, err := tx.GetAPIKey(ctx, id)
	if err != nil {
		return store.APIKey{}, false, err
	}
	return key, secret.Equal(key.SecretHash, secret.Hash(*supplied)), nil
}

// newAPIKey builds a key from spec, to be inserted. It returns the secret
// when the server generated it, so that it can be shown once.
func newAPIKey(ctx context.Context, tx *store.Tx, spec newKeySpec, now time.Time) (store.APIKey, string, error) {
	if err := checkKeyNameFree(ctx, tx, spec.name, ""); err != nil {
		return store.APIKey{}, "", err
	}
	plaintext, source, err := chooseKeySecret(spec.secret)
	if err != nil {
		return store.APIKey{}, "", err
	}
	hash := secret.Hash(plaintext)
	if source == secretSourceSupplied { // a generated secret is 256 random bits, never seen before
		if err := checkKeySecretFree(ctx, tx, hash); err != nil {
			return store.APIKey{}, "", err
		}
	}
	key := store.APIKey{
		ID: newID("key"), Name: spec.name, Description: spec.description, Scopes: spec.scopes,
		RotationDays: spec.rotationDays, RotationGracePeriod: spec.rotationGracePeriod, ExpiresAt: spec.expiresAt,
		SecretHash: hash, SecretSource: source, CreatedAt: now, UpdatedAt: now, RotatedAt: now, Version: 1,
	}
	if source == secretSourceSupplied {
		plaintext = ""
	}
	return key, plaintext, nil
}

// chooseKeySecret returns the supplied secret, or a generated one.
func chooseKeySecret(supplied *string) (plaintext, source string, err error) {
	if supplied != nil {
		return *supplied, secretSourceSupplied, nil
	}
	generated, err := secret.Generate()
	if err != nil {
		return "", "", err
	}
	return generated, secretSourceGenerated, nil
}

func checkKeyNameFree(ctx context.Context, tx *store.Tx, name, exceptID string) error {
	taken, err := tx.NameInUse(ctx, name, exceptID)
	if err != nil {
		return err
	}
	if taken {
		return errConflict("an API key named %q already exists; names are unique among keys that are not revoked", name)
	}
	return nil
}

func checkKeySecretFree(ctx context.Context, tx *store.Tx, hash []byte) error {
	taken, err := tx.SecretInUse(ctx, hash)
	if err != nil {
		return err
	}
	if taken {
		return errConflict("the supplied secret is already in use; supply a different secret")
	}
	return nil
}

func keyCreatedFields(spec newKeySpec) []string {
	fields := []string{"name", "scopes", "rotation_days", "rotation_grace_period", "secret"}
	if spec.description != "" {
		fields = append(fields, "description")
	}
	if spec.expiresAt != nil {
		fields = append(fields, "expires_at")
	}
	slices.Sort(fields)
	return fields
}

func (s *Server) handleListAPIKeys(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f fieldErrors
	filter := store.APIKeyFilter{Name: q.Get("name"), NamePrefix: q.Get("name_prefix"), Scope: q.Get("scope"),
		Status: q.Get("status"), Now: s.clock.Now()}
	filter.Limit, filter.BeforeSeq = f.parsePage(q)
	if filter.Scope != "" {
		f.checkOneOf("scope", filter.Scope, apiv1.Scopes)
	}
	if filter.Status != "" {
		f.checkOneOf("status", filter.Status, apiv1.KeyStatuses)
	}
	filter.IDs = f.parseIDs(q)
	writeList(s, w, r, f, filter.Limit, func(limit int) ([]store.APIKey, error) {
		filter.Limit = limit
		return s.store.ListAPIKeys(r.Context(), filter)
	}, func(k store.APIKey) int64 { return k.Seq }, plain(func(k store.APIKey) apiv1.APIKey { return keyToWire(k, filter.Now) }))
}

func (s *Server) handleUpdateAPIKey(w http.ResponseWriter, r *http.Request) {
	body, req, in, ok := readJSON[apiv1.UpdateAPIKeyRequest](s, w, r)
	if !ok {
		return
	}
	now := s.clock.Now()
	patch, err := validateUpdateKey(req, in, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	caller := callerFrom(r.Context())
	if err := checkGrantable(caller.Scopes, patch.scopes, "grant it to a key"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		key, err := s.loadKeyForChange(ctx, tx, r, caller, "update")
		if err != nil {
			return result{}, err
		}
		changed := applyKeyPatch(&key, patch)
		if slices.Contains(changed, "name") {
			if err := checkKeyNameFree(ctx, tx, key.Name, key.ID); err != nil {
				return result{}, err
			}
		}
		if err := storedKeys.save(s, ctx, tx, r, &key, now, "update", changed); err != nil {
			return result{}, err
		}
		return result{status: http.StatusOK, body: keyToWire(key, now), version: key.Version}, nil
	})
}

// applyKeyPatch changes key as patch says and returns the names of the fields
// whose value changed, sorted.
func applyKeyPatch(key *store.APIKey, p keyPatch) []string {
	var changed []string
	patchField(&changed, "name", p.name, &key.Name)
	patchField(&changed, "description", p.description, &key.Description)
	if p.scopes != nil {
		recordChange(&changed, "scopes", !slices.Equal(p.scopes, key.Scopes), func() { key.Scopes = p.scopes })
	}
	patchField(&changed, "rotation_days", p.rotationDays, &key.RotationDays)
	patchField(&changed, "rotation_grace_period", p.rotationGracePeriod, &key.RotationGracePeriod)
	if p.expiresAt != nil {
		recordChange(&changed, "expires_at", key.ExpiresAt == nil || !key.ExpiresAt.Equal(*p.expiresAt), func() { key.ExpiresAt = p.expiresAt })
	}
	if p.clearExpiry {
		recordChange(&changed, "expires_at", key.ExpiresAt != nil, func() { key.ExpiresAt = nil })
	}
	slices.Sort(changed)
	return changed
}

func (s *Server) handleRotateAPIKey(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req apiv1.RotateAPIKeyRequest
	if len(strings.TrimSpace(string(body))) > 0 {
		if _, err := decodeJSON(body, &req); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	var f fieldErrors
	if req.Secret != nil {
		f.checkSecret(*req.Secret)
	}
	var grace *time.Duration
	if req.GracePeriod != nil {
		d := f.parseGracePeriod("grace_period", *req.GracePeriod)
		grace = &d
	}
	if err := f.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	caller := callerFrom(r.Context())
	s.mutate(w, r, body, func(ctx context.Context, tx *store.Tx) (result, error) {
		key, err := s.loadKeyForChange(ctx, tx, r, caller, "rotate")
		if err != nil {
			return result{}, err
		}
		plaintext, source, err := chooseKeySecret(req.Secret)
		if err != nil {
			return result{}, err
		}
		hash := secret.Hash(plaintext)
		if err := checkKeySecretFree(ctx, tx, hash); err != nil {
			return result{}, err
		}
		now := s.clock.Now()
		period := key.RotationGracePeriod
		if grace != nil { // this rotation's own grace period
			period = *grace
		}
		graceEnds := now.Add(period)
		key.PreviousSecretHash, key.PreviousSecretExpiresAt = key.SecretHash, &graceEnds
		key.SecretHash, key.SecretSource, key.RotatedAt = hash, source, now
		fields := []string{"next_rotation_at", "previous_secret_expires_at", "rotated_at", "secret", "secret_fingerprint", "secret_source"}
		if err := storedKeys.save(s, ctx, tx, r, &key, now, "rotate", fields); err != nil {
			return result{}, err
		}
		view := keyToWire(key, now)
		if source == secretSourceGenerated {
			view.Secret = plaintext
		}
		return result{status: http.StatusOK, body: view, version: key.Version}, nil
	})
}

// loadKeyForChange reads the key named by the path for a change: it must exist,
// not be revoked, match If-Match, and hold no scope the caller lacks (so that
// no key can take over a more powerful one).
func (s *Server) loadKeyForChange(ctx context.Context, tx *store.Tx, r *http.Request, caller *store.APIKey, verb string) (store.APIKey, error) {
	key, err := storedKeys.find(ctx, tx, r)
	if err != nil {
		return store.APIKey{}, err
	}
	id := key.ID
	if key.RevokedAt != nil {
		if verb == "revoke" {
			return store.APIKey{}, errNotFound("API key %s is already revoked", id)
		}
		return store.APIKey{}, errConflict("API key %s is revoked and cannot be changed", id)
	}
	if err := checkIfMatch(r, key.Version); err != nil {
		return store.APIKey{}, err
	}
	if err := checkGrantable(caller.Scopes, key.Scopes, verb+" a key that holds it"); err != nil {
		return store.APIKey{}, err
	}
	return key, nil
}

// keyToWire converts a stored key into its API representation at now.
func keyToWire(k store.APIKey, now time.Time) apiv1.APIKey {
	scopes := k.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	scopeLastUsed := k.ScopeLastUsedAt
	if scopeLastUsed == nil {
		scopeLastUsed = map[string]time.Time{}
	}
	return apiv1.APIKey{
		ID: k.ID, Name: k.Name, Description: k.Description, Scopes: scopes,
		RotationDays: k.RotationDays, RotationGracePeriod: k.RotationGracePeriod.String(),
		ExpiresAt: k.ExpiresAt, Status: k.Status(now),
		SecretFingerprint: apiv1.FingerprintHash(k.SecretHash), SecretSource: k.SecretSource,
		CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt, RotatedAt: k.RotatedAt,
		NextRotationAt:          k.NextRotationAt(),
		PreviousSecretExpiresAt: k.PreviousSecretExpiresAt,
		LastUsedAt:              k.LastUsedAt, ScopeLastUsedAt: scopeLastUsed, RevokedAt: k.RevokedAt, Version: k.Version,
	}
}

// handleAPIKeyUsage answers GET /v1/api-keys/{id}/usage: the key's requests
// per route over the window (query parameter window, a Go duration from 1h
// to apiv1.UsageRetention; apiv1.DefaultUsageWindow when absent), counted in
// whole hours from the start of the hour the window reaches into. Usage
// tells what a key does, so it is guarded like the key: keys:read, and 404
// for an unknown key.
func (s *Server) handleAPIKeyUsage(w http.ResponseWriter, r *http.Request) {
	var f fieldErrors
	window := f.parseUsageWindow(r.URL.Query())
	if err := f.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	key, ok := storedKeys.readByPath(s, w, r)
	if !ok {
		return
	}
	now := s.clock.Now()
	since := now.Add(-window).UTC().Truncate(time.Hour)
	routes, err := s.store.APIKeyRouteUsage(r.Context(), key.ID, since)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	usage := apiv1.APIKeyUsage{KeyID: key.ID, Window: window.String(), Since: since, Until: now.UTC(),
		Routes: make([]apiv1.RouteUsage, len(routes))}
	for i, u := range routes {
		usage.Routes[i] = apiv1.RouteUsage{Route: u.Route, Requests: u.Requests, Errors: u.Errors}
		usage.Requests += u.Requests
		usage.Errors += u.Errors
	}
	writeJSON(w, http.StatusOK, usage)
}

// parseUsageWindow reads a usage request's window: a Go duration from
// apiv1.MinUsageWindow to apiv1.UsageRetention, apiv1.DefaultUsageWindow
// when absent.
func (f *fieldErrors) parseUsageWindow(q url.Values) time.Duration {
	raw := q.Get("window")
	if raw == "" {
		return apiv1.DefaultUsageWindow
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d < apiv1.MinUsageWindow || d > apiv1.UsageRetention {
		f.add("window", "must be a duration from %s to %s, such as \"24h\", got %q",
			shortHours(apiv1.MinUsageWindow), shortHours(apiv1.UsageRetention), raw)
	}
	return d
}

// shortHours writes d, a whole number of hours, as "2160h".
func shortHours(d time.Duration) string { return strconv.FormatInt(int64(d/time.Hour), 10) + "h" }
