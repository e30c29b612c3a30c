// Package delivery sends notifications through notification channels:
// webhooks (signed JSON), Slack incoming webhooks, the PagerDuty Events API
// v2 and email through an SMTP relay (STARTTLS and AUTH PLAIN; credentials
// only ever inside TLS). Every attempt is bounded by a timeout and failed
// attempts are retried with exponential backoff. Sender.Send delivers
// synchronously with its own retries (channel tests); Sender.Attempt makes
// one bounded attempt, for callers that schedule retries themselves (the
// server's durable outbox of alert notifications).
//
// Every connection, HTTP and SMTP, is checked against the Sender's
// destination.Policy after name resolution; no proxy is used (it would
// connect on the Sender's behalf, past the policy) and redirects are not
// followed. Errors are the Sender's own words: a receiver's answer body is
// never read into them, so a delivery cannot be used to read an internal
// service.
package delivery

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server/destination"
)

// Defaults of a Sender.
const (
	DefaultAttemptTimeout = 5 * time.Second
	DefaultAttempts       = 3
	DefaultBackoff        = 250 * time.Millisecond
	DefaultSMTPFrom       = "keymate@localhost"
)

// maxDrainBody bounds how much of a receiver's answer is read (and
// discarded) so that the connection can be reused.
const maxDrainBody = 4 << 10

// Channel is a notification channel's configuration, secrets included.
// Exactly the field matching Type is set.
type Channel struct {
	Type      string     `json:"type"`
	Webhook   *Webhook   `json:"webhook,omitempty"`
	Slack     *Slack     `json:"slack,omitempty"`
	PagerDuty *PagerDuty `json:"pagerduty,omitempty"`
	Email     *Email     `json:"email,omitempty"`
}

// Webhook posts JSON to URL with Headers, signed when SigningSecret is set.
// URLHidden says the API shows only the URL's host.
type Webhook struct {
	URL           string            `json:"url"`
	URLHidden     bool              `json:"url_hidden,omitempty"`
	Headers       map[string]string `json:"headers,omitempty"`
	SigningSecret string            `json:"signing_secret,omitempty"`
}

// Slack posts to a Slack incoming webhook.
type Slack struct {
	WebhookURL string `json:"webhook_url"`
	Channel    string `json:"channel"`
}

// PagerDuty sends Events API v2 events.
type PagerDuty struct {
	RoutingKey string `json:"routing_key"`
	EventsURL  string `json:"events_url"`
}

// Email mails Addresses through the Sender's SMTP relay.
type Email struct {
	Addresses []string `json:"addresses"`
}

// Message is what a notification says. It is also the JSON body of a
// webhook delivery.
type Message struct {
	Event      string    `json:"event"` // apiv1.Event*
	Summary    string    `json:"summary"`
	Severity   string    `json:"severity,omitempty"`
	RuleID     string    `json:"rule_id,omitempty"`
	RuleName   string    `json:"rule_name,omitempty"`
	IncidentID string    `json:"incident_id,omitempty"`
	Metric     string    `json:"metric,omitempty"`
	Value      float64   `json:"value"`
	Threshold  float64   `json:"threshold"`
	Time       time.Time `json:"time"`
}

// STARTTLS modes of the SMTP relay (--smtp-starttls).
const (
	// StartTLSRequire upgrades every connection to the relay with STARTTLS,
	// verifying its certificate, before anything else is sent; a relay that
	// does not offer it gets nothing. The default.
	StartTLSRequire = "require"
	// StartTLSOff speaks plain SMTP: mail travels in clear, and credentials
	// are refused (SMTP.Check).
	StartTLSOff = "off"
)

// StartTLSModes lists the STARTTLS modes.
var StartTLSModes = []string{StartTLSRequire, StartTLSOff}

// SMTP is the relay that email channels send through. Zero fields take the
// defaults.
type SMTP struct {
	// Addr is the relay's host:port; "" disables email.
	Addr string
	// From is the sender address of emails. Defaults to DefaultSMTPFrom.
	From string
	// StartTLS is StartTLSRequire (when "") or StartTLSOff.
	StartTLS string
	// RootCAs verify the relay's certificate; nil means the system's roots.
	RootCAs *x509.CertPool
	// Username and Password, when set, authenticate with AUTH PLAIN, which
	// is sent only inside TLS.
	Username, Password string
}

