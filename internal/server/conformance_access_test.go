package server_test

import (
	"net/http"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// accessConformance exercises every access grant, access check and backup
// schedule operation in the conformance run, errors included.
func accessConformance(t *testing.T, do doFunc, admin string) {
	t.Helper()
	invalid := []string{headerInvalid, "1"}
	reader := decode[apiv1.APIKey](t, do(http.MethodPost, "/v1/api-keys", admin, `{"name":"conf-access-reader","scopes":["keys:read"]}`, 201))

	// Access grants.
	const grants = "/v1/access-grants"
	grantBody := `{"principal":{"type":"team","id":"sre"},"role":"operator","resource":"alert-rules/*","expires_at":"2027-01-01T00:00:00Z","justification":"on call","ticket":"SEC-1","review_interval_days":30}`
	g := decode[apiv1.AccessGrant](t, do(http.MethodPost, grants, admin, grantBody, 201, "Idempotency-Key", "conf-ag-1"))
	do(http.MethodPost, grants, admin, grantBody, 201, "Idempotency-Key", "conf-ag-1")
	do(http.MethodPost, grants, admin, `{"principal":{"type":"user","id":"a"},"role":"viewer","resource":"*","justification":"j","expires_at":"2020-01-01T00:00:00Z"}`, 422)
	do(http.MethodPost, grants, admin, `{"principal":{"type":"user","id":"a"},"role":"owner","resource":"*","justification":"j"}`, 422, invalid...)
	do(http.MethodPost, grants, admin, `{"principal":{"type":"user","id":"a"},"role":"viewer","resource":"*","justification":"j","x":1}`, 400, invalid...)
	do(http.MethodPost, grants, "", grantBody, 401)
	do(http.MethodPost, grants, reader.Secret, grantBody, 403)

	do(http.MethodGet, grants+"?principal_type=team&principal_id=sre&role=operator&status=active&review_overdue=true&limit=1", admin, "", 200)
	do(http.MethodGet, grants+"?status=gone", admin, "", 422, invalid...)
	do(http.MethodGet, grants+"?ids="+g.ID+",ag_missing&limit=1000", admin, "", 200)
	do(http.MethodGet, grants+"/"+g.ID, admin, "", 200)
	do(http.MethodGet, grants+"/ag_missing", admin, "", 404)
	do(http.MethodPatch, grants+"/"+g.ID, admin, `{"role":"viewer","expires_at":null,"ticket":null}`, 200, "If-Match", `"1"`)
	do(http.MethodPatch, grants+"/"+g.ID, admin, `{"role":"auditor"}`, 412, "If-Match", `"1"`)
	do(http.MethodPatch, grants+"/"+g.ID, admin, `{"principal":{"type":"user","id":"bob"}}`, 422)
	do(http.MethodPost, grants+"/"+g.ID+"/review", admin, `{"reviewer":"carol","decision":"keep","comment":"ok"}`, 200, "Idempotency-Key", "conf-rv-1")
	do(http.MethodPost, grants+"/"+g.ID+"/review", admin, `{"reviewer":"carol","decision":"maybe"}`, 422, invalid...)
	do(http.MethodGet, grants+"/"+g.ID+"/reviews?limit=1", admin, "", 200)
	do(http.MethodGet, grants+"/ag_missing/reviews", admin, "", 404)

	do(http.MethodPost, "/v1/access-checks", admin, `{"principal":{"type":"team","id":"sre"},"action":"keys:read","resource":"alert-rules/ar_1"}`, 200)
	do(http.MethodPost, "/v1/access-checks", admin, `{"principal":{"type":"team","id":"sre"},"action":"keys:read","resource":"alert-rules/*"}`, 422)
	do(http.MethodPost, "/v1/access-checks", admin, `{"principal":{"type":"team","id":"sre"},"action":"fly","resource":"alert-rules/ar_1"}`, 422, invalid...)

	do(http.MethodDelete, grants+"/"+g.ID, admin, "", 412, "If-Match", `"1"`)
	do(http.MethodDelete, grants+"/"+g.ID, admin, "", 204)
	do(http.MethodDelete, grants+"/"+g.ID, admin, "", 404)
	do(http.MethodPatch, grants+"/"+g.ID, admin, `{"role":"admin"}`, 409)
	do(http.MethodPost, grants+"/"+g.ID+"/review", admin, `{"reviewer":"carol","decision":"keep"}`, 409)

	// Backup schedules.
	const schedules = "/v1/backup-schedules"
	scheduleBody := `{"name":"conf-nightly","cron":"0 3 * * *","timezone":"Europe/Berlin","retention_days":7,"include":["api_keys","access_grants"],"destination":"conf-backups","encrypt":false,"verify_restore":true,"enabled":true}`
	s := decode[apiv1.BackupSchedule](t, do(http.MethodPost, schedules, admin, scheduleBody, 201, "Idempotency-Key", "conf-bs-1"))
	do(http.MethodPost, schedules, admin, scheduleBody, 201, "Idempotency-Key", "conf-bs-1")
	do(http.MethodPost, schedules, admin, `{"name":"x","cron":"0 3 * *"}`, 422)
	do(http.MethodPost, schedules, admin, `{"name":"x","cron":"0 3 * * *","timezone":"Mars/Base"}`, 422)
	do(http.MethodPost, schedules, admin, `{"name":"x","cron":"0 3 * * *","encrypt":true}`, 422)
	do(http.MethodPost, schedules, admin, `{"name":"x","cron":"0 3 * * *","include":["secrets"]}`, 422, invalid...)
	do(http.MethodPost, schedules, "", scheduleBody, 401)
	do(http.MethodPost, schedules, reader.Secret, scheduleBody, 403)

	do(http.MethodGet, schedules+"?limit=1", admin, "", 200)
	do(http.MethodGet, schedules+"?enabled=true", admin, "", 200)
	do(http.MethodGet, schedules+"?enabled=yes", admin, "", 422, invalid...)
	do(http.MethodGet, schedules+"?ids="+s.ID, admin, "", 200)
	do(http.MethodGet, schedules+"/"+s.ID, admin, "", 200)
	do(http.MethodGet, schedules+"/bs_missing", admin, "", 404)
	do(http.MethodPatch, schedules+"/"+s.ID, admin, `{"cron":"15 4 * * 1","include":["all"]}`, 200, "If-Match", `"1"`)
	do(http.MethodPatch, schedules+"/"+s.ID, admin, `{"enabled":false}`, 412, "If-Match", `"1"`)
	do(http.MethodPatch, schedules+"/"+s.ID, admin, `{"retention_days":0}`, 422, invalid...)

	do(http.MethodPost, schedules+"/"+s.ID+"/run", admin, "", 201, "Idempotency-Key", "conf-run-1")
	do(http.MethodPost, schedules+"/"+s.ID+"/run", admin, "", 201, "Idempotency-Key", "conf-run-1")
	do(http.MethodPost, schedules+"/bs_missing/run", admin, "", 404)
	do(http.MethodGet, schedules+"/"+s.ID, admin, "", 200) // now with last_run
	do(http.MethodGet, schedules+"/"+s.ID+"/runs?limit=1", admin, "", 200)
	do(http.MethodGet, schedules+"/bs_missing/runs", admin, "", 404)
	do(http.MethodGet, schedules+"/"+s.ID+"/runs", reader.Secret, "", 403)

	do(http.MethodDelete, schedules+"/"+s.ID, admin, "", 412, "If-Match", `"1"`)
	do(http.MethodDelete, schedules+"/"+s.ID, admin, "", 204)
	do(http.MethodDelete, schedules+"/"+s.ID, admin, "", 404)
}
