// Package client is the Go client of the Keymate API v1. It is the only code
// that builds HTTP requests to the API: the provider calls its methods.
//
// Every request goes through one helper (Client.do) that adds authentication,
// the User-Agent and an Idempotency-Key on POST, retries 429, 5xx and
// connection errors with exponential backoff and full jitter, turns non-2xx
// responses into *APIError, and logs each attempt with secrets masked.
package client

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
)

// Defaults applied to zero Config values.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultMinRetryWait   = 500 * time.Millisecond
	DefaultMaxRetryWait   = time.Minute
	DefaultUserAgent      = "keymate-go-client"
)

const (
	// maxResponseBytes bounds how much of a response body is read.
	maxResponseBytes = 16 << 20
	// pageSize is the page size requested when following cursors.
	pageSize = 100
	// maxIdleConns is how many idle keep-alive connections the client keeps
	// to the API: more than Terraform's default -parallelism of 10, so that
	// parallel calls reuse connections (net/http's default keeps 2 per host,
	// and a plan opened over a hundred connections).
	maxIdleConns = 32
)

// Config configures a Client.
type Config struct {
	// Endpoint is the API's base URL, for example http://127.0.0.1:8080.
	Endpoint string
	// APIKey is the bearer secret sent on every request.
	APIKey string
	// UserAgent is sent on every request, for example
	// "terraform-provider-keymate/1.2.3 (+https://registry.terraform.io/providers/keymate/keymate)".
	UserAgent string
	// MaxRetries is the number of retries after the first attempt; 0 = no retry.
	MaxRetries int
	// RequestTimeout bounds each attempt; 0 = 30s.
	RequestTimeout time.Duration
	// MinRetryWait is the shortest wait between attempts; 0 = 500ms.
	MinRetryWait time.Duration
	// MaxRetryWait caps the backoff between attempts, and is the longest
	// wait the client accepts from the server (Retry-After,
	// X-RateLimit-Reset): when the server asks for more, the call ends with a
	// *RetryWaitError instead of retrying early; 0 = 1m.
	MaxRetryWait time.Duration
	// HTTPClient sends the requests; nil = an http.Client keeping up to 32 idle
	// keep-alive connections to the API.
	HTTPClient *http.Client
}

// Client calls the Keymate API. It is safe for concurrent use.
type Client struct {
	base       *url.URL
	apiKey     string
	userAgent  string
	maxRetries int
	timeout    time.Duration
	minWait    time.Duration
	maxWait    time.Duration
	http       *http.Client

	// clock tells the time for X-RateLimit-Reset and Retry-After dates.
	clock clock.Clock
	// sleep waits d or until ctx is done; tests replace it to run without waiting.
	sleep func(ctx context.Context, d time.Duration) error

	// writes counts the starts and ends of calls other than GET; a change
	// drops the refreshers' listings (refresh.go).
	writes atomic.Uint64
	// How reads coalesce (refresh.go): a batch is sent batchWindow after its
	// first read or when it holds batchSize ids; more than listAfter reads of
	// a kind start a listing in pages of listPage, holding at most listCap
	// objects not yet handed out.
	batchWindow                             time.Duration
	batchSize, listAfter, listPage, listCap int
	// One refresher per kind of object.
	apiKeys              *refresher[apiv1.APIKey]
	notificationChannels *refresher[apiv1.NotificationChannel]
	alertRules           *refresher[apiv1.AlertRule]
	accessGrants         *refresher[apiv1.AccessGrant]
	backupSchedules      *refresher[apiv1.BackupSchedule]
}

