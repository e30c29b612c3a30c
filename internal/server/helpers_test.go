package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// call sends one request and returns the response with its body read.
// Extra headers are given as name, value pairs.
func call(t *testing.T, baseURL, method, path, secret, body string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, baseURL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// mustStatus fails the test unless resp has status want.
func mustStatus(t *testing.T, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return v
}

func errorOf(t *testing.T, body []byte) apiv1.ErrorBody {
	t.Helper()
	return decode[apiv1.ErrorEnvelope](t, body).Error
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// createKey creates a key as the admin and returns it (with its secret).
func createKey(t *testing.T, inst *servertest.Instance, req apiv1.CreateAPIKeyRequest) apiv1.APIKey {
	t.Helper()
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/api-keys", inst.AdminKey, toJSON(t, req))
	mustStatus(t, resp, body, http.StatusCreated)
	return decode[apiv1.APIKey](t, body)
}

func ptr[T any](v T) *T { return &v }
