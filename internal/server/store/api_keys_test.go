package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestRecordUsageMergesTimesAndAddsCounts proves the SQL of key usage: a
// batch moves last_used_at and each scope's time forward and never back, a
// later batch (from another server sharing the database) adds its counts
// to the same hour's, and a key's own fields are left alone.
func TestRecordUsageMergesTimesAndAddsCounts(t *testing.T) {
	eachEngine(t, testRecordUsageMergesTimesAndAddsCounts)
}

func testRecordUsageMergesTimesAndAddsCounts(t *testing.T, s *Store) {
	ctx := context.Background()
	key := &APIKey{ID: "key_u", Name: "u", Scopes: []string{"keys:read"}, RotationDays: 90, SecretHash: []byte("hash-u"),
		SecretSource: "generated", CreatedAt: t0, UpdatedAt: t0, RotatedAt: t0, Version: 1}
	inTx(t, s, func(tx *Tx) error { return tx.InsertAPIKey(ctx, key) })
	if k, err := s.GetAPIKey(ctx, "key_u"); err != nil || k.LastUsedAt != nil || len(k.ScopeLastUsedAt) != 0 || k.ScopeLastUsedAt == nil {
		t.Fatalf("a new key = %+v, %v; want no use and an empty scope_last_used_at", k, err)
	}
	hour := t0.Truncate(time.Hour)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	first := []KeyUse{{KeyID: "key_u", Scopes: map[string]time.Time{"keys:read": at(5), "keys:write": at(3)}}}
	routes := []RouteUse{{KeyID: "key_u", Route: "GET /v1/api-keys", Hour: hour, Requests: 3, Errors: 1}}
	if err := s.RecordUsage(ctx, first, routes); err != nil {
		t.Fatal(err)
	}
	// An older use of keys:read and a newer one of keys:write, from another
	// server; and a use by a key this database does not hold.
	second := []KeyUse{{KeyID: "key_u", Scopes: map[string]time.Time{"keys:read": at(1), "keys:write": at(9)}},
		{KeyID: "key_elsewhere", Scopes: map[string]time.Time{"keys:read": at(1)}}}
	routes = append(routes, RouteUse{KeyID: "key_u", Route: "GET /v1/alert-rules", Hour: hour.Add(time.Hour), Requests: 2})
	if err := s.RecordUsage(ctx, second, routes); err != nil {
		t.Fatal(err)
	}
	k, err := s.GetAPIKey(ctx, "key_u")
	if err != nil {
		t.Fatal(err)
	}
	if k.LastUsedAt == nil || !k.LastUsedAt.Equal(at(9)) || !k.ScopeLastUsedAt["keys:read"].Equal(at(5)) ||
		!k.ScopeLastUsedAt["keys:write"].Equal(at(9)) || len(k.ScopeLastUsedAt) != 2 {
		t.Errorf("after two batches: last_used_at %v, scope_last_used_at %v; want 00:09, keys:read 00:05, keys:write 00:09", k.LastUsedAt, k.ScopeLastUsedAt)
	}
	if k.Version != 1 || !k.UpdatedAt.Equal(t0) {
		t.Errorf("recording use changed the key: version %d, updated_at %s", k.Version, k.UpdatedAt)
	}
	// An update of the key keeps its use.
	k.Description, k.Version = "changed", 2
	inTx(t, s, func(tx *Tx) error { return tx.UpdateAPIKey(ctx, k) })
	if k, err := s.GetAPIKey(ctx, "key_u"); err != nil || len(k.ScopeLastUsedAt) != 2 || k.LastUsedAt == nil {
		t.Errorf("after UpdateAPIKey: %+v, %v; want the use kept", k, err)
	}

	got, err := s.APIKeyRouteUsage(ctx, "key_u", hour)
	want := []RouteUse{{KeyID: "key_u", Route: "GET /v1/alert-rules", Requests: 2}, {KeyID: "key_u", Route: "GET /v1/api-keys", Requests: 6, Errors: 2}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("APIKeyRouteUsage since %s = %+v, %v; want %+v", hour, got, err, want)
	}
	if got, err := s.APIKeyRouteUsage(ctx, "key_u", hour.Add(time.Hour)); err != nil || len(got) != 1 || got[0].Route != "GET /v1/alert-rules" {
		t.Errorf("APIKeyRouteUsage since the second hour = %+v, %v; want only its route", got, err)
	}
	if err := s.PruneUsage(ctx, hour.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.APIKeyRouteUsage(ctx, "key_u", hour); err != nil || len(got) != 1 || got[0].Requests != 2 {
		t.Errorf("after pruning the first hour: %+v, %v; want the second hour's 2 requests", got, err)
	}
}