// Check refuses a configuration that would send credentials in clear or
// that cannot work, naming the flag to fix.
func (c SMTP) Check() error {
	switch {
	case c.StartTLS != "" && !slices.Contains(StartTLSModes, c.StartTLS):
		return fmt.Errorf("--smtp-starttls must be one of %s, got %q", strings.Join(StartTLSModes, ", "), c.StartTLS)
	case c.Username != "" && c.StartTLS == StartTLSOff:
		return errors.New("--smtp-username needs --smtp-starttls require: SMTP credentials are never sent in clear")
	case c.Username != "" && c.Password == "":
		return errors.New("--smtp-username needs a password (--smtp-password-file or KEYMATE_SMTP_PASSWORD)")
	case c.Username == "" && c.Password != "":
		return errors.New("an SMTP password is set without --smtp-username")
	}
	return nil
}

// Config configures a Sender. Zero fields take the defaults.
type Config struct {
	// Clock stamps webhook signatures.
	Clock clock.Clock
	// Destinations decides which addresses deliveries may connect to, the
	// SMTP relay included. The zero Policy allows public addresses only.
	Destinations destination.Policy
	// SMTP is the relay of email channels; the zero value disables email.
	SMTP SMTP
	// AttemptTimeout bounds each attempt.
	AttemptTimeout time.Duration
	// Attempts is the number of attempts of one Send.
	Attempts int
	// Backoff is the wait after the first failed attempt; it doubles after
	// each further one.
	Backoff time.Duration
}

// Sender delivers messages. It is safe for concurrent use.
type Sender struct {
	clock    clock.Clock
	dialer   *net.Dialer
	http     *http.Client
	smtp     SMTP
	timeout  time.Duration
	attempts int
	backoff  time.Duration
}

// NewSender returns a Sender configured by cfg.
func NewSender(cfg Config) *Sender {
	dialer := cfg.Destinations.Dialer()
	s := &Sender{
		clock:    cfg.Clock,
		dialer:   dialer,
		http:     newHTTPClient(dialer),
		smtp:     cfg.SMTP,
		timeout:  cmp.Or(cfg.AttemptTimeout, DefaultAttemptTimeout),
		attempts: cmp.Or(cfg.Attempts, DefaultAttempts),
		backoff:  cmp.Or(cfg.Backoff, DefaultBackoff),
	}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	s.smtp.From = cmp.Or(s.smtp.From, DefaultSMTPFrom)
	s.smtp.StartTLS = cmp.Or(s.smtp.StartTLS, StartTLSRequire)
	return s
}

// newHTTPClient returns the client of webhook, Slack and PagerDuty
// deliveries: it connects through dialer only, directly (no proxy) and
// follows no redirect (a 3xx answer is a failed delivery).
func newHTTPClient(dialer *net.Dialer) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Result is the outcome of a Send.
type Result struct {
	// Attempts is the number of attempts made.
	Attempts int
	// HTTPStatus is the status code of the receiver's answer to the last
	// attempt; 0 when there was none (email, or no connection).
	HTTPStatus int
	// Latency is how long the last attempt took, by the wall clock.
	Latency time.Duration
	// Err is the last attempt's error; nil on success.
	Err error
}

// Send delivers msg through ch, retrying failed attempts with exponential
// backoff, and returns the outcome. A done ctx ends the retries.
func (s *Sender) Send(ctx context.Context, ch Channel, msg Message) Result {
	wait := s.backoff
	for attempts := 1; ; attempts++ {
		started := time.Now()
		status, err := s.attempt(ctx, ch, msg)
		res := Result{Attempts: attempts, HTTPStatus: status, Latency: time.Since(started), Err: err}
		if err == nil || attempts >= s.attempts {
			return res
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			res.Err = fmt.Errorf("%w (gave up before retrying: %w)", err, ctx.Err())
			return res
		case <-timer.C:
		}
		wait *= 2
	}
}

