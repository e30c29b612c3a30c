package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

const alertRulesPath = "/v1/alert-rules"

// ListAlertRulesOptions filters ListAlertRules. Zero fields do not filter.
type ListAlertRulesOptions struct {
	// Severity is one of apiv1.Severity*.
	Severity string
	// Metric is a name from apiv1.MetricCatalogue.
	Metric string
	// Enabled, when set, keeps only enabled (true) or disabled (false) rules.
	Enabled *bool
	// Limit stops the listing after this many rules (0 = all).
	Limit int
}

// CreateAlertRule creates an alert rule (POST /v1/alert-rules).
func (c *Client) CreateAlertRule(ctx context.Context, req apiv1.CreateAlertRuleRequest) (*apiv1.AlertRule, error) {
	return send[apiv1.AlertRule](ctx, c, http.MethodPost, alertRulesPath, req)
}

// GetAlertRule returns one alert rule (GET /v1/alert-rules/{id}); unknown ids
// yield ErrNotFound.
func (c *Client) GetAlertRule(ctx context.Context, id string) (*apiv1.AlertRule, error) {
	return sendTo[apiv1.AlertRule](ctx, c, http.MethodGet, alertRulesPath, id, nil)
}

// RefreshAlertRule returns the same as GetAlertRule, coalesced with other
// reads of alert rules (see refresh.go): for Terraform's refresh of many
// rules.
func (c *Client) RefreshAlertRule(ctx context.Context, id string) (*apiv1.AlertRule, error) {
	return c.alertRules.read(ctx, id)
}

// ListAlertRules returns every alert rule matching opts (GET
// /v1/alert-rules), following next_cursor to the last page or to opts.Limit
// rules.
func (c *Client) ListAlertRules(ctx context.Context, opts ListAlertRulesOptions) ([]apiv1.AlertRule, error) {
	q := url.Values{}
	setIf(q, "severity", opts.Severity)
	setIf(q, "metric", opts.Metric)
	if opts.Enabled != nil {
		q.Set("enabled", strconv.FormatBool(*opts.Enabled))
	}
	return listAll[apiv1.AlertRule](ctx, c, alertRulesPath, q, opts.Limit)
}

// UpdateAlertRule applies a merge patch to an alert rule (PATCH
// /v1/alert-rules/{id}).
func (c *Client) UpdateAlertRule(ctx context.Context, id string, req apiv1.UpdateAlertRuleRequest) (*apiv1.AlertRule, error) {
	return sendTo[apiv1.AlertRule](ctx, c, http.MethodPatch, alertRulesPath, id, req)
}

// DeleteAlertRule deletes an alert rule and its incidents (DELETE
// /v1/alert-rules/{id}).
func (c *Client) DeleteAlertRule(ctx context.Context, id string) error {
	return deleteObject(ctx, c, alertRulesPath, id)
}

// ListAlertIncidents returns every incident of an alert rule, newest first
// (GET /v1/alert-rules/{id}/incidents).
func (c *Client) ListAlertIncidents(ctx context.Context, ruleID string) ([]apiv1.AlertIncident, error) {
	path, err := objectPath(alertRulesPath, ruleID, "incidents")
	if err != nil {
		return nil, err
	}
	return listAll[apiv1.AlertIncident](ctx, c, path, nil, 0)
}