// New validates cfg, applies its defaults and returns a Client. Errors name
// the offending setting.
func New(cfg Config) (*Client, error) {
	base, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("keymate client: APIKey must not be empty")
	}
	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("keymate client: MaxRetries must be 0 or more, got %d", cfg.MaxRetries)
	}
	for name, d := range map[string]time.Duration{
		"RequestTimeout": cfg.RequestTimeout, "MinRetryWait": cfg.MinRetryWait, "MaxRetryWait": cfg.MaxRetryWait,
	} {
		if d < 0 {
			return nil, fmt.Errorf("keymate client: %s must not be negative, got %s", name, d)
		}
	}
	c := &Client{
		base:       base,
		apiKey:     cfg.APIKey,
		userAgent:  cmp.Or(cfg.UserAgent, DefaultUserAgent),
		maxRetries: cfg.MaxRetries,
		timeout:    cmp.Or(cfg.RequestTimeout, DefaultRequestTimeout),
		minWait:    cmp.Or(cfg.MinRetryWait, DefaultMinRetryWait),
		maxWait:    cmp.Or(cfg.MaxRetryWait, DefaultMaxRetryWait),
		http:       cfg.HTTPClient,
		clock:      clock.Real{},
		sleep:      sleepContext,

		batchWindow: defaultBatchWindow,
		batchSize:   apiv1.MaxListIDs,
		listAfter:   defaultListAfter,
		listPage:    apiv1.MaxPageLimit,
		listCap:     defaultListCap,
	}
	c.apiKeys = newRefresher(c, apiKeysPath, func(k *apiv1.APIKey) string { return k.ID })
	c.notificationChannels = newRefresher(c, notificationChannelsPath, func(ch *apiv1.NotificationChannel) string { return ch.ID })
	c.alertRules = newRefresher(c, alertRulesPath, func(r *apiv1.AlertRule) string { return r.ID })
	c.accessGrants = newRefresher(c, accessGrantsPath, func(g *apiv1.AccessGrant) string { return g.ID })
	c.backupSchedules = newRefresher(c, backupSchedulesPath, func(b *apiv1.BackupSchedule) string { return b.ID })
	if c.minWait > c.maxWait {
		return nil, fmt.Errorf("keymate client: MinRetryWait (%s) must not exceed MaxRetryWait (%s)", c.minWait, c.maxWait)
	}
	if c.http == nil {
		t := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // net/http's documented type.
		t.MaxIdleConns, t.MaxIdleConnsPerHost = maxIdleConns, maxIdleConns
		c.http = &http.Client{Transport: t}
	}
	return c, nil
}

