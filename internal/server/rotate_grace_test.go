package server_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// TestRotateWithGracePeriod proves that a rotation's grace_period replaces
// the key's rotation_grace_period for that rotation only: "0s" ends the
// previous secret at once, "2h" keeps it two hours, the next rotation without
// one uses the key's own 24h again, and a bad value is a 422 on grace_period.
func TestRotateWithGracePeriod(t *testing.T) {
	inst := servertest.Start(t)
	key := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "deployer", Scopes: []string{"keys:read"}})
	works := func(secret string) bool {
		resp, _ := call(t, inst.URL, http.MethodGet, "/v1/api-keys?limit=1", secret, "")
		return resp.StatusCode == http.StatusOK
	}
	rotate := func(body string) apiv1.APIKey {
		t.Helper()
		resp, b := call(t, inst.URL, http.MethodPost, "/v1/api-keys/"+key.ID+"/rotate", inst.AdminKey, body)
		mustStatus(t, resp, b, http.StatusOK)
		return decode[apiv1.APIKey](t, b)
	}

	first := key.Secret
	second := rotate(`{"grace_period":"0s"}`)
	if works(first) || !works(second.Secret) {
		t.Fatalf("after a rotation with grace 0s: first works %v, second works %v; want false, true", works(first), works(second.Secret))
	}
	third := rotate(`{"grace_period":"2h"}`)
	if !third.PreviousSecretExpiresAt.Equal(inst.Clock.Now().Add(2 * time.Hour)) {
		t.Fatalf("previous_secret_expires_at = %v, want now + 2h", third.PreviousSecretExpiresAt)
	}
	inst.Clock.Advance(time.Hour)
	if !works(second.Secret) {
		t.Fatal("the previous secret stopped working within its 2h grace period")
	}
	inst.Clock.Advance(90 * time.Minute)
	if works(second.Secret) {
		t.Fatal("the previous secret still works after its 2h grace period")
	}
	if fourth := rotate(""); !fourth.PreviousSecretExpiresAt.Equal(inst.Clock.Now().Add(24 * time.Hour)) {
		t.Fatalf("without grace_period, previous_secret_expires_at = %v, want now + the key's 24h", fourth.PreviousSecretExpiresAt)
	}

	resp, b := call(t, inst.URL, http.MethodPost, "/v1/api-keys/"+key.ID+"/rotate", inst.AdminKey, `{"grace_period":"-1h"}`)
	mustStatus(t, resp, b, http.StatusUnprocessableEntity)
	if paths := fieldPaths(t, b); !slices.Equal(paths, []string{"grace_period"}) {
		t.Fatalf("field errors on %v, want grace_period", paths)
	}
}
