package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// APIKey is an API key as stored. Only hashes of its secrets are kept.
type APIKey struct {
	Seq                     int64
	ID                      string
	Name                    string
	Description             string
	Scopes                  []string
	RotationDays            int64
	RotationGracePeriod     time.Duration
	ExpiresAt               *time.Time
	SecretHash              []byte
	SecretSource            string
	PreviousSecretHash      []byte
	PreviousSecretExpiresAt *time.Time
	CreatedAt               time.Time
	UpdatedAt               time.Time
	RotatedAt               time.Time
	LastUsedAt              *time.Time
	ScopeLastUsedAt         map[string]time.Time // scope: the last request that needed it
	RevokedAt               *time.Time
	Version                 int64
}

// Status reports whether the key is active, revoked or expired at now.
func (k APIKey) Status(now time.Time) string {
	switch {
	case k.RevokedAt != nil:
		return apiv1.KeyStatusRevoked
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		return apiv1.KeyStatusExpired
	default:
		return apiv1.KeyStatusActive
	}
}

// NextRotationAt is when the key is due for rotation (apiv1.NextRotationAt).
func (k APIKey) NextRotationAt() time.Time { return apiv1.NextRotationAt(k.RotatedAt, k.RotationDays) }

// APIKeyFilter selects API keys for ListAPIKeys. Zero fields do not filter.
type APIKeyFilter struct {
	IDs        []string
	Name       string
	NamePrefix string // names that start with it
	Scope      string // keys whose scopes list it
	Status     string
	Now        time.Time // the time against which Status is judged
	BeforeSeq  int64     // return keys with Seq < BeforeSeq (the cursor)
	Limit      int       // 0 = no limit
}

const apiKeyColumns = `seq, id, name, description, scopes, rotation_days, rotation_grace_ns, expires_at,
	secret_hash, secret_source, previous_secret_hash, previous_secret_expires_at,
	created_at, updated_at, rotated_at, last_used_at, scope_last_used_at, revoked_at, version`

// GetAPIKey returns the key with the given id, or ErrNotFound.
func (s *Store) GetAPIKey(ctx context.Context, id string) (APIKey, error) {
	return getAPIKey(ctx, s.db, id)
}

// GetAPIKey returns the key with the given id, or ErrNotFound.
func (tx *Tx) GetAPIKey(ctx context.Context, id string) (APIKey, error) {
	return getAPIKey(ctx, tx.tx, id)
}

func getAPIKey(ctx context.Context, q querier, id string) (APIKey, error) {
	return queryOne(ctx, q, "reading API key "+id, scanAPIKey, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id)
}

// FindAPIKeyBySecretHash returns the key whose current or previous secret has
// the given hash, or ErrNotFound. The caller decides whether a previous
// secret is still within its grace period.
func (s *Store) FindAPIKeyBySecretHash(ctx context.Context, hash []byte) (APIKey, error) {
	return queryOne(ctx, s.db, "looking up API key by secret hash", scanAPIKey, `SELECT `+apiKeyColumns+` FROM api_keys
		WHERE secret_hash = ? OR previous_secret_hash = ? LIMIT 1`, hash, hash)
}

// ListAPIKeys returns up to filter.Limit keys, newest first.
func (s *Store) ListAPIKeys(ctx context.Context, f APIKeyFilter) ([]APIKey, error) {
	l := newListQuery(`SELECT `+apiKeyColumns+` FROM api_keys`, "seq", f.BeforeSeq)
	l.addIDs("id", f.IDs)
	if f.Name != "" {
		l.add("name = ?", f.Name)
	}
	if f.NamePrefix != "" {
		l.add("instr(name, ?) = 1", f.NamePrefix)
	}
	if f.Scope != "" {
		l.add("EXISTS (SELECT 1 FROM json_each(api_keys.scopes) WHERE json_each.value = ?)", f.Scope)
	}
	now := toNanos(f.Now)
	switch f.Status {
	case apiv1.KeyStatusRevoked:
		l.add("revoked_at IS NOT NULL")
	case apiv1.KeyStatusExpired:
		l.add("revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?", now)
	case apiv1.KeyStatusActive:
		l.add("revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", now)
	}
	query, args := l.build(f.Limit)
	return queryAll(ctx, s.db, "listing API keys", scanAPIKey, query, args...)
}

// KeyUse is what requests made with one key needed: scope, when a request
// last needed it.
type KeyUse struct {
	KeyID  string
	Scopes map[string]time.Time
}

// RouteUse counts the requests of one key to one route in one hour (Hour is
// its start).
type RouteUse struct {
	KeyID, Route     string
	Hour             time.Time
	Requests, Errors int64
}