func parseEndpoint(raw string) (*url.URL, error) {
	const want = "must be an absolute http or https URL such as https://keymate.example.com"
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("keymate client: Endpoint must not be empty; it " + want)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("keymate client: Endpoint is not a valid URL; it " + want)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("keymate client: Endpoint %q %s", u.Redacted(), want)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("keymate client: Endpoint %q must not have a query or fragment", u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// sleepContext waits d, or returns ctx's error as soon as ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// objectPath joins a collection path and an escaped id, plus an optional
// action such as "rotate". An empty id is an error, so that a call never
// silently addresses the collection.
func objectPath(collection, id string, action ...string) (string, error) {
	if id == "" {
		return "", fmt.Errorf("%s: id must not be empty", collection)
	}
	return strings.Join(append([]string{collection, url.PathEscape(id)}, action...), "/"), nil
}

// send performs method on path with body (nil for none) and returns the
// answer decoded into a T: the create of every kind and the calls below.
func send[T any](ctx context.Context, c *Client, method, path string, body any) (*T, error) {
	var out T
	if err := c.do(ctx, method, path, nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// sendTo is send to the object id of collection, or to action below it
// ("rotate"): the get, update and operations of every kind.
func sendTo[T any](ctx context.Context, c *Client, method, collection, id string, body any, action ...string) (*T, error) {
	path, err := objectPath(collection, id, action...)
	if err != nil {
		return nil, err
	}
	return send[T](ctx, c, method, path, body)
}

// deleteObject deletes (or revokes) the object id of collection.
func deleteObject(ctx context.Context, c *Client, collection, id string) error {
	path, err := objectPath(collection, id)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, path, nil, nil, nil)
}

// do performs one logical API call: it sends method path?query with body
// encoded as JSON (nil = no body), retries as configured and decodes a 2xx
// response into out (nil = discard). Every endpoint method is built on it.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	req := call{method: method, path: path, bodyType: reflect.TypeOf(body), outType: reflect.TypeOf(out)}
	if body != nil {
		var err error
		if req.payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("%s %s: encoding request body: %w", method, path, err)
		}
	}
	// path is already escaped (see objectPath), so it is appended verbatim.
	req.target = c.base.String() + path
	if q := query.Encode(); q != "" {
		req.target += "?" + q
	}

	// One Idempotency-Key per logical call, the same on every retry, so that a
	// retried POST never creates a second object.
	if method == http.MethodPost {
		req.idempotencyKey = uuid.NewString()
	}

	if method != http.MethodGet {
		// Before and after: a listing begun while the write was under way
		// is dropped too.
		c.writes.Add(1)
		defer c.writes.Add(1)
	}
	ctx = c.logContext(ctx)
	// maybeDone records that an attempt reached the server without a
	// definite answer: its request was written and then the connection
	// broke, or it was answered 5xx.
	maybeDone := false
	for attempt := 1; ; attempt++ {
		res, sent, err := c.attempt(ctx, attempt, req)
		if err == nil && res.status >= 200 && res.status < 300 {
			return decodeSuccess(method, path, res, out)
		}
		maybeDone = maybeDone || (err != nil && sent) || (err == nil && res.status >= 500)
		var callErr error
		switch {
		case err == nil:
			callErr = c.apiError(method, path, res)
		case attempt > 1:
			callErr = fmt.Errorf("%s %s: attempt %d: %w", method, path, attempt, err)
		default:
			callErr = fmt.Errorf("%s %s: %w", method, path, err)
		}
		if attempt > c.maxRetries || !retryable(res, err) {
			return req.unconfirmed(maybeDone, res, err, callErr)
		}
		// A done context ends the call instead of a retry, whether it ended
		// during the attempt or during the wait.
		waitErr := ctx.Err()
		if waitErr == nil {
			wait := c.retryWait(attempt, res)
			if tooLong := c.checkWait(ctx, wait); tooLong != nil {
				return req.unconfirmed(maybeDone, nil, tooLong, fmt.Errorf("%w; last attempt: %w", tooLong, callErr))
			}
			logRetry(ctx, method, path, attempt, wait, callErr)
			waitErr = c.sleep(ctx, wait)
		}
		if waitErr != nil {
			return req.unconfirmed(maybeDone, nil, waitErr, fmt.Errorf("%w before retrying; last attempt: %w", waitErr, callErr))
		}
	}
}

// unconfirmed returns callErr, the error that ends the call, as an
// *UnconfirmedError when the call carries an Idempotency-Key, an attempt may
// have been carried out (maybeDone) and the last one did not end with a
// definite refusal: a 4xx other than 429 (a retry with the same key is
// replayed the first outcome, so a refusal means nothing was done).
func (r call) unconfirmed(maybeDone bool, res *response, err error, callErr error) error {
	refused := err == nil && res != nil && res.status >= 400 && res.status < 500 && res.status != http.StatusTooManyRequests
	if r.idempotencyKey == "" || !maybeDone || refused {
		return callErr
	}
	return &UnconfirmedError{IdempotencyKey: r.idempotencyKey, Err: callErr}
}

// call is one logical API call, the same for each of its attempts.
type call struct {
	method, path   string
	target         string // the full URL
	payload        []byte // nil = no body
	idempotencyKey string // "" = none
	// bodyType and outType are the Go types of the request body and of a 2xx
	// response's body (nil = none); the log masks their secret fields.
	bodyType, outType reflect.Type
}

// response is what one attempt read from the server.
type response struct {
	status int
	header http.Header
	body   []byte
}

// attemptTimeoutKey carries the attempt timeout of WithAttemptTimeout.
type attemptTimeoutKey struct{}

// WithAttemptTimeout returns ctx with which each attempt of a call may take
// up to d instead of the client's RequestTimeout: for a call that the API
// answers only when its work is done, such as running a backup.
func WithAttemptTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, attemptTimeoutKey{}, d)
}

// attempt sends one HTTP request bounded by the per-attempt timeout and reads
// the whole response body before that timeout's context ends. sent reports
// whether the whole request was written to the server.
func (c *Client) attempt(ctx context.Context, n int, r call) (res *response, sent bool, err error) {
	timeout := c.timeout
	if d, ok := ctx.Value(attemptTimeoutKey{}).(time.Duration); ok {
		timeout = d
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			wrote.Store(true)
		}
	}})
	res, err = c.send(ctx, n, r)
	return res, wrote.Load(), err
}

