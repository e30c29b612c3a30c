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

// ListAlertIncidentsOptions filters ListAlertIncidents. Zero fields do not
// filter.
type ListAlertIncidentsOptions struct {
	// RuleID keeps the incidents of this rule.
	RuleID string
	// Status is one of apiv1.IncidentStatus*.
	Status string
	// Limit stops the listing after this many incidents (0 = all).
	Limit int
}

// ListAlertIncidents returns every incident matching opts, newest first,
// with its notifications (GET /v1/alert-incidents), following next_cursor
// to the last page or to opts.Limit incidents.
func (c *Client) ListAlertIncidents(ctx context.Context, opts ListAlertIncidentsOptions) ([]apiv1.AlertIncident, error) {
	q := url.Values{}
	setIf(q, "rule_id", opts.RuleID)
	setIf(q, "status", opts.Status)
	return listAll[apiv1.AlertIncident](ctx, c, "/v1/alert-incidents", q, opts.Limit)
}