// RecordUsage writes, in one transaction, a batch of what requests needed
// and how many were made: each key's scope_last_used_at and last_used_at
// move forward to the batch's times (never back), and each route's hourly
// counts grow by the batch's. Servers sharing the database add up: the
// counts by an upsert, the times by a compare-and-swap of the key's row.
// A use is not a change of the key: neither version nor updated_at move.
func (s *Store) RecordUsage(ctx context.Context, keys []KeyUse, routes []RouteUse) error {
	return s.InTx(ctx, func(tx *Tx) error {
		for _, u := range keys {
			if err := tx.recordKeyUse(ctx, u); err != nil {
				return err
			}
		}
		for _, u := range routes {
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO api_key_usage (key_id, route, hour_start, requests, errors)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_id, route, hour_start) DO UPDATE SET
				requests = api_key_usage.requests + excluded.requests, errors = api_key_usage.errors + excluded.errors`,
				u.KeyID, u.Route, toNanos(u.Hour), u.Requests, u.Errors); err != nil {
				return fmt.Errorf("counting requests of API key %s: %w", u.KeyID, err)
			}
		}
		return nil
	})
}

// recordKeyUse merges u into its key's row. The update only takes when the
// stored map is still the one read (another server may have merged its own
// uses meanwhile); then it reads again, a few times at most.
func (tx *Tx) recordKeyUse(ctx context.Context, u KeyUse) error {
	for range 3 {
		var (
			lastUsed sql.NullInt64
			raw      string
		)
		err := tx.tx.QueryRowContext(ctx, `SELECT last_used_at, scope_last_used_at FROM api_keys WHERE id = ?`, u.KeyID).Scan(&lastUsed, &raw)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // not a key of this database (restored from a backup without it)
		}
		if err != nil {
			return fmt.Errorf("recording use of API key %s: %w", u.KeyID, err)
		}
		scopes, err := decodeScopeTimes(raw)
		if err != nil {
			return err
		}
		last := timeFromNullable(lastUsed)
		for scope, at := range u.Scopes {
			if prev, ok := scopes[scope]; !ok || at.After(prev) {
				scopes[scope] = at
			}
			if last == nil || at.After(*last) {
				last = &at
			}
		}
		merged, err := encodeScopeTimes(scopes)
		if err != nil {
			return err
		}
		res, err := tx.tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = ?, scope_last_used_at = ?
			WHERE id = ? AND scope_last_used_at = ?`, nullableNanos(last), merged, u.KeyID, raw)
		if err != nil {
			return fmt.Errorf("recording use of API key %s: %w", u.KeyID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
	}
	return fmt.Errorf("recording use of API key %s: its row kept changing", u.KeyID)
}

// APIKeyRouteUsage returns the requests of a key per route (sorted) in the
// hours that start at or after since.
func (s *Store) APIKeyRouteUsage(ctx context.Context, keyID string, since time.Time) ([]RouteUse, error) {
	return queryAll(ctx, s.db, "reading usage of API key "+keyID, func(row scanner) (RouteUse, error) {
		u := RouteUse{KeyID: keyID}
		return u, row.Scan(&u.Route, &u.Requests, &u.Errors)
	}, `SELECT route, SUM(requests), SUM(errors) FROM api_key_usage WHERE key_id = ? AND hour_start >= ?
		GROUP BY route ORDER BY route`, keyID, toNanos(since))
}

// PruneUsage deletes the request counts of the hours that start before
// cutoff.
func (s *Store) PruneUsage(ctx context.Context, cutoff time.Time) error {
	if _, err := s.exec(ctx, `DELETE FROM api_key_usage WHERE hour_start < ?`, toNanos(cutoff)); err != nil {
		return fmt.Errorf("pruning API key usage: %w", err)
	}
	return nil
}

// HasActiveAdminKey reports whether some key holding the admin scope is
// neither revoked nor expired at now.
func (tx *Tx) HasActiveAdminKey(ctx context.Context, now time.Time) (bool, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT scopes FROM api_keys
		WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`, toNanos(now))
	if err != nil {
		return false, fmt.Errorf("looking for an admin key: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return false, fmt.Errorf("looking for an admin key: %w", err)
		}
		scopes, err := decodeScopes(raw)
		if err != nil {
			return false, err
		}
		if slices.Contains(scopes, apiv1.ScopeAdmin) {
			return true, nil
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("looking for an admin key: %w", err)
	}
	return false, nil
}

// NameInUse reports whether a non-revoked key other than exceptID has name.
func (tx *Tx) NameInUse(ctx context.Context, name, exceptID string) (bool, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys
		WHERE name = ? AND revoked_at IS NULL AND id <> ?`, name, exceptID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("checking API key name: %w", err)
	}
	return n > 0, nil
}

// SecretInUse reports whether any key's current or previous secret has hash.
func (tx *Tx) SecretInUse(ctx context.Context, hash []byte) (bool, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys
		WHERE secret_hash = ? OR previous_secret_hash = ?`, hash, hash).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("checking API key secret: %w", err)
	}
	return n > 0, nil
}

// InsertAPIKey stores a new key and sets k.Seq.
func (tx *Tx) InsertAPIKey(ctx context.Context, k *APIKey) error {
	scopes, err := json.Marshal(k.Scopes)
	if err != nil {
		return fmt.Errorf("encoding scopes: %w", err)
	}
	seq, err := tx.insert(ctx, `INSERT INTO api_keys (
		id, name, description, scopes, rotation_days, rotation_grace_ns, expires_at,
		secret_hash, secret_source, previous_secret_hash, previous_secret_expires_at,
		created_at, updated_at, rotated_at, last_used_at, revoked_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Name, k.Description, string(scopes), k.RotationDays, int64(k.RotationGracePeriod), nullableNanos(k.ExpiresAt),
		k.SecretHash, k.SecretSource, k.PreviousSecretHash, nullableNanos(k.PreviousSecretExpiresAt),
		toNanos(k.CreatedAt), toNanos(k.UpdatedAt), toNanos(k.RotatedAt), nullableNanos(k.LastUsedAt), nullableNanos(k.RevokedAt), k.Version)
	if err != nil {
		return fmt.Errorf("inserting API key %s: %w", k.ID, err)
	}
	k.Seq = seq
	return nil
}

// UpdateAPIKey writes every mutable field of k, identified by k.ID.
func (tx *Tx) UpdateAPIKey(ctx context.Context, k APIKey) error {
	scopes, err := json.Marshal(k.Scopes)
	if err != nil {
		return fmt.Errorf("encoding scopes: %w", err)
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE api_keys SET
		name = ?, description = ?, scopes = ?, rotation_days = ?, rotation_grace_ns = ?, expires_at = ?,
		secret_hash = ?, secret_source = ?, previous_secret_hash = ?, previous_secret_expires_at = ?,
		updated_at = ?, rotated_at = ?, revoked_at = ?, version = ?
		WHERE id = ?`,
		k.Name, k.Description, string(scopes), k.RotationDays, int64(k.RotationGracePeriod), nullableNanos(k.ExpiresAt),
		k.SecretHash, k.SecretSource, k.PreviousSecretHash, nullableNanos(k.PreviousSecretExpiresAt),
		toNanos(k.UpdatedAt), toNanos(k.RotatedAt), nullableNanos(k.RevokedAt), k.Version, k.ID)
	return checkOneRow(res, err, "updating API key "+k.ID)
}

func scanAPIKey(row scanner) (APIKey, error) {
	var (
		k                                                   APIKey
		scopes                                              string
		graceNanos, createdAt, updatedAt, rotatedAt         int64
		expiresAt, previousExpiresAt, lastUsedAt, revokedAt sql.NullInt64
		scopeTimes                                          string
	)
	err := row.Scan(&k.Seq, &k.ID, &k.Name, &k.Description, &scopes, &k.RotationDays, &graceNanos, &expiresAt,
		&k.SecretHash, &k.SecretSource, &k.PreviousSecretHash, &previousExpiresAt,
		&createdAt, &updatedAt, &rotatedAt, &lastUsedAt, &scopeTimes, &revokedAt, &k.Version)
	if err != nil {
		return APIKey{}, err
	}
	if k.Scopes, err = decodeScopes(scopes); err != nil {
		return APIKey{}, err
	}
	if k.ScopeLastUsedAt, err = decodeScopeTimes(scopeTimes); err != nil {
		return APIKey{}, err
	}
	k.RotationGracePeriod = time.Duration(graceNanos)
	k.ExpiresAt = timeFromNullable(expiresAt)
	k.PreviousSecretExpiresAt = timeFromNullable(previousExpiresAt)
	k.CreatedAt = fromNanos(createdAt)
	k.UpdatedAt = fromNanos(updatedAt)
	k.RotatedAt = fromNanos(rotatedAt)
	k.LastUsedAt = timeFromNullable(lastUsedAt)
	k.RevokedAt = timeFromNullable(revokedAt)
	return k, nil
}

// decodeScopeTimes reads a stored scope_last_used_at (scope: Unix
// nanoseconds); it never returns a nil map.
func decodeScopeTimes(raw string) (map[string]time.Time, error) {
	var nanos map[string]int64
	if err := json.Unmarshal([]byte(raw), &nanos); err != nil {
		return nil, fmt.Errorf("decoding stored scope_last_used_at: %w", err)
	}
	times := make(map[string]time.Time, len(nanos))
	for scope, n := range nanos {
		times[scope] = fromNanos(n)
	}
	return times, nil
}

// encodeScopeTimes is the inverse of decodeScopeTimes. Its text is the same
// for the same map (encoding/json sorts keys), as the compare-and-swap of
// recordKeyUse needs.
func encodeScopeTimes(times map[string]time.Time) (string, error) {
	nanos := make(map[string]int64, len(times))
	for scope, t := range times {
		nanos[scope] = toNanos(t)
	}
	b, err := json.Marshal(nanos)
	if err != nil {
		return "", fmt.Errorf("encoding scope_last_used_at: %w", err)
	}
	return string(b), nil
}

func decodeScopes(raw string) ([]string, error) {
	var scopes []string
	if err := json.Unmarshal([]byte(raw), &scopes); err != nil {
		return nil, fmt.Errorf("decoding stored scopes: %w", err)
	}
	return scopes, nil
}
