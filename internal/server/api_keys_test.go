package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// TestAPIKeyLifecycle proves the happy path of every API key endpoint:
// create with defaults, read, list, update, rotate and revoke.
func TestAPIKeyLifecycle(t *testing.T) {
	inst := servertest.Start(t)
	now := servertest.StartTime

	created := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "ci", Scopes: []string{"keys:write", "keys:read"}})
	if !strings.HasPrefix(created.ID, "key_") || created.Version != 1 || created.Status != apiv1.KeyStatusActive {
		t.Fatalf("created = %+v", created)
	}
	if len(created.Secret) != 46 || !strings.HasPrefix(created.Secret, "km_") || created.SecretSource != "generated" {
		t.Fatalf("generated secret has the wrong shape or source %q", created.SecretSource)
	}
	if !slices.Equal(created.Scopes, []string{"keys:read", "keys:write"}) {
		t.Fatalf("scopes = %v, want catalogue order", created.Scopes)
	}
	if created.RotationDays != 90 || created.RotationGracePeriod != "24h0m0s" || !created.NextRotationAt.Equal(now.Add(90*24*time.Hour)) {
		t.Fatalf("defaults not applied: %+v", created)
	}

	resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+created.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	got := decode[apiv1.APIKey](t, body)
	if got.Secret != "" || got.SecretFingerprint != created.SecretFingerprint || resp.Header.Get("ETag") != `"1"` {
		t.Fatalf("get returned secret or wrong fingerprint/etag: %+v etag %s", got, resp.Header.Get("ETag"))
	}

	resp, body = call(t, inst.URL, http.MethodGet, "/v1/api-keys?name=ci", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if list := decode[apiv1.APIKeyList](t, body); len(list.Data) != 1 || list.Data[0].ID != created.ID {
		t.Fatalf("list by name = %+v", list)
	}

	expires := now.Add(48 * time.Hour)
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/api-keys/"+created.ID, inst.AdminKey,
		fmt.Sprintf(`{"description":"deploys","rotation_grace_period":"90m","expires_at":%q}`, expires.Format(time.RFC3339)),
		"If-Match", `"1"`)
	mustStatus(t, resp, body, http.StatusOK)
	updated := decode[apiv1.APIKey](t, body)
	if updated.Description != "deploys" || updated.RotationGracePeriod != "1h30m0s" || updated.Version != 2 || !updated.ExpiresAt.Equal(expires) {
		t.Fatalf("updated = %+v", updated)
	}

	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/api-keys/"+created.ID, inst.AdminKey, `{"expires_at":null}`)
	mustStatus(t, resp, body, http.StatusOK)
	if cleared := decode[apiv1.APIKey](t, body); cleared.ExpiresAt != nil || cleared.Version != 3 {
		t.Fatalf("expires_at null did not clear: %+v", cleared)
	}

	inst.Clock.Advance(time.Hour)
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/api-keys/"+created.ID+"/rotate", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	rotated := decode[apiv1.APIKey](t, body)
	rotatedAt := now.Add(time.Hour)
	if rotated.Secret == "" || rotated.Secret == created.Secret || rotated.SecretFingerprint == created.SecretFingerprint ||
		!rotated.RotatedAt.Equal(rotatedAt) || !rotated.PreviousSecretExpiresAt.Equal(rotatedAt.Add(90*time.Minute)) {
		t.Fatalf("rotated = %+v", rotated)
	}

	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/api-keys/"+created.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+created.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if revoked := decode[apiv1.APIKey](t, body); revoked.Status != apiv1.KeyStatusRevoked || revoked.RevokedAt == nil {
		t.Fatalf("revoked key = %+v", revoked)
	}
	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/api-keys/"+created.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNotFound)
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/api-keys/"+created.ID, inst.AdminKey, `{"description":"x"}`)
	mustStatus(t, resp, body, http.StatusConflict)
}

// TestListPaginatesNewestFirst proves that pages are newest first, disjoint,
// and end with an empty next_cursor.
func TestListPaginatesNewestFirst(t *testing.T) {
	inst := servertest.Start(t)
	var want []string
	for i := range 5 {
		want = append([]string{createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: fmt.Sprintf("k%d", i), Scopes: []string{"keys:read"}}).ID}, want...)
	}
	var got []string
	cursor := ""
	for range 10 {
		resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys?limit=2&cursor="+cursor, inst.AdminKey, "")
		mustStatus(t, resp, body, http.StatusOK)
		page := decode[apiv1.APIKeyList](t, body)
		for _, k := range page.Data {
			got = append(got, k.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(got) != 6 || !slices.Equal(got[:5], want[:5]) {
		t.Fatalf("pages = %v, want %v then the (oldest) admin key", got, want)
	}
}

// TestIdempotentCreateReplaysTheFirstResponse proves that a retried create
// with the same Idempotency-Key returns the same object and secret and
// creates nothing more, and that reusing the key for another body is a 422.
func TestIdempotentCreateReplaysTheFirstResponse(t *testing.T) {
	inst := servertest.Start(t)
	body := `{"name":"idem","scopes":["keys:read"]}`
	resp1, body1 := call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey, body, "Idempotency-Key", "abc-1")
	mustStatus(t, resp1, body1, http.StatusCreated)
	resp2, body2 := call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey, body, "Idempotency-Key", "abc-1")
	mustStatus(t, resp2, body2, http.StatusCreated)
	first, second := decode[apiv1.APIKey](t, body1), decode[apiv1.APIKey](t, body2)
	if first.ID != second.ID || first.Secret == "" || first.Secret != second.Secret || resp2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs: first %s, second %s", first.ID, second.ID)
	}
	resp, listBody := call(t, inst.URL, http.MethodGet, "/v1/api-keys?name=idem", inst.AdminKey, "")
	mustStatus(t, resp, listBody, http.StatusOK)
	if n := len(decode[apiv1.APIKeyList](t, listBody).Data); n != 1 {
		t.Fatalf("%d keys named idem, want 1", n)
	}
	resp3, body3 := call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey, `{"name":"other","scopes":["keys:read"]}`, "Idempotency-Key", "abc-1")
	mustStatus(t, resp3, body3, http.StatusUnprocessableEntity)
	if e := errorOf(t, body3); len(e.Fields) != 1 || e.Fields[0].Path != "Idempotency-Key" {
		t.Fatalf("mismatch error = %+v", e)
	}
}