// send is one attempt's request and response.
func (c *Client) send(ctx context.Context, n int, r call) (*response, error) {
	var body io.Reader
	if r.payload != nil {
		body = bytes.NewReader(r.payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if r.payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.idempotencyKey != "" {
		req.Header.Set(apiv1.HeaderIdempotencyKey, r.idempotencyKey)
	}

	c.logRequest(ctx, r.method, r.path, n, r.payload, r.bodyType)
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		logFailure(ctx, r.method, r.path, n, time.Since(start), err)
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		logFailure(ctx, r.method, r.path, n, time.Since(start), err)
		return nil, fmt.Errorf("reading response: %w", err)
	}
	res := &response{status: resp.StatusCode, header: resp.Header, body: data}
	c.logResponse(ctx, r.method, r.path, n, time.Since(start), res, r.outType)
	return res, nil
}

func decodeSuccess(method, path string, res *response, out any) error {
	if out == nil || res.status == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(res.body, out); err != nil {
		return fmt.Errorf("%s %s: decoding %d response: %w", method, path, res.status, err)
	}
	return nil
}

// retryable reports whether an attempt that ended with res or err may be
// retried: 429, 500, 502, 503, 504 and connection errors, but not TLS
// certificate failures (a retry cannot fix them).
func retryable(res *response, err error) bool {
	if err != nil {
		var certErr *tls.CertificateVerificationError
		return !errors.As(err, &certErr)
	}
	switch res.status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryWait is the wait before the retry that follows attempt n: a random
// duration between MinRetryWait and the exponential ceiling MinRetryWait*2^(n-1)
// capped by MaxRetryWait (full jitter), raised to what the server asked for
// on 429 or 503, in full: checkWait decides whether the client waits that long.
func (c *Client) retryWait(n int, res *response) time.Duration {
	ceiling := c.minWait
	for i := 1; i < n && ceiling < c.maxWait; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, c.maxWait)
	wait := c.minWait + rand.N(ceiling-c.minWait+1) //nolint:gosec // G404: jitter needs no cryptographic randomness.
	if res != nil && (res.status == http.StatusTooManyRequests || res.status == http.StatusServiceUnavailable) {
		wait = max(wait, c.serverWait(res.header))
	}
	return wait
}

// RetryWaitError ends a call whose next attempt would have to wait longer
// than the client may: more than MaxRetryWait (only a wait the server asks
// for, with Retry-After or X-RateLimit-Reset, can be), or past the context's
// deadline. The client never retries sooner than the server asked, so it
// gives up at once instead of waiting in vain.
type RetryWaitError struct {
	// Wait is what the next attempt would have to wait.
	Wait time.Duration
	// Limit is MaxRetryWait, or what was left before the deadline.
	Limit time.Duration
	// Deadline says that Limit is what was left before the context's deadline.
	Deadline bool
}

func (e *RetryWaitError) Error() string {
	if e.Deadline {
		return fmt.Sprintf("not retried: the next attempt would have to wait %s, but the call's deadline is %s away", e.Wait, e.Limit)
	}
	return fmt.Sprintf("not retried: the server asked to wait %s before the next attempt, longer than the client waits at most (%s)", e.Wait, e.Limit)
}

// checkWait returns a *RetryWaitError when wait is longer than MaxRetryWait
// or than what is left before ctx's deadline, else nil.
func (c *Client) checkWait(ctx context.Context, wait time.Duration) error {
	if wait > c.maxWait {
		return &RetryWaitError{Wait: wait, Limit: c.maxWait}
	}
	if deadline, ok := ctx.Deadline(); ok {
		if left := time.Until(deadline); wait > left {
			return &RetryWaitError{Wait: wait, Limit: left.Round(time.Millisecond), Deadline: true}
		}
	}
	return nil
}

// serverWait is how long the server asked the client to wait: Retry-After
// (seconds or an HTTP date), else X-RateLimit-Reset (Unix seconds); 0 if it
// said nothing usable.
func (c *Client) serverWait(h http.Header) time.Duration {
	if v := strings.TrimSpace(h.Get(apiv1.HeaderRetryAfter)); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(c.clock.Now()), 0)
		}
	}
	if v := strings.TrimSpace(h.Get(apiv1.HeaderRateLimitReset)); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
			return max(time.Unix(secs, 0).Sub(c.clock.Now()), 0)
		}
	}
	return 0
}

// apiError builds the *APIError of a non-2xx response. A body that is not an
// error envelope still yields an error with the status and a short, masked
// snippet of the body.
func (c *Client) apiError(method, path string, res *response) *APIError {
	e := &APIError{StatusCode: res.status, Method: method, Path: path}
	var env apiv1.ErrorEnvelope
	if err := json.Unmarshal(res.body, &env); err == nil && env.Error.Code != "" {
		e.Code = env.Error.Code
		e.Message = c.redact(env.Error.Message)
		e.RequestID = env.Error.RequestID
		for _, f := range env.Error.Fields {
			e.Fields = append(e.Fields, apiv1.FieldError{Path: f.Path, Message: c.redact(f.Message)})
		}
	} else {
		e.Message = c.redact(snippet(res.body))
	}
	if e.RequestID == "" {
		e.RequestID = res.header.Get(apiv1.HeaderRequestID)
	}
	return e
}

// snippet returns the start of a body as one short line.
func snippet(body []byte) string {
	const maxLen = 200
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "")), " ")
	if r := []rune(s); len(r) > maxLen {
		s = string(r[:maxLen]) + "..."
	}
	return s
}
