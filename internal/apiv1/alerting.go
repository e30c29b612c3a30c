package apiv1

import (
	"time"
)

// Notification channel types.
const (
	ChannelTypeWebhook   = "webhook"
	ChannelTypeSlack     = "slack"
	ChannelTypePagerDuty = "pagerduty"
	ChannelTypeEmail     = "email"
)

// ChannelTypes is the catalogue of notification channel types.
var ChannelTypes = []string{ChannelTypeWebhook, ChannelTypeSlack, ChannelTypePagerDuty, ChannelTypeEmail}

// Channel test status values (NotificationChannel.LastTestStatus and
// ChannelTestResult.Status; "never" only on the channel).
const (
	TestStatusNever     = "never"
	TestStatusSucceeded = "succeeded"
	TestStatusFailed    = "failed"
)

// Limits and defaults of notification channels.
const (
	MinSigningSecretLength   = 16
	PagerDutyRoutingKeyLen   = 32
	DefaultPagerDutyEventURL = "https://events.pagerduty.com/v2/enqueue"
	MaxEmailAddresses        = 20
	MaxWebhookHeaders        = 20
	// MaxSignatureAge is how old a webhook's X-Keymate-Signature timestamp may
	// be before a receiver should reject the delivery as a replay.
	MaxSignatureAge = 5 * time.Minute
)

// Webhook delivery headers and event names.
const (
	// HeaderSignature is "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"
	// under the channel's signing_secret>", sent when a signing secret is set.
	HeaderSignature = "X-Keymate-Signature"
	// HeaderEvent names the event that caused the delivery (Event*).
	HeaderEvent = "X-Keymate-Event"

	EventTest          = "test"
	EventAlertOpened   = "alert.opened"
	EventAlertRenotify = "alert.renotify"
	EventAlertResolved = "alert.resolved"
)

// Alert rule severities.
const (
	SeverityCritical = "critical"
	SeverityWarning  = "warning"
	SeverityInfo     = "info"
)

// Severities is the catalogue of alert rule severities.
var Severities = []string{SeverityCritical, SeverityWarning, SeverityInfo}

// Condition operators: the metric's value compared with the threshold.
const (
	OperatorGT  = "gt"
	OperatorGTE = "gte"
	OperatorLT  = "lt"
	OperatorLTE = "lte"
)

// Operators is the catalogue of condition operators.
var Operators = []string{OperatorGT, OperatorGTE, OperatorLT, OperatorLTE}

// Metrics of the alert rule catalogue: what the server really measures.
const (
	MetricAPIErrorRate        = "api.error_rate"
	MetricAPILatencyP99       = "api.latency_p99_ms"
	MetricAPIRequestRate      = "api.request_rate"
	MetricRateLimitThrottled  = "rate_limit.throttled"
	MetricAuthFailures        = "auth.failures"
	MetricKeysRotationOverdue = "keys.rotation_overdue"
)

// MetricInfo describes one metric of the catalogue. Scope, when set, is the
// scope whose data the metric reveals (a rule's incidents carry its value):
// creating, changing or deleting a rule on the metric requires it, so that
// alerts:write never reads more than its holder may.
type MetricInfo struct {
	Name        string
	Description string
	Scope       string
}

// MetricCatalogue lists every metric an alert rule may watch, in
// documentation order.
var MetricCatalogue = []MetricInfo{
	{MetricAPIErrorRate, "Fraction (0 to 1) of API requests in the window answered with a 5xx status.", ScopeMetricsRead},
	{MetricAPILatencyP99, "99th percentile of API request latency in the window, in milliseconds.", ScopeMetricsRead},
	{MetricAPIRequestRate, "Mean API requests per second over the window.", ScopeMetricsRead},
	{MetricRateLimitThrottled, "Number of API requests refused with 429 (rate limited) in the window.", ScopeMetricsRead},
	{MetricAuthFailures, "Number of API requests refused with 401 (authentication failed) in the window.", ScopeMetricsRead},
	{MetricKeysRotationOverdue, "Number of active API keys overdue for rotation, that is at or past their next_rotation_at (the window is not used).", ScopeKeysRead},
}

// MetricScope returns the scope a rule on metric requires besides
// alerts:write ("" for a name outside the catalogue).
func MetricScope(metric string) string {
	for _, m := range MetricCatalogue {
		if m.Name == metric {
			return m.Scope
		}
	}
	return ""
}

