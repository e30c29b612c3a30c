package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

func sampleChannel(id string) apiv1.NotificationChannel {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return apiv1.NotificationChannel{
		ID: id, Name: "ops", Type: apiv1.ChannelTypeWebhook, Enabled: true,
		Webhook:        &apiv1.WebhookSettings{URL: "https://hooks.example.com/k", HeaderNames: []string{"X-Team"}, HeadersFingerprint: "sha256:00112233445566aa", SigningSecretFingerprint: "sha256:8899aabbccddeeff"},
		LastTestStatus: apiv1.TestStatusNever, CreatedAt: ts, UpdatedAt: ts, Version: 1,
	}
}

// TestNotificationChannelMethodsSendTheContractRequests proves that each
// notification channel method sends the method, path, query and body of
// the wire contract and decodes the answer.
func TestNotificationChannelMethodsSendTheContractRequests(t *testing.T) {
	tested := time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC)
	runContractCases(t, []contractCase{
		{
			name: "create",
			call: func(c *Client) (any, error) {
				return c.CreateNotificationChannel(context.Background(), apiv1.CreateNotificationChannelRequest{
					Name: "ops", Type: apiv1.ChannelTypeWebhook,
					Webhook: &apiv1.WebhookInput{URL: ptr("https://hooks.example.com/k"), Headers: &map[string]string{"X-Team": "sre"}, SigningSecret: ptr("0123456789abcdef")},
				})
			},
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusCreated, sampleChannel("nc_1")) },
			method:  "POST", path: "/v1/notification-channels",
			body: `{"name":"ops","type":"webhook","webhook":{"url":"https://hooks.example.com/k","headers":{"X-Team":"sre"},"signing_secret":"0123456789abcdef"}}`,
			check: func(t *testing.T, got any) {
				if ch, ok := got.(*apiv1.NotificationChannel); !ok || ch.ID != "nc_1" || ch.Webhook == nil || ch.Webhook.SigningSecretFingerprint != "sha256:8899aabbccddeeff" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name:    "get escapes the id",
			call:    func(c *Client) (any, error) { return c.GetNotificationChannel(context.Background(), "nc/1") },
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, sampleChannel("nc/1")) },
			method:  "GET", path: "/v1/notification-channels/nc%2F1",
			check: func(t *testing.T, got any) {
				if ch, ok := got.(*apiv1.NotificationChannel); !ok || ch.ID != "nc/1" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "list filters by type",
			call: func(c *Client) (any, error) {
				return c.ListNotificationChannels(context.Background(), ListNotificationChannelsOptions{Type: apiv1.ChannelTypeSlack})
			},
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.NotificationChannelList{Data: []apiv1.NotificationChannel{sampleChannel("nc_1"), sampleChannel("nc_2")}})
			},
			method: "GET", path: "/v1/notification-channels", query: "limit=100&type=slack",
			check: func(t *testing.T, got any) {
				if chs, ok := got.([]apiv1.NotificationChannel); !ok || len(chs) != 2 || chs[1].ID != "nc_2" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "update omits absent secrets",
			call: func(c *Client) (any, error) {
				return c.UpdateNotificationChannel(context.Background(), "nc_1", apiv1.UpdateNotificationChannelRequest{
					Enabled: ptr(false), Webhook: &apiv1.WebhookInput{URL: ptr("https://hooks.example.com/new")},
				})
			},
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, sampleChannel("nc_1")) },
			method:  "PATCH", path: "/v1/notification-channels/nc_1",
			body: `{"enabled":false,"webhook":{"url":"https://hooks.example.com/new"}}`,
			check: func(t *testing.T, got any) {
				if ch, ok := got.(*apiv1.NotificationChannel); !ok || ch.ID != "nc_1" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name:    "delete",
			call:    func(c *Client) (any, error) { return nil, c.DeleteNotificationChannel(context.Background(), "nc_1") },
			respond: func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) },
			method:  "DELETE", path: "/v1/notification-channels/nc_1",
			check: func(t *testing.T, got any) {},
		},
		{
			name: "test returns a failed delivery as a result",
			call: func(c *Client) (any, error) { return c.TestNotificationChannel(context.Background(), "nc_1") },
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.ChannelTestResult{Status: apiv1.TestStatusFailed, Error: "the receiver answered 500", Attempts: 3, TestedAt: tested})
			},
			method: "POST", path: "/v1/notification-channels/nc_1/test",
			check: func(t *testing.T, got any) {
				res, ok := got.(*apiv1.ChannelTestResult)
				if !ok || res.Status != apiv1.TestStatusFailed || res.Attempts != 3 || !res.TestedAt.Equal(tested) || res.Error == "" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
	})
}

// contractCase is one client call, the answer of the fake server, the
// request the call must send and a check of the decoded result.
type contractCase struct {
	name                      string
	call                      func(c *Client) (any, error)
	respond                   func(w http.ResponseWriter)
	method, path, query, body string
	check                     func(t *testing.T, got any)
}

func runContractCases(t *testing.T, cases []contractCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { tc.respond(w) })
			c, _ := f.client()
			got, err := tc.call(c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("sent %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			checkHeaders(t, r)
			if r.Method != tc.method || r.EscapedPath != tc.path || r.RawQuery != tc.query {
				t.Errorf("sent %s %s?%s, want %s %s?%s", r.Method, r.EscapedPath, r.RawQuery, tc.method, tc.path, tc.query)
			}
			if got := strings.TrimSpace(string(r.Body)); got != tc.body {
				t.Errorf("body = %s, want %s", got, tc.body)
			}
			tc.check(t, got)
		})
	}
}

// TestDeleteNotificationChannelInUseIsAConflict proves that a 409 naming
// the rules reaches the caller as an *APIError carrying the message.
func TestDeleteNotificationChannelInUseIsAConflict(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeError(w, http.StatusConflict, apiv1.CodeConflict, `notification channel nc_1 is used by alert rules ar_1 ("auth")`)
	})
	c, _ := f.client()
	err := c.DeleteNotificationChannel(context.Background(), "nc_1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusConflict || !strings.Contains(err.Error(), "ar_1") {
		t.Fatalf("error %v, want a 409 APIError naming ar_1", err)
	}
}