// Attempt makes one delivery of msg through ch, bounded by the attempt
// timeout, without retrying, and returns its error (nil on success).
func (s *Sender) Attempt(ctx context.Context, ch Channel, msg Message) error {
	_, err := s.attempt(ctx, ch, msg)
	return err
}

// attempt makes one delivery, bounded by the attempt timeout, and returns
// the receiver's HTTP status code (0 without an HTTP answer) and its error.
func (s *Sender) attempt(ctx context.Context, ch Channel, msg Message) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	switch {
	case ch.Type == apiv1.ChannelTypeWebhook && ch.Webhook != nil:
		return s.sendWebhook(ctx, *ch.Webhook, msg)
	case ch.Type == apiv1.ChannelTypeSlack && ch.Slack != nil:
		body, err := json.Marshal(map[string]string{"text": text(msg), "channel": ch.Slack.Channel})
		if err != nil {
			return 0, err
		}
		return s.post(ctx, ch.Slack.WebhookURL, body, nil)
	case ch.Type == apiv1.ChannelTypePagerDuty && ch.PagerDuty != nil:
		return s.sendPagerDuty(ctx, *ch.PagerDuty, msg)
	case ch.Type == apiv1.ChannelTypeEmail && ch.Email != nil:
		return 0, s.sendEmail(ctx, *ch.Email, msg)
	default:
		return 0, fmt.Errorf("channel of type %q has no %s settings", ch.Type, ch.Type)
	}
}

// Sign returns the X-Keymate-Signature value of body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under secret>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

func (s *Sender) sendWebhook(ctx context.Context, w Webhook, msg Message) (int, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return 0, err
	}
	headers := http.Header{}
	for name, value := range w.Headers {
		headers.Set(name, value)
	}
	headers.Set(apiv1.HeaderEvent, msg.Event)
	if w.SigningSecret != "" {
		headers.Set(apiv1.HeaderSignature, Sign(w.SigningSecret, s.clock.Now(), body))
	}
	return s.post(ctx, w.URL, body, headers)
}

// pagerDutyEvent is the body of a PagerDuty Events API v2 request.
type pagerDutyEvent struct {
	RoutingKey  string             `json:"routing_key"`
	EventAction string             `json:"event_action"` // trigger or resolve
	DedupKey    string             `json:"dedup_key"`
	Payload     pagerDutyEventLoad `json:"payload"`
}

type pagerDutyEventLoad struct {
	Summary  string `json:"summary"`
	Severity string `json:"severity"` // critical, error, warning or info
	Source   string `json:"source"`
}

func (s *Sender) sendPagerDuty(ctx context.Context, p PagerDuty, msg Message) (int, error) {
	action := "trigger"
	if msg.Event == apiv1.EventAlertResolved {
		action = "resolve"
	}
	dedup := cmp.Or(msg.IncidentID, "keymate-test-"+strconv.FormatInt(msg.Time.Unix(), 10))
	body, err := json.Marshal(pagerDutyEvent{
		RoutingKey: p.RoutingKey, EventAction: action, DedupKey: dedup,
		Payload: pagerDutyEventLoad{Summary: text(msg), Severity: cmp.Or(msg.Severity, apiv1.SeverityInfo), Source: "keymate"},
	})
	if err != nil {
		return 0, err
	}
	return s.post(ctx, p.EventsURL, body, nil)
}

// post sends body as JSON and fails unless the receiver answers 2xx. It
// returns the receiver's status code (0 without an answer).
func (s *Sender) post(ctx context.Context, url string, body []byte, headers http.Header) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, errors.New("building the request failed: the URL is not valid")
	}
	for name, values := range headers {
		req.Header[name] = values
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "keymate-server")
	resp, err := s.http.Do(req)
	if err != nil {
		// The URL may hold a secret (Slack's does); name only its host.
		return 0, fmt.Errorf("POST to %s failed: %w", req.URL.Host, dialError(unwrapURLError(err)))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainBody))
	code := resp.StatusCode
	switch {
	case code >= 300 && code <= 399:
		return code, fmt.Errorf("POST to %s: the receiver answered %d %s; redirects are not followed",
			req.URL.Host, code, http.StatusText(code))
	case code < 200 || code > 299:
		return code, fmt.Errorf("POST to %s: the receiver answered %d %s", req.URL.Host, code, http.StatusText(code))
	}
	return code, nil
}

