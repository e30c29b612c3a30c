package apiv1

import "time"

// Usage of API keys: the server counts the requests each key makes, per
// route and hour, in its database (so that the counts of every server
// sharing it add up), and keeps the counts for UsageRetention.
const (
	// DefaultUsageWindow is the window of GET /v1/api-keys/{id}/usage that
	// names none; MinUsageWindow is the shortest it takes.
	DefaultUsageWindow = 24 * time.Hour
	MinUsageWindow     = time.Hour
	// UsageRetention is how long the hourly counts are kept, and the
	// longest window a usage request may ask for.
	UsageRetention = 90 * 24 * time.Hour
)

// APIKeyUsage is the answer of GET /v1/api-keys/{id}/usage: the requests
// made with the key in whole hours from Since (the start of the hour that
// Window before the server's clock falls in) until Until (the server's
// clock), in total and per route.
type APIKeyUsage struct {
	KeyID    string       `json:"key_id"`
	Window   string       `json:"window"` // canonical Go duration, for example "24h0m0s"
	Since    time.Time    `json:"since"`
	Until    time.Time    `json:"until"`
	Requests int64        `json:"requests"`
	Errors   int64        `json:"errors"`
	Routes   []RouteUsage `json:"routes"`
}

// RouteUsage counts the requests of one key to one route: Route is the
// method and path pattern, such as "GET /v1/api-keys/{id}"; Errors counts
// those answered with a status of 400 or more (refused for a missing
// scope, throttled, invalid, failed).
type RouteUsage struct {
	Route    string `json:"route"`
	Requests int64  `json:"requests"`
	Errors   int64  `json:"errors"`
}