// Metrics returns the names of the metric catalogue.
func Metrics() []string {
	names := make([]string, len(MetricCatalogue))
	for i, m := range MetricCatalogue {
		names[i] = m.Name
	}
	return names
}

// Limits of alert rules: durations (condition.window and renotify_interval)
// and labels. A condition's threshold must be 0 or more, and at most 1 for
// api.error_rate.
const (
	MinAlertDuration    = time.Minute
	MaxAlertDuration    = 24 * time.Hour
	MaxLabels           = 32
	MaxLabelKeyLength   = 63 // label keys: letters, digits, "_", "-" and "."
	MaxLabelValueLength = 256
)

// Incident status values.
const (
	IncidentStatusOpen     = "open"
	IncidentStatusResolved = "resolved"
)

// WebhookSettings is a webhook channel's configuration as the API returns
// it: header values and the signing secret are replaced by fingerprints, and
// the URL's credentials by URLMask (MaskURL); URLFingerprint tells when any
// part of the URL changed. A hidden URL (URLHidden) is not shown at all: URL
// is "" and Host is all that is shown of it.
type WebhookSettings struct {
	URL                      string   `json:"url" secret:"true"` // masked already; logs mask it whole
	URLFingerprint           string   `json:"url_fingerprint"`
	URLHidden                bool     `json:"url_hidden"`
	Host                     string   `json:"host"`
	HeaderNames              []string `json:"header_names"`
	HeadersFingerprint       string   `json:"headers_fingerprint"`        // "" when no headers
	SigningSecretFingerprint string   `json:"signing_secret_fingerprint"` // "" when none
}

// SlackSettings is a Slack channel's configuration as the API returns it.
type SlackSettings struct {
	Channel               string `json:"channel"`
	WebhookURLFingerprint string `json:"webhook_url_fingerprint"`
}

// PagerDutySettings is a PagerDuty channel's configuration as the API returns it.
type PagerDutySettings struct {
	EventsURL             string `json:"events_url" secret:"true"` // masked already; logs mask it whole
	EventsURLFingerprint  string `json:"events_url_fingerprint"`
	RoutingKeyFingerprint string `json:"routing_key_fingerprint"`
}

// EmailSettings is an email channel's configuration.
type EmailSettings struct {
	Addresses []string `json:"addresses"`
}

// NotificationChannel is a notification channel as the API returns it.
// Exactly the settings object matching Type is set. Secrets are never
// returned; each has a fingerprint ("sha256:" + 16 hex digits) instead.
type NotificationChannel struct {
	ID             string             `json:"id"`
	Name           string             `json:"name"`
	Type           string             `json:"type"`
	Enabled        bool               `json:"enabled"`
	Webhook        *WebhookSettings   `json:"webhook"`
	Slack          *SlackSettings     `json:"slack"`
	PagerDuty      *PagerDutySettings `json:"pagerduty"`
	Email          *EmailSettings     `json:"email"`
	LastTestAt     *time.Time         `json:"last_test_at"`
	LastTestStatus string             `json:"last_test_status"` // TestStatus*
	LastTestError  string             `json:"last_test_error"`
	CreatedAt      time.Time          `json:"created_at"`
	UpdatedAt      time.Time          `json:"updated_at"`
	Version        int64              `json:"version"`
}

// WebhookInput is a webhook channel's configuration in a request. In an
// update, a nil SigningSecret keeps the stored one and "" removes it; a nil
// Headers keeps the stored headers and a present one replaces the whole map.
// URL must be http or https; it may hold credentials (userinfo, query
// values), which the API never returns. URLHidden true hides the whole URL
// (for one whose path is its secret); a nil URLHidden keeps the stored
// choice (false on create), and turning it off needs URL in the same
// request, so that a hidden URL is never revealed.
type WebhookInput struct {
	URL           *string            `json:"url,omitempty" secret:"true"`
	URLHidden     *bool              `json:"url_hidden,omitempty"`
	Headers       *map[string]string `json:"headers,omitempty" secret:"true"`
	SigningSecret *string            `json:"signing_secret,omitempty" secret:"true"`
}

