package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
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

// logContext returns ctx with the client's log subsystem, which masks the
// configured API key and anything shaped like a Keymate secret in every
// message and string field. Bodies are masked by loggedBody.
func (c *Client) logContext(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, LogSubsystem)
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, LogSubsystem, c.apiKey)
	ctx = tflog.SubsystemMaskAllFieldValuesRegexes(ctx, LogSubsystem, secretPattern)
	ctx = tflog.SubsystemMaskMessageStrings(ctx, LogSubsystem, c.apiKey)
	ctx = tflog.SubsystemMaskMessageRegexes(ctx, LogSubsystem, secretPattern)
	return ctx
}

// loggedBody is a request or response body as a log field. Its text is
// built only when a line is written (the logger calls String or
// MarshalJSON), so a body costs nothing with debug logging off. The text is
// the JSON with the fields that its wire type tags secret masked
// (apiv1.MaskSecrets), then the client's API key and anything shaped like a
// Keymate secret masked too.
type loggedBody struct {
	c    *Client
	typ  reflect.Type // the Go type the body is encoded from or decoded into; nil when unknown
	body []byte
}

func (b loggedBody) String() string {
	dec := json.NewDecoder(bytes.NewReader(b.body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return b.c.redact(snippet(b.body))
	}
	if b.typ == nil {
		// Without a wire type the secret fields are unknown: log only the size.
		return fmt.Sprintf("(%d bytes of JSON)", len(b.body))
	}
	out, err := json.Marshal(apiv1.MaskSecrets(b.typ, v, masked))
	if err != nil {
		return masked
	}
	return b.c.redact(string(out))
}

// MarshalJSON logs the body as a JSON string, as with JSON log output.
func (b loggedBody) MarshalJSON() ([]byte, error) { return json.Marshal(b.String()) }

func (c *Client) logRequest(ctx context.Context, method, path string, attempt int, payload []byte, typ reflect.Type) {
	fields := map[string]any{"method": method, "path": path, "attempt": attempt}
	if payload != nil {
		fields["request_body"] = loggedBody{c: c, typ: typ, body: payload}
	}
	tflog.SubsystemDebug(ctx, LogSubsystem, "Sending HTTP request", fields)
}

// logResponse logs a response; typ is the type a 2xx body decodes into (an
// error body is an apiv1.ErrorEnvelope).
func (c *Client) logResponse(ctx context.Context, method, path string, attempt int, took time.Duration, res *response, typ reflect.Type) {
	fields := map[string]any{
		"method": method, "path": path, "attempt": attempt, "status": res.status,
		"request_id": res.header.Get(apiv1.HeaderRequestID), "duration_ms": took.Milliseconds(),
	}
	if res.status < 200 || res.status > 299 {
		typ = reflect.TypeFor[apiv1.ErrorEnvelope]()
	}
	if len(res.body) > 0 {
		fields["response_body"] = loggedBody{c: c, typ: typ, body: res.body}
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

// redact masks the configured API key and anything shaped like a Keymate
// secret in a message from the server.
func (c *Client) redact(s string) string {
	s = strings.ReplaceAll(s, c.apiKey, masked)
	return secretPattern.ReplaceAllString(s, masked)
}