// TestStaleIfMatchIsRejected proves that PATCH, rotate and DELETE answer 412
// when If-Match names an old version, and change nothing.
func TestStaleIfMatchIsRejected(t *testing.T) {
	inst := servertest.Start(t)
	key := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "etag", Scopes: []string{"keys:read"}})
	resp, body := call(t, inst.URL, http.MethodPatch, "/v1/api-keys/"+key.ID, inst.AdminKey, `{"description":"v2"}`, "If-Match", `"1"`)
	mustStatus(t, resp, body, http.StatusOK)
	for _, tc := range []struct{ method, path, body string }{
		{http.MethodPatch, "/v1/api-keys/" + key.ID, `{"description":"v3"}`},
		{http.MethodPost, "/v1/api-keys/" + key.ID + "/rotate", ""},
		{http.MethodDelete, "/v1/api-keys/" + key.ID, ""},
	} {
		resp, body := call(t, inst.URL, tc.method, tc.path, inst.AdminKey, tc.body, "If-Match", `"1"`)
		mustStatus(t, resp, body, http.StatusPreconditionFailed)
		if errorOf(t, body).Code != apiv1.CodePreconditionFailed {
			t.Fatalf("%s: code %s", tc.method, body)
		}
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+key.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if got := decode[apiv1.APIKey](t, body); got.Version != 2 || got.Description != "v2" {
		t.Fatalf("key changed despite 412: %+v", got)
	}
}

// TestDuplicateNameConflicts proves names are unique among unrevoked keys
// and free again once the holder is revoked.
func TestDuplicateNameConflicts(t *testing.T) {
	inst := servertest.Start(t)
	key := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "dup", Scopes: []string{"keys:read"}})
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey, `{"name":"dup","scopes":["keys:read"]}`)
	mustStatus(t, resp, body, http.StatusConflict)
	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/api-keys/"+key.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)
	createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "dup", Scopes: []string{"keys:read"}})
}

// TestDataSurvivesRestart proves that committed keys and audit events are
// kept when the server is closed and reopened on the same data directory.
func TestDataSurvivesRestart(t *testing.T) {
	inst := servertest.Start(t)
	key := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "durable", Scopes: []string{"keys:read"}})
	inst.Restart(t)
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys/"+key.ID, key.Secret, "")
	mustStatus(t, resp, body, http.StatusOK)
	if got := decode[apiv1.APIKey](t, body); got.Name != "durable" || got.SecretFingerprint != key.SecretFingerprint {
		t.Fatalf("after restart: %+v", got)
	}
	if inst.Server.GeneratedAdminSecret() != "" {
		t.Fatal("a restart with an active admin key generated another admin key")
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/audit-events?object_id="+key.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if n := len(decode[apiv1.AuditEventList](t, body).Data); n != 1 {
		t.Fatalf("%d audit events after restart, want 1", n)
	}
}

// TestConcurrentCreates proves that parallel creates each get a distinct
// key and none is lost or duplicated.
func TestConcurrentCreates(t *testing.T) {
	inst := servertest.Start(t)
	const workers, perWorker = 4, 5
	var wg sync.WaitGroup
	ids := make(chan string, workers*perWorker)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				resp, body := call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey,
					fmt.Sprintf(`{"name":"c-%d-%d","scopes":["keys:read"]}`, w, i))
				if resp.StatusCode != http.StatusCreated {
					t.Errorf("status %d: %s", resp.StatusCode, body)
					return
				}
				ids <- decode[apiv1.APIKey](t, body).ID
			}
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/api-keys?limit=100", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	list := decode[apiv1.APIKeyList](t, body)
	if len(seen) != workers*perWorker || len(list.Data) != workers*perWorker+1 {
		t.Fatalf("distinct ids %d, listed %d; want %d and %d", len(seen), len(list.Data), workers*perWorker, workers*perWorker+1)
	}
}
