package server_test

import (
	"net/http"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// complianceConformance exercises the compliance report in the conformance
// run, over the objects the earlier parts left behind, errors included.
func complianceConformance(t *testing.T, do doFunc, admin string) {
	t.Helper()
	invalid := []string{headerInvalid, "1"}
	reader := decode[apiv1.APIKey](t, do(http.MethodPost, "/v1/api-keys", admin, `{"name":"conf-compliance-reader","scopes":["keys:read"]}`, 201))
	report := decode[apiv1.ComplianceReport](t, do(http.MethodGet, "/v1/compliance/report", admin, "", 200))
	if len(report.Findings) == 0 {
		t.Error("the conformance run's account has no compliance finding; the bootstrap admin key alone is one")
	}
	do(http.MethodGet, "/v1/compliance/report?min_severity=critical", admin, "", 200)
	do(http.MethodGet, "/v1/compliance/report?min_severity=urgent", admin, "", 422, invalid...)
	do(http.MethodGet, "/v1/compliance/report", "", "", 401)
	do(http.MethodGet, "/v1/compliance/report", reader.Secret, "", 403)
}
