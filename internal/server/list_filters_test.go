package server_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// listIDs GETs a list path and returns the ids of the page, in order.
func listIDs[T any](t *testing.T, inst *servertest.Instance, path string, id func(T) string) []string {
	t.Helper()
	resp, b := call(t, inst.URL, http.MethodGet, path, inst.AdminKey, "")
	mustStatus(t, resp, b, http.StatusOK)
	var ids []string
	for _, item := range decode[struct{ Data []T }](t, b).Data {
		ids = append(ids, id(item))
	}
	return ids
}

// TestListAPIKeysByNamePrefixAndScope proves that name_prefix matches the
// start of the name literally (no LIKE wildcard, case-sensitive), that scope
// matches keys listing the scope, that both combine, and that an unknown
// scope is a 422 naming the parameter.
func TestListAPIKeysByNamePrefixAndScope(t *testing.T) {
	inst := servertest.Start(t)
	keyID := func(k apiv1.APIKey) string { return k.ID }
	ciRead := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "ci-read", Scopes: []string{"keys:read"}}).ID
	ciAudit := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "ci-audit", Scopes: []string{"keys:read", "audit:read"}}).ID
	underscore := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "c_x", Scopes: []string{"audit:read"}}).ID
	upper := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "CI-upper", Scopes: []string{"keys:read"}}).ID

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"name_prefix=ci-", []string{ciAudit, ciRead}},
		{"name_prefix=c_", []string{underscore}}, // _ is no wildcard
		{"name_prefix=C", []string{upper}},       // case-sensitive
		{"scope=audit:read", []string{underscore, ciAudit}},
		{"scope=audit:read&name_prefix=ci", []string{ciAudit}},
		{"scope=backups:write", nil},
	} {
		if got := listIDs(t, inst, "/v1/api-keys?"+tc.query, keyID); !slices.Equal(got, tc.want) {
			t.Errorf("?%s = %v, want %v", tc.query, got, tc.want)
		}
	}
	resp, b := call(t, inst.URL, http.MethodGet, "/v1/api-keys?scope=keys:fly", inst.AdminKey, "")
	mustStatus(t, resp, b, http.StatusUnprocessableEntity)
	if paths := fieldPaths(t, b); !slices.Equal(paths, []string{"scope"}) {
		t.Fatalf("field errors on %v, want scope", paths)
	}
}

// TestListBackupSchedulesByEnabled proves the enabled filter and that a
// value other than true or false is a 422 naming the parameter.
func TestListBackupSchedulesByEnabled(t *testing.T) {
	inst := servertest.Start(t)
	scheduleID := func(s apiv1.BackupSchedule) string { return s.ID }
	on := createSchedule(t, inst, `{"name":"on","cron":"0 3 * * *"}`).ID
	off := createSchedule(t, inst, `{"name":"off","cron":"0 3 * * *","enabled":false}`).ID
	for query, want := range map[string][]string{
		"":               {off, on},
		"?enabled=true":  {on},
		"?enabled=false": {off},
	} {
		if got := listIDs(t, inst, "/v1/backup-schedules"+query, scheduleID); !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", query, got, want)
		}
	}
	resp, b := call(t, inst.URL, http.MethodGet, "/v1/backup-schedules?enabled=1", inst.AdminKey, "")
	mustStatus(t, resp, b, http.StatusUnprocessableEntity)
	if paths := fieldPaths(t, b); !slices.Equal(paths, []string{"enabled"}) {
		t.Fatalf("field errors on %v, want enabled", paths)
	}
}
