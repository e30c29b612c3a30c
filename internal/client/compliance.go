package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

const complianceReportPath = "/v1/compliance/report"

// GetComplianceReport returns the server's judgement of the live account
// against the security guide (GET /v1/compliance/report). minSeverity
// ("critical", "warning", "info", or "" for all) trims the findings; the
// counts always cover every finding.
func (c *Client) GetComplianceReport(ctx context.Context, minSeverity string) (*apiv1.ComplianceReport, error) {
	q := url.Values{}
	setIf(q, "min_severity", minSeverity)
	var report apiv1.ComplianceReport
	if err := c.do(ctx, http.MethodGet, complianceReportPath, q, nil, &report); err != nil {
		return nil, err
	}
	return &report, nil
}
