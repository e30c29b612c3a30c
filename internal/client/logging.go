package client

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// LogSubsystem is the terraform-plugin-log subsystem the client logs to; its
// lines carry "@module": "provider.keymate_client".
const LogSubsystem = "keymate_client"

// masked replaces every secret in logs, bodies and error messages.
const masked = "***"

// secretPattern matches Keymate secrets ("km_" + base64url) wherever they appear.
var secretPattern = regexp.MustCompile(`km_[A-Za-z0-9_-]{20,}`)

// secretFieldKeys are log field keys whose values are always masked.
var secretFieldKeys = []string{"secret", "api_key", "authorization", "Authorization"}

// logContext returns ctx with the client's log subsystem, which masks the
// configured API key, anything shaped like a Keymate secret and the values
// of secret-named fields in every message and field.
func (c *Client) logContext(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, LogSubsystem)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, LogSubsystem, secretFieldKeys...)
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, LogSubsystem, c.apiKey)
	ctx = tflog.SubsystemMaskAllFieldValuesRegexes(ctx, LogSubsystem, secretPattern)
	ctx = tflog.SubsystemMaskMessageStrings(ctx, LogSubsystem, c.apiKey)
	ctx = tflog.SubsystemMaskMessageRegexes(ctx, LogSubsystem, secretPattern)
	return ctx
}

func logRequest(ctx context.Context, method, path string, attempt int, payload []byte) {
	fields := map[string]any{"method": method, "path": path, "attempt": attempt}
	if payload != nil {
		fields["request_body"] = redactBody(payload)
	}
	tflog.SubsystemDebug(ctx, LogSubsystem, "Sending HTTP request", fields)
}

func logResponse(ctx context.Context, method, path string, attempt int, took time.Duration, res *response) {
	fields := map[string]any{
		"method": method, "path": path, "attempt": attempt, "status": res.status,
		"request_id": res.header.Get(apiv1.HeaderRequestID), "duration_ms": took.Milliseconds(),
	}
	if len(res.body) > 0 {
		fields["response_body"] = redactBody(res.body)
	}
	tflog.SubsystemDebug(ctx, LogSubsystem, "Received HTTP response", fields)
}

func logFailure(ctx context.Context, method, path string, attempt int, took time.Duration, err error) {
	tflog.SubsystemDebug(ctx, LogSubsystem, "HTTP request failed", map[string]any{
		"method": method, "path": path, "attempt": attempt, "duration_ms": took.Milliseconds(), "error": err.Error(),
	})
}

func logRetry(ctx context.Context, method, path string, attempt int, wait time.Duration, err error) {
	tflog.SubsystemDebug(ctx, LogSubsystem, "Retrying HTTP request", map[string]any{
		"method": method, "path": path, "attempt": attempt, "wait": wait.String(), "error": err.Error(),
	})
}

// isSecretKey reports whether a JSON field name holds a secret: "secret" and
// any name ending in "secret" or "_key" (signing_secret, routing_key, ...).
func isSecretKey(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, "secret") || strings.HasSuffix(n, "_key")
}

// redactBody returns a JSON body for logging with the values of secret
// fields masked at any depth. A body that is not JSON is logged as a masked
// snippet.
func redactBody(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return secretPattern.ReplaceAllString(snippet(body), masked)
	}
	out, err := json.Marshal(redactValue(v))
	if err != nil {
		return masked
	}
	return secretPattern.ReplaceAllString(string(out), masked)
}

func redactValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if isSecretKey(k) && child != nil {
				t[k] = masked
			} else {
				t[k] = redactValue(child)
			}
		}
	case []any:
		for i, child := range t {
			t[i] = redactValue(child)
		}
	}
	return v
}

// redact masks the configured API key and anything shaped like a Keymate
// secret in a message from the server.
func (c *Client) redact(s string) string {
	s = strings.ReplaceAll(s, c.apiKey, masked)
	return secretPattern.ReplaceAllString(s, masked)
}
