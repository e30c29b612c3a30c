package client

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// sampleRule is the alert rule ar_1 as the API returns it.
func sampleRule() apiv1.AlertRule {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return apiv1.AlertRule{
		ID: "ar_1", Name: "auth failures", Enabled: true, Severity: apiv1.SeverityCritical, Metric: apiv1.MetricAuthFailures,
		Condition:              apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 3, Window: "5m0s"},
		NotificationChannelIDs: []string{"nc_1"}, RenotifyInterval: "1h0m0s", Labels: map[string]string{"team": "sre"},
		CreatedAt: ts, UpdatedAt: ts, Version: 1,
	}
}

// TestAlertRuleMethodsSendTheContractRequests proves that each alert rule
// method sends the method, path, query and body of the wire contract and
// decodes the answer.
func TestAlertRuleMethodsSendTheContractRequests(t *testing.T) {
	opened := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	runContractCases(t, []contractCase{
		{
			name: "create",
			call: func(c *Client) (any, error) {
				return c.CreateAlertRule(context.Background(), apiv1.CreateAlertRuleRequest{
					Name: "auth failures", Severity: apiv1.SeverityCritical, Metric: apiv1.MetricAuthFailures,
					Condition:              apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 3, Window: "5m"},
					NotificationChannelIDs: []string{"nc_1"}, RenotifyInterval: ptr("1h"),
				})
			},
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusCreated, sampleRule()) },
			method:  "POST", path: "/v1/alert-rules",
			body: `{"name":"auth failures","severity":"critical","metric":"auth.failures","condition":{"operator":"gt","threshold":3,"window":"5m"},"notification_channel_ids":["nc_1"],"renotify_interval":"1h"}`,
			check: func(t *testing.T, got any) {
				if r, ok := got.(*apiv1.AlertRule); !ok || r.ID != "ar_1" || r.Condition.Window != "5m0s" || r.RenotifyInterval != "1h0m0s" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name:    "get",
			call:    func(c *Client) (any, error) { return c.GetAlertRule(context.Background(), "ar_1") },
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, sampleRule()) },
			method:  "GET", path: "/v1/alert-rules/ar_1",
			check: func(t *testing.T, got any) {
				if r, ok := got.(*apiv1.AlertRule); !ok || r.Labels["team"] != "sre" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "list with every filter",
			call: func(c *Client) (any, error) {
				return c.ListAlertRules(context.Background(), ListAlertRulesOptions{Severity: "critical", Metric: "auth.failures", Enabled: ptr(false)})
			},
			respond: func(w http.ResponseWriter) {
				r := sampleRule()
				r.OpenIncidents = 1
				writeJSON(w, http.StatusOK, apiv1.AlertRuleList{Data: []apiv1.AlertRule{r}})
			},
			method: "GET", path: "/v1/alert-rules", query: "enabled=false&limit=100&metric=auth.failures&severity=critical",
			check: func(t *testing.T, got any) {
				if rs, ok := got.([]apiv1.AlertRule); !ok || len(rs) != 1 || rs[0].OpenIncidents != 1 {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "list without filters",
			call: func(c *Client) (any, error) {
				return c.ListAlertRules(context.Background(), ListAlertRulesOptions{})
			},
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.AlertRuleList{Data: []apiv1.AlertRule{}})
			},
			method: "GET", path: "/v1/alert-rules", query: "limit=100",
			check: func(t *testing.T, got any) {
				if rs, ok := got.([]apiv1.AlertRule); !ok || rs == nil || len(rs) != 0 {
					t.Errorf("decoded %#v, want an empty slice", got)
				}
			},
		},
		{
			name: "update replaces the channel set",
			call: func(c *Client) (any, error) {
				return c.UpdateAlertRule(context.Background(), "ar_1", apiv1.UpdateAlertRuleRequest{
					Enabled: ptr(false), NotificationChannelIDs: &[]string{"nc_2"}, RenotifyInterval: ptr(""),
				})
			},
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, sampleRule()) },
			method:  "PATCH", path: "/v1/alert-rules/ar_1",
			body: `{"enabled":false,"notification_channel_ids":["nc_2"],"renotify_interval":""}`,
			check: func(t *testing.T, got any) {
				if r, ok := got.(*apiv1.AlertRule); !ok || r.ID != "ar_1" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name:    "delete",
			call:    func(c *Client) (any, error) { return nil, c.DeleteAlertRule(context.Background(), "ar_1") },
			respond: func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) },
			method:  "DELETE", path: "/v1/alert-rules/ar_1",
			check: func(t *testing.T, got any) {},
		},
		{
			name: "incidents",
			call: func(c *Client) (any, error) {
				return c.ListAlertIncidents(context.Background(), ListAlertIncidentsOptions{RuleID: "ar_1", Status: apiv1.IncidentStatusOpen})
			},
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.AlertIncidentList{Data: []apiv1.AlertIncident{{
					ID: "inc_1", RuleID: "ar_1", Status: apiv1.IncidentStatusOpen, OpenedAt: opened, Value: 5, LastValue: 6, NotificationsSent: 1, LastNotifiedAt: &opened,
				}}})
			},
			method: "GET", path: "/v1/alert-incidents", query: "limit=100&rule_id=ar_1&status=open",
			check: func(t *testing.T, got any) {
				if incs, ok := got.([]apiv1.AlertIncident); !ok || len(incs) != 1 || incs[0].Value != 5 || incs[0].NotificationsSent != 1 {
					t.Errorf("decoded %+v", got)
				}
			},
		},
	})
}