// unwrapURLError drops *url.Error's wrapping, whose message repeats the URL.
func unwrapURLError(err error) error {
	var urlErr interface{ Unwrap() error }
	if errors.As(err, &urlErr) {
		if inner := urlErr.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

// dialError returns the destination policy's refusal when err holds one, so
// that the message names the address's class but not the address (a
// *net.OpError names it).
func dialError(err error) error {
	if denied, ok := errors.AsType[*destination.DeniedError](err); ok {
		return denied
	}
	return err
}

func (s *Sender) sendEmail(ctx context.Context, e Email, msg Message) error {
	relay := s.smtp.Addr
	if relay == "" {
		return errors.New("email delivery is not configured: start keymate-server with --smtp-addr host:port")
	}
	conn, err := s.dialer.DialContext(ctx, "tcp", relay)
	if err != nil {
		return fmt.Errorf("connecting to the SMTP relay %s: %w", relay, dialError(err))
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	host, _, _ := net.SplitHostPort(relay)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		_ = conn.Close()
		return fmt.Errorf("SMTP relay %s: %w", relay, err)
	}
	defer c.Close()
	if err := s.secure(c, host); err != nil {
		return fmt.Errorf("SMTP relay %s: %w", relay, err)
	}
	if err := s.mail(c, e.Addresses, msg); err != nil {
		return fmt.Errorf("SMTP relay %s: %w", relay, err)
	}
	return nil
}

// secure upgrades the session with STARTTLS unless the mode is off, then
// authenticates when a username is set. Credentials go only inside TLS:
// SMTP.Check refuses a username without STARTTLS, and the session's own
// state is checked again here.
func (s *Sender) secure(c *smtp.Client, host string) error {
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if s.smtp.StartTLS != StartTLSOff {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the relay does not offer STARTTLS, which --smtp-starttls require needs; nothing was sent")
		}
		if err := c.StartTLS(&tls.Config{ServerName: host, RootCAs: s.smtp.RootCAs, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if s.smtp.Username == "" {
		return nil
	}
	if _, ok := c.TLSConnectionState(); !ok {
		return errors.New("refusing to send SMTP credentials without TLS")
	}
	if ok, mechanisms := c.Extension("AUTH"); !ok || !slices.Contains(strings.Fields(strings.ToUpper(mechanisms)), "PLAIN") {
		return errors.New("the relay does not offer AUTH PLAIN")
	}
	if err := c.Auth(smtp.PlainAuth("", s.smtp.Username, s.smtp.Password, host)); err != nil {
		return fmt.Errorf("AUTH PLAIN as %s: %w", s.smtp.Username, err)
	}
	return nil
}

func (s *Sender) mail(c *smtp.Client, to []string, msg Message) error {
	from := s.smtp.From
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, addr := range to {
		if err := c.Rcpt(addr); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n", from, strings.Join(to, ", "),
		subject(msg), msg.Time.Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(text(msg), "\n", "\r\n") + "\r\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// subject is the one-line title of msg, without line breaks.
func subject(msg Message) string {
	switch msg.Event {
	case apiv1.EventTest:
		return "[Keymate] Test notification"
	case apiv1.EventAlertResolved:
		return fmt.Sprintf("[Keymate] Resolved: %s", oneLine(msg.RuleName))
	default:
		return fmt.Sprintf("[Keymate] %s: %s", strings.ToUpper(msg.Severity), oneLine(msg.RuleName))
	}
}

// text is the human-readable body of msg.
func text(msg Message) string {
	if msg.Event == apiv1.EventTest {
		return msg.Summary
	}
	return fmt.Sprintf("%s\n%s", subject(msg), msg.Summary)
}

func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