// SlackInput is a Slack channel's configuration in a request. In an update,
// a nil WebhookURL keeps the stored one. WebhookURL must be https (http only
// for loopback hosts); Channel starts with "#" or "@" and has no spaces.
type SlackInput struct {
	WebhookURL *string `json:"webhook_url,omitempty" secret:"true"`
	Channel    *string `json:"channel,omitempty"`
}

// PagerDutyInput is a PagerDuty channel's configuration in a request. In an
// update, a nil RoutingKey keeps the stored one; on create a nil EventsURL
// means DefaultPagerDutyEventURL. RoutingKey is PagerDutyRoutingKeyLen
// letters and digits; EventsURL follows the rule of SlackInput.WebhookURL.
type PagerDutyInput struct {
	RoutingKey *string `json:"routing_key,omitempty" secret:"true"`
	EventsURL  *string `json:"events_url,omitempty" secret:"true"`
}

// EmailInput is an email channel's configuration in a request: 1 to
// MaxEmailAddresses distinct addresses such as "ops@example.com".
type EmailInput struct {
	Addresses *[]string `json:"addresses,omitempty"`
}

// CreateNotificationChannelRequest is the body of POST
// /v1/notification-channels. Exactly the settings object matching Type must
// be set; Enabled defaults to true.
type CreateNotificationChannelRequest struct {
	Name      string          `json:"name"`
	Type      string          `json:"type"`
	Enabled   *bool           `json:"enabled,omitempty"`
	Webhook   *WebhookInput   `json:"webhook,omitempty"`
	Slack     *SlackInput     `json:"slack,omitempty"`
	PagerDuty *PagerDutyInput `json:"pagerduty,omitempty"`
	Email     *EmailInput     `json:"email,omitempty"`
}

// UpdateNotificationChannelRequest is the body of PATCH
// /v1/notification-channels/{id}: a merge patch. Only the settings object of
// the channel's type may be present; inside it, present fields replace and
// absent secret fields keep their stored value. The type cannot change.
type UpdateNotificationChannelRequest struct {
	Name      *string         `json:"name,omitempty"`
	Enabled   *bool           `json:"enabled,omitempty"`
	Webhook   *WebhookInput   `json:"webhook,omitempty"`
	Slack     *SlackInput     `json:"slack,omitempty"`
	PagerDuty *PagerDutyInput `json:"pagerduty,omitempty"`
	Email     *EmailInput     `json:"email,omitempty"`
}

// NotificationChannelList is a page of notification channels.
type NotificationChannelList struct {
	Data       []NotificationChannel `json:"data"`
	NextCursor string                `json:"next_cursor"`
}

// ChannelTestResult is the answer of POST /v1/notification-channels/{id}/test.
// A failed delivery is reported here (Status "failed", Error set), not as an
// HTTP error. Error is the server's own description; it never quotes the
// receiver's answer.
type ChannelTestResult struct {
	Status   string `json:"status"` // TestStatusSucceeded or TestStatusFailed
	Error    string `json:"error"`
	Attempts int    `json:"attempts"`
	// HTTPStatus is the receiver's status code for the last attempt; 0
	// when there was no HTTP answer (email, refused or failed connection).
	HTTPStatus int `json:"http_status"`
	// LatencyMS is how long the last attempt took, in milliseconds.
	LatencyMS int64     `json:"latency_ms"`
	TestedAt  time.Time `json:"tested_at"`
}

// AlertCondition compares a metric over a window with a threshold. Window is
// a Go duration between MinAlertDuration and MaxAlertDuration; the API
// answers it in canonical form ("5m0s").
type AlertCondition struct {
	Operator  string  `json:"operator"`
	Threshold float64 `json:"threshold"`
	Window    string  `json:"window"`
}

// AlertRule is an alert rule as the API returns it. OpenIncidentID is
// and OpenIncidents are volatile: they change as the evaluator opens and
// resolves incidents.
type AlertRule struct {
	ID                     string            `json:"id"`
	Name                   string            `json:"name"`
	Description            string            `json:"description"`
	Enabled                bool              `json:"enabled"`
	Severity               string            `json:"severity"`
	Metric                 string            `json:"metric"`
	Condition              AlertCondition    `json:"condition"`
	NotificationChannelIDs []string          `json:"notification_channel_ids"`
	RenotifyInterval       string            `json:"renotify_interval"` // "" = never
	Labels                 map[string]string `json:"labels"`
	OpenIncidentID         *string           `json:"open_incident_id"`
	OpenIncidents          int64             `json:"open_incidents"`
	CreatedAt              time.Time         `json:"created_at"`
	UpdatedAt              time.Time         `json:"updated_at"`
	Version                int64             `json:"version"`
}

