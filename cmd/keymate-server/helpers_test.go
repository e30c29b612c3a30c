package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server"
)

// api sends requests to one Keymate server as one caller.
type api struct {
	t      *testing.T
	url    string
	secret string
}

// do sends one request and fails the test unless the answer has status
// want; it returns the response body. Extra headers are name, value pairs.
func (a api) do(method, path, body string, want int, headers ...string) []byte {
	a.t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.url+path, reader)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.secret)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, resp.StatusCode, want, b)
	}
	return b
}

// create posts body to collection, expects 201 and returns the new
// object's path.
func (a api) create(collection, body string) string {
	a.t.Helper()
	var obj struct{ ID string }
	decodeInto(a.t, a.do(http.MethodPost, collection, body, http.StatusCreated), &obj)
	return collection + "/" + obj.ID
}

// serveConfig starts a server with cfg behind a loopback HTTP server, both
// stopped when the test ends, and returns it with an api for adminKey.
func serveConfig(t *testing.T, cfg server.Config, adminKey string) (*server.Server, api) {
	t.Helper()
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatalf("starting a server: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	h := httptest.NewServer(srv.Handler())
	t.Cleanup(h.Close)
	return srv, api{t, h.URL, adminKey}
}

// received is one request a test webhook receiver got.
type received struct {
	header http.Header
	body   []byte
}

// webhookReceiver starts an HTTP receiver on the loopback interface that
// answers 204 and reports every request on the returned channel.
func webhookReceiver(t *testing.T) (string, <-chan received) {
	t.Helper()
	got := make(chan received, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("receiver: reading body: %v", err)
		}
		got <- received{header: r.Header.Clone(), body: body}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, got
}

// testDeliveryIsSigned sends a test notification through channel (a
// path) and fails unless it succeeded and the receiver got it signed with
// secret at now.
func (a api) testDeliveryIsSigned(channel string, deliveries <-chan received, secret string, now time.Time) {
	a.t.Helper()
	var result apiv1.ChannelTestResult
	decodeInto(a.t, a.do(http.MethodPost, channel+"/test", "", http.StatusOK), &result)
	if result.Status != apiv1.TestStatusSucceeded {
		a.t.Fatalf("test delivery through %s: %+v", channel, result)
	}
	select {
	case d := <-deliveries:
		if err := verifySignature(d.header.Get(apiv1.HeaderSignature), d.body, secret, now); err != nil {
			a.t.Fatalf("the delivery through %s: %v", channel, err)
		}
	default:
		a.t.Fatal("the test delivery succeeded but the receiver got nothing")
	}
}

// verifySignature checks an X-Keymate-Signature the way a receiver does:
// HMAC-SHA256 of "<t>.<body>" under the signing secret, t at most
// apiv1.MaxSignatureAge before now.
func verifySignature(header string, body []byte, secret string, now time.Time) error {
	var sec int64
	var mac string
	if _, err := fmt.Sscanf(strings.Replace(header, ",v1=", " ", 1), "t=%d %s", &sec, &mac); err != nil {
		return fmt.Errorf("malformed signature header %q: %w", header, err)
	}
	if age := now.Sub(time.Unix(sec, 0)); age < 0 || age > apiv1.MaxSignatureAge {
		return fmt.Errorf("signature timestamp is %s old", age)
	}
	h := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(h, "%d.", sec)
	h.Write(body)
	if !hmac.Equal([]byte(mac), []byte(hex.EncodeToString(h.Sum(nil)))) {
		return fmt.Errorf("signature v1=%s does not verify under the signing secret", mac)
	}
	return nil
}

func decodeInto(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
}
