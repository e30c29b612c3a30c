package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// headerInvalid marks a request the test sends knowing it breaks the spec;
// the validator then requires the spec to reject it.
const headerInvalid = "X-Conformance-Invalid"

// conformance validates every request and response that passes through its
// middleware against api/openapi.yaml and remembers which operations ran.
type conformance struct {
	t      *testing.T
	doc    *openapi3.T
	source []byte // api/openapi.yaml as it is on disk
	mu     sync.Mutex
	seen   map[string]map[int]bool // operationId -> statuses
	// byClient records which operations each client exercised: the client
	// named when its server was started (start).
	byClient map[string]map[string]bool // client -> operationIds
	// methodNotAllowedSeen is true once a method the spec does not give a
	// path was answered (405, which belongs to no operation).
	methodNotAllowedSeen bool
}

func loadConformance(t *testing.T) *conformance {
	t.Helper()
	source, err := os.ReadFile("../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(source)
	if err != nil {
		t.Fatalf("loading api/openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("api/openapi.yaml is not valid OpenAPI: %v", err)
	}
	return &conformance{t: t, doc: doc, source: source, seen: map[string]map[int]bool{}, byClient: map[string]map[string]bool{}}
}

// Clients of the conformance run: each starts its own server, so that the
// operations it exercised are known (checkCoverage).
const (
	handwritten = "handwritten"  // requests written out in the tests
	generated   = "oapi-codegen" // the client generated from the contract (internal/server/openapiclient)
)

// start runs a server whose handler is wrapped in the validating middleware;
// the requests it answers count as made by client.
func (c *conformance) start(client string, cfg server.Config) (baseURL, adminKey string, srv *server.Server) {
	c.t.Helper()
	srv, err := server.New(cfg)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { _ = srv.Close() })
	var router routers.Router
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.serve(client, router, srv.Handler(), w, r)
	}))
	c.t.Cleanup(ts.Close)
	doc := *c.doc
	doc.Servers = openapi3.Servers{{URL: ts.URL}}
	if router, err = gorillamux.NewRouter(&doc); err != nil {
		c.t.Fatalf("building router: %v", err)
	}
	return ts.URL, srv.GeneratedAdminSecret(), srv
}

func (c *conformance) fail(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.Errorf(format, args...)
}

func (c *conformance) serve(client string, router routers.Router, next http.Handler, w http.ResponseWriter, r *http.Request) {
	route, pathParams, err := router.FindRoute(r)
	if errors.Is(err, routers.ErrMethodNotAllowed) {
		c.serveMethodNotAllowed(router, next, w, r)
		return
	}
	if err != nil {
		c.fail("%s %s: no operation in the spec: %v", r.Method, r.URL.Path, err)
		next.ServeHTTP(w, r)
		return
	}
	input := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: pathParams, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	reqErr := openapi3filter.ValidateRequest(r.Context(), input)
	expectInvalid := r.Header.Get(headerInvalid) != ""
	switch {
	case expectInvalid && reqErr == nil:
		c.fail("%s %s: the spec accepts a request the test marked invalid", r.Method, r.URL.Path)
	case !expectInvalid && reqErr != nil:
		c.fail("%s %s: request does not match the spec: %v", r.Method, r.URL.Path, reqErr)
	}

	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	respErr := openapi3filter.ValidateResponse(r.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input, Status: rec.Code, Header: rec.Header(),
		Body:    io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	})
	if respErr != nil {
		c.fail("%s %s: %d response does not match the spec: %v\nbody: %s", r.Method, r.URL.Path, rec.Code, respErr, rec.Body.Bytes())
	}
	c.mu.Lock()
	if c.seen[route.Operation.OperationID] == nil {
		c.seen[route.Operation.OperationID] = map[int]bool{}
	}
	c.seen[route.Operation.OperationID][rec.Code] = true
	if c.byClient[client] == nil {
		c.byClient[client] = map[string]bool{}
	}
	c.byClient[client][route.Operation.OperationID] = true
	c.mu.Unlock()

	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// serveMethodNotAllowed checks the answer to a method that the spec does
