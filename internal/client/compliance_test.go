package client

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

func sampleReport() apiv1.ComplianceReport {
	return apiv1.ComplianceReport{
		GeneratedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Findings: []apiv1.ComplianceFinding{{
			ControlID: "KM-BACKUP-001", Severity: "critical", Title: "No enabled backup schedule",
			ObjectType: apiv1.ObjectTypeAccount, Message: "No backup schedule is enabled (0 disabled).", Remediation: "Create one.",
		}},
		Counts: apiv1.ComplianceCounts{Critical: 1, Warning: 2},
		Controls: []apiv1.ComplianceControl{{
			ID: "KM-BACKUP-001", Severity: "critical", Title: "No enabled backup schedule", Guide: "Backup and Recovery",
			Remediation: "Create one.", Findings: 1,
		}},
	}
}

// TestGetComplianceReportSendsTheContractRequest proves the path, the
// min_severity query (absent when empty) and the decoding of the report.
func TestGetComplianceReportSendsTheContractRequest(t *testing.T) {
	check := func(t *testing.T, got any) {
		r, ok := got.(*apiv1.ComplianceReport)
		if !ok || len(r.Findings) != 1 || r.Findings[0].ControlID != "KM-BACKUP-001" || r.Counts.Warning != 2 ||
			len(r.Controls) != 1 || r.Controls[0].Findings != 1 || !r.GeneratedAt.Equal(sampleReport().GeneratedAt) {
			t.Errorf("decoded %+v", got)
		}
	}
	respond := func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, sampleReport()) }
	runContractCases(t, []contractCase{
		{
			name:    "all findings",
			call:    func(c *Client) (any, error) { return c.GetComplianceReport(context.Background(), "") },
			respond: respond, method: "GET", path: "/v1/compliance/report", check: check,
		},
		{
			name:    "at or above a severity",
			call:    func(c *Client) (any, error) { return c.GetComplianceReport(context.Background(), "critical") },
			respond: respond, method: "GET", path: "/v1/compliance/report", query: "min_severity=critical", check: check,
		},
	})
}

// TestGetComplianceReportForbiddenNamesTheScope proves that a 403 reaches
// the caller as an *APIError carrying the API's message.
func TestGetComplianceReportForbiddenNamesTheScope(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeError(w, http.StatusForbidden, apiv1.CodeForbidden, `this API key lacks the scope "compliance:read"`)
	})
	c, _ := f.client()
	_, err := c.GetComplianceReport(context.Background(), "")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden || apiErr.Message != `this API key lacks the scope "compliance:read"` {
		t.Fatalf("error %v, want a 403 APIError with the API's message", err)
	}
}