// CreateAlertRuleRequest is the body of POST /v1/alert-rules. Enabled
// defaults to true; RenotifyInterval "" or nil means never re-notify. A
// critical rule needs at least one notification channel.
type CreateAlertRuleRequest struct {
	Name                   string            `json:"name"`
	Description            string            `json:"description,omitempty"`
	Enabled                *bool             `json:"enabled,omitempty"`
	Severity               string            `json:"severity"`
	Metric                 string            `json:"metric"`
	Condition              AlertCondition    `json:"condition"`
	NotificationChannelIDs []string          `json:"notification_channel_ids"`
	RenotifyInterval       *string           `json:"renotify_interval,omitempty"`
	Labels                 map[string]string `json:"labels,omitempty"`
}

// UpdateAlertRuleRequest is the body of PATCH /v1/alert-rules/{id}: a merge
// patch. The fields of a present Condition replace the stored ones; present
// NotificationChannelIDs and Labels replace the set and the map;
// RenotifyInterval "" turns re-notification off.
type UpdateAlertRuleRequest struct {
	Name                   *string            `json:"name,omitempty"`
	Description            *string            `json:"description,omitempty"`
	Enabled                *bool              `json:"enabled,omitempty"`
	Severity               *string            `json:"severity,omitempty"`
	Metric                 *string            `json:"metric,omitempty"`
	Condition              *AlertCondition    `json:"condition,omitempty"`
	NotificationChannelIDs *[]string          `json:"notification_channel_ids,omitempty"`
	RenotifyInterval       *string            `json:"renotify_interval,omitempty"`
	Labels                 *map[string]string `json:"labels,omitempty"`
}

// AlertRuleList is a page of alert rules.
type AlertRuleList struct {
	Data       []AlertRule `json:"data"`
	NextCursor string      `json:"next_cursor"`
}

// AlertIncident is one firing of an alert rule: opened when the condition
// held, resolved when it no longer did.
type AlertIncident struct {
	ID                string     `json:"id"`
	RuleID            string     `json:"rule_id"`
	Status            string     `json:"status"` // IncidentStatus*
	OpenedAt          time.Time  `json:"opened_at"`
	ResolvedAt        *time.Time `json:"resolved_at"`
	Value             float64    `json:"value"`
	LastValue         float64    `json:"last_value"`
	NotificationsSent int64      `json:"notifications_sent"`
	LastNotifiedAt    *time.Time `json:"last_notified_at"`
	// Notifications are the incident's deliveries to its rule's channels,
	// oldest first: one per channel for each event notified.
	Notifications []AlertNotification `json:"notifications"`
}

// Notification delivery status values (AlertNotification.Status).
const (
	NotificationPending   = "pending"
	NotificationDelivered = "delivered"
	NotificationFailed    = "failed"
)

// AlertNotification is one notification of an incident to one channel and
// its outcome: pending while the server still tries (with backoff), then
// delivered, or failed after the last attempt (or at once, for a channel
// deleted or disabled meanwhile). LastError is the server's own words about
// the last failed attempt; it never quotes a receiver's answer.
type AlertNotification struct {
	ID        string    `json:"id"`
	ChannelID string    `json:"channel_id"`
	Event     string    `json:"event"` // EventAlertOpened, EventAlertRenotify or EventAlertResolved
	Status    string    `json:"status"`
	Attempts  int64     `json:"attempts"`
	LastError string    `json:"last_error"`
	CreatedAt time.Time `json:"created_at"`
}

// IncidentStatuses lists the incident status values.
var IncidentStatuses = []string{IncidentStatusOpen, IncidentStatusResolved}

// AlertIncidentList is a page of incidents, newest first: of one rule
// (GET /v1/alert-rules/{id}/incidents), or of every rule, filtered by
// rule_id and status (GET /v1/alert-incidents).
type AlertIncidentList struct {
	Data       []AlertIncident `json:"data"`
	NextCursor string          `json:"next_cursor"`
}