// not give the request's path: the spec's MethodNotAllowed response, with an
// Allow header listing exactly the path's methods in the spec (and HEAD with
// GET), and the error envelope with code method_not_allowed.
func (c *conformance) serveMethodNotAllowed(router routers.Router, next http.Handler, w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	var want []string
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		probe := r.Clone(r.Context())
		probe.Method = method
		if _, _, err := router.FindRoute(probe); err == nil || (method == http.MethodHead && slices.Contains(want, http.MethodGet)) {
			want = append(want, method)
		}
	}
	allow := strings.Split(rec.Header().Get("Allow"), ", ")
	slices.Sort(allow)
	slices.Sort(want)
	spec := c.doc.Components.Responses["MethodNotAllowed"].Value
	var body any
	switch err := json.Unmarshal(rec.Body.Bytes(), &body); {
	case rec.Code != http.StatusMethodNotAllowed:
		c.fail("%s %s: status %d, want 405 for a method the spec does not give the path", r.Method, r.URL.Path, rec.Code)
	case !slices.Equal(allow, want):
		c.fail("%s %s: Allow %q, want the spec's methods %v", r.Method, r.URL.Path, rec.Header().Get("Allow"), want)
	case err != nil:
		c.fail("%s %s: 405 body is not JSON: %v", r.Method, r.URL.Path, err)
	default:
		if err := spec.Content.Get("application/json").Schema.Value.VisitJSON(body); err != nil {
			c.fail("%s %s: 405 body does not match the spec: %v\nbody: %s", r.Method, r.URL.Path, err, rec.Body.Bytes())
		}
		var env apiv1.ErrorEnvelope
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Error.Code != apiv1.CodeMethodNotAllowed {
			c.fail("%s %s: code %q (%v), want %s", r.Method, r.URL.Path, env.Error.Code, err, apiv1.CodeMethodNotAllowed)
		}
		for name := range spec.Headers {
			if rec.Header().Get(name) == "" {
				c.fail("%s %s: 405 lacks the header %s", r.Method, r.URL.Path, name)
			}
		}
	}
	c.mu.Lock()
	c.methodNotAllowedSeen = true
	c.mu.Unlock()

	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// checkCoverage fails for every operation of the spec never exercised, by
// any client and by each of clients, and for every listed status never seen.
func (c *conformance) checkCoverage(statuses []int, clients ...string) {
	c.t.Helper()
	seenStatus := map[int]bool{}
	missing := map[string][]string{}
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			if len(c.seen[op.OperationID]) == 0 {
				missing["any client"] = append(missing["any client"], method+" "+path)
			}
			for _, client := range clients {
				if !c.byClient[client][op.OperationID] {
					missing[client] = append(missing[client], method+" "+path)
				}
			}
			for s := range c.seen[op.OperationID] {
				seenStatus[s] = true
			}
		}
	}
	for client, ops := range missing {
		sort.Strings(ops)
		c.t.Errorf("operations never exercised by %s: %v", client, ops)
	}
	seenStatus[http.StatusMethodNotAllowed] = c.methodNotAllowedSeen
	for _, s := range statuses {
		if !seenStatus[s] {
			c.t.Errorf("status %d was never exercised", s)
		}
	}
}

// doFunc sends one request in the conformance run and fails the test unless
// the answer has status want; it returns the response body.
type doFunc func(method, path, secret, body string, want int, headers ...string) []byte

