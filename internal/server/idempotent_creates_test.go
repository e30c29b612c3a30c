package server_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// idempotentKind is one kind of object a POST creates: where, with which
// body, how it is deleted (DELETE answers 204 for every kind; keys and grants
// are revoked), and the object type the lookup answers.
type idempotentKind struct {
	collection, objectType, body string
}

var idempotentKinds = []idempotentKind{
	{apiv1.CollectionAPIKeys, "api_key", `{"name":"lost-answer","scopes":["keys:read"]}`},
	{apiv1.CollectionNotificationChannels, "notification_channel", `{"name":"lost-answer","type":"email","email":{"addresses":["a@example.com"]}}`},
	{apiv1.CollectionAlertRules, "alert_rule", `{"name":"lost-answer","severity":"info","metric":"api.error_rate","condition":{"operator":"gt","threshold":0.5,"window":"5m"},"notification_channel_ids":[]}`},
	{apiv1.CollectionAccessGrants, "access_grant", `{"principal":{"type":"user","id":"lost"},"role":"viewer","resource":"*","justification":"lost answer"}`},
	{apiv1.CollectionBackupSchedules, "backup_schedule", `{"name":"lost-answer","cron":"0 3 * * *"}`},
}

// For every kind, GET /v1/idempotent-creates/{collection}/{key} finds the
// object a POST with that Idempotency-Key created, also after the replay
// record has expired; only for the key that sent the POST, only in that
// collection, and no longer once the object is deleted or revoked.
func TestIdempotentCreateIsFoundUntilTheObjectIsDeleted(t *testing.T) {
	inst := servertest.Start(t)
	other := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "other-caller", Scopes: apiv1.Scopes})
	for _, k := range idempotentKinds {
		t.Run(k.collection, func(t *testing.T) {
			const idem = "lost/answer-1" // escaped in the path
			lookup := "/v1/idempotent-creates/" + k.collection + "/" + url.PathEscape(idem)
			resp, body := call(t, inst.URL, http.MethodGet, lookup, inst.AdminKey, "")
			mustStatus(t, resp, body, http.StatusNotFound)

			resp, body = call(t, inst.URL, http.MethodPost, "/v1/"+k.collection, inst.AdminKey, k.body, "Idempotency-Key", idem)
			mustStatus(t, resp, body, http.StatusCreated)
			id := decode[struct{ ID string }](t, body).ID
			inst.Clock.Advance(48 * time.Hour) // past the replay record's 24 hours

			resp, body = call(t, inst.URL, http.MethodGet, lookup, inst.AdminKey, "")
			mustStatus(t, resp, body, http.StatusOK)
			if got := decode[apiv1.IdempotentCreate](t, body); got.ObjectID != id || got.ObjectType != k.objectType {
				t.Fatalf("lookup = %+v, want %s %s", got, k.objectType, id)
			}
			resp, body = call(t, inst.URL, http.MethodGet, lookup, other.Secret, "")
			mustStatus(t, resp, body, http.StatusNotFound) // another key's create is not found
			for _, c := range idempotentKinds {
				if c.collection != k.collection {
					resp, body = call(t, inst.URL, http.MethodGet, "/v1/idempotent-creates/"+c.collection+"/"+url.PathEscape(idem), inst.AdminKey, "")
					mustStatus(t, resp, body, http.StatusNotFound)
				}
			}

			resp, body = call(t, inst.URL, http.MethodDelete, "/v1/"+k.collection+"/"+id, inst.AdminKey, "")
			mustStatus(t, resp, body, http.StatusNoContent)
			resp, body = call(t, inst.URL, http.MethodGet, lookup, inst.AdminKey, "")
			mustStatus(t, resp, body, http.StatusNotFound)
		})
	}
}

// The lookup requires the collection's read scope, like reading the object.
func TestIdempotentCreateLookupNeedsTheReadScope(t *testing.T) {
	inst := servertest.Start(t)
	writer := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "channels-writer", Scopes: []string{"channels:write"}})
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/idempotent-creates/notification-channels/k1", writer.Secret, "")
	mustStatus(t, resp, body, http.StatusForbidden)
}

// A create with a supplied secret that repeats, under a new Idempotency-Key
// and after the replay window, the very request with which the caller
// created a live key holding that secret is answered with that key: such a
// key cannot be created again with the same secret. Anything else that
// reuses the secret still conflicts: another caller, another request, a
// revoked key; and a key with a generated secret is never matched by its
// request.
func TestRepeatedCreateWithSuppliedSecretAnswersTheKey(t *testing.T) {
	inst := servertest.Start(t)
	other := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "other-caller", Scopes: apiv1.Scopes})
	const supplied = `{"name":"repeated","scopes":["keys:read"],"secret":"repeated-supplied-secret-0123456789abcdef"}`
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey, supplied, "Idempotency-Key", "first")
	mustStatus(t, resp, body, http.StatusCreated)
	first := decode[apiv1.APIKey](t, body)
	inst.Clock.Advance(48 * time.Hour)

	resp, body = call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey, supplied, "Idempotency-Key", "second")
	mustStatus(t, resp, body, http.StatusCreated)
	if again := decode[apiv1.APIKey](t, body); again.ID != first.ID || again.Secret != "" {
		t.Fatalf("repeated create answered %s (secret %q), want the first key %s without a secret", again.ID, again.Secret, first.ID)
	}
	resp, body = call(t, inst.URL, http.MethodGet, "/v1/idempotent-creates/api-keys/second", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)

	resp, body = call(t, inst.URL, http.MethodPost, "/v1/api-keys", other.Secret, supplied, "Idempotency-Key", "third")
	mustStatus(t, resp, body, http.StatusConflict)
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey,
		`{"name":"repeated","description":"changed","scopes":["keys:read"],"secret":"repeated-supplied-secret-0123456789abcdef"}`, "Idempotency-Key", "fourth")
	mustStatus(t, resp, body, http.StatusConflict)

	const generated = `{"name":"generated-once","scopes":["keys:read"]}`
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey, generated, "Idempotency-Key", "g1")
	mustStatus(t, resp, body, http.StatusCreated)
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey, generated, "Idempotency-Key", "g2")
	mustStatus(t, resp, body, http.StatusConflict)

	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/api-keys/"+first.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)
	resp, body = call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey, supplied, "Idempotency-Key", "fifth")
	mustStatus(t, resp, body, http.StatusConflict)
}