// TestServerConformsToOpenAPI proves that every request and response of a
// scripted run over all endpoints, errors included, matches api/openapi.yaml,
// and that the run exercised every operation in it.
func TestServerConformsToOpenAPI(t *testing.T) {
	c := loadConformance(t)
	manual := clock.NewManual(servertest.StartTime)
	url, admin, srv := c.start(handwritten, server.Config{DataDir: t.TempDir(), Clock: manual, RateLimit: 1000, RateBurst: 1000,
		Destinations: servertest.LoopbackDestinations})
	invalid := []string{headerInvalid, "1"}
	var do doFunc = func(method, path, secret, body string, want int, headers ...string) []byte {
		t.Helper()
		resp, b := call(t, url, method, path, secret, body, headers...)
		mustStatus(t, resp, b, want)
		return b
	}

	do(http.MethodGet, "/healthz", "", "", 200)
	created := decode[apiv1.APIKey](t, do(http.MethodPost, "/v1/api-keys", admin,
		`{"name":"conf","description":"d","scopes":["keys:read","audit:read"],"rotation_days":30,"rotation_grace_period":"1h","expires_at":"2027-01-01T00:00:00Z"}`,
		201, "Idempotency-Key", "conf-1"))
	do(http.MethodPost, "/v1/api-keys", admin, `{"name":"supplied","scopes":["keys:read"],"secret":"client-supplied-secret-0123456789abcdef"}`, 201)
	do(http.MethodPost, "/v1/api-keys", admin, `{"name":"conf","scopes":["keys:read"]}`, 409)
	do(http.MethodPost, "/v1/api-keys", admin, `{"name":"x","scopes":["keys:read"]}`, 422, "Idempotency-Key", "conf-1")
	do(http.MethodPost, "/v1/api-keys", admin, `{"name":`, 400, invalid...)
	do(http.MethodPost, "/v1/api-keys", admin, `{"name":"x","scopes":["keys:read"],"extra":true}`, 400, invalid...)
	do(http.MethodPost, "/v1/api-keys", admin, `{"name":"x","scopes":["keys:read"],"rotation_days":0}`, 422, invalid...)
	do(http.MethodPost, "/v1/api-keys", "", `{"name":"x","scopes":["keys:read"]}`, 401)
	do(http.MethodPost, "/v1/api-keys", created.Secret, `{"name":"x","scopes":["keys:read"]}`, 403)

	do(http.MethodGet, "/v1/api-keys?limit=1&status=active", admin, "", 200)
	do(http.MethodGet, "/v1/api-keys?ids="+created.ID+"&name=conf", created.Secret, "", 200)
	do(http.MethodGet, "/v1/api-keys?cursor=!!", admin, "", 422)
	do(http.MethodGet, "/v1/api-keys?name_prefix=con&scope=audit:read", admin, "", 200)
	do(http.MethodGet, "/v1/api-keys?scope=fly", admin, "", 422, invalid...)
	do(http.MethodGet, "/v1/api-keys?ids="+strings.Repeat("key_x,", apiv1.MaxListIDs+1), admin, "", 422)
	do(http.MethodGet, "/v1/api-keys?limit=1001", admin, "", 422, invalid...)
	do(http.MethodGet, "/v1/api-keys", "wrong", "", 401)

	do(http.MethodGet, "/v1/api-keys/"+created.ID, admin, "", 200)
	do(http.MethodGet, "/v1/idempotent-creates/api-keys/conf-1", admin, "", 200)
	do(http.MethodGet, "/v1/idempotent-creates/api-keys/conf-missing", admin, "", 404)
	do(http.MethodGet, "/v1/idempotent-creates/alert-rules/conf-1", created.Secret, "", 403)
	do(http.MethodGet, "/v1/api-keys/key_missing", admin, "", 404)
	do(http.MethodPut, "/v1/api-keys/"+created.ID, admin, `{"name":"conf2"}`, 405)
	do(http.MethodDelete, "/v1/api-keys", "", "", 405)

	do(http.MethodPatch, "/v1/api-keys/"+created.ID, admin, `{"description":null,"expires_at":null}`, 200, "If-Match", `"1"`)
	do(http.MethodPatch, "/v1/api-keys/"+created.ID, admin, `{"name":"conf2"}`, 412, "If-Match", `"1"`)
	do(http.MethodPatch, "/v1/api-keys/"+created.ID, admin, `{"rotation_grace_period":"1y"}`, 422)
	do(http.MethodPatch, "/v1/api-keys/"+created.ID, created.Secret, `{"name":"conf2"}`, 403)

	do(http.MethodPost, "/v1/api-keys/"+created.ID+"/rotate", admin, "", 200, "Idempotency-Key", "rot-1")
	do(http.MethodPost, "/v1/api-keys/"+created.ID+"/rotate", admin, `{"secret":"another-supplied-secret-0123456789abcdef"}`, 200)
	do(http.MethodPost, "/v1/api-keys/"+created.ID+"/rotate", admin, `{"secret":"short"}`, 422, invalid...)
	do(http.MethodPost, "/v1/api-keys/"+created.ID+"/rotate", admin, `{"grace_period":"0s"}`, 200)
	do(http.MethodPost, "/v1/api-keys/"+created.ID+"/rotate", admin, `{"grace_period":"forever"}`, 422)
	do(http.MethodPost, "/v1/api-keys/key_missing/rotate", admin, "", 404)

	do(http.MethodDelete, "/v1/api-keys/"+created.ID, admin, "", 412, "If-Match", `"1"`)
	do(http.MethodDelete, "/v1/api-keys/"+created.ID, admin, "", 204)
	do(http.MethodDelete, "/v1/api-keys/"+created.ID, admin, "", 404)
	do(http.MethodPost, "/v1/api-keys/"+created.ID+"/rotate", admin, "", 409)

	do(http.MethodGet, "/v1/audit-events?since=2025-01-01T00:00:00Z&until=2030-01-01T00:00:00Z&action=api_key.create&object_type=api_key&limit=1", admin, "", 200)
	do(http.MethodGet, "/v1/audit-events?actor_key_id=system&object_id="+created.ID, admin, "", 200)
	do(http.MethodGet, "/v1/audit-events?limit=5000", admin, "", 422, invalid...)
	do(http.MethodGet, "/v1/audit-events", "", "", 401)
	do(http.MethodGet, "/metrics", admin, "", 200)
	do(http.MethodGet, "/metrics", "", "", 401)
	if served, file := do(http.MethodGet, "/openapi.yaml", "", "", 200), c.source; !bytes.Equal(served, file) {
		t.Errorf("GET /openapi.yaml served %d bytes that differ from api/openapi.yaml (%d bytes)", len(served), len(file))
	}

	// Each further part of the API adds its scripted run here, in a file of
	// its own (conformance_<part>_test.go).
	alertingConformance(t, do, admin)
	accessConformance(t, do, admin)
	complianceConformance(t, do, admin)
	usageConformance(t, do, admin, srv)

	throttledURL, throttledAdmin, _ := c.start(handwritten, server.Config{DataDir: t.TempDir(), Clock: manual, RateLimit: 1, RateBurst: 1})
	resp, b := call(t, throttledURL, http.MethodGet, "/v1/api-keys", throttledAdmin, "")
	mustStatus(t, resp, b, 200)
	resp, b = call(t, throttledURL, http.MethodGet, "/v1/api-keys", throttledAdmin, "")
	mustStatus(t, resp, b, 429)

	generatedClientConformance(t, c)

	c.checkCoverage([]int{200, 201, 204, 400, 401, 403, 404, 405, 409, 412, 422, 429}, handwritten, generated)
}
