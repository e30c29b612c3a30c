package server_test

import (
	"net/http"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// TestUnknownMethodIsA405NamingTheAllowedMethods proves that a method a
// known path does not have answers 405 with an Allow header listing the
// path's methods and the error envelope (code method_not_allowed), with or
// without authentication, while an unknown path stays a 404 without Allow.
func TestUnknownMethodIsA405NamingTheAllowedMethods(t *testing.T) {
	inst := servertest.Start(t)
	id, _ := inst.NewKey(t, "keys:read")
	cases := []struct{ method, path, secret, allow string }{
		{http.MethodPut, "/v1/api-keys/" + id, inst.AdminKey, "GET, HEAD, PATCH, DELETE"},
		{http.MethodPut, "/v1/api-keys/" + id, "", "GET, HEAD, PATCH, DELETE"},
		{http.MethodDelete, "/v1/api-keys", inst.AdminKey, "GET, HEAD, POST"},
		{http.MethodGet, "/v1/api-keys/" + id + "/rotate", inst.AdminKey, "POST"},
		{http.MethodPost, "/healthz", "", "GET, HEAD"},
	}
	for _, tc := range cases {
		resp, body := call(t, inst.URL, tc.method, tc.path, tc.secret, "")
		mustStatus(t, resp, body, http.StatusMethodNotAllowed)
		e := errorOf(t, body)
		if got := resp.Header.Get("Allow"); got != tc.allow || e.Code != apiv1.CodeMethodNotAllowed ||
			e.RequestID == "" || e.RequestID != resp.Header.Get(apiv1.HeaderRequestID) {
			t.Errorf("%s %s: Allow %q, error %+v; want Allow %q and code %s", tc.method, tc.path, got, e, tc.allow, apiv1.CodeMethodNotAllowed)
		}
	}

	resp, body := call(t, inst.URL, http.MethodPut, "/v1/no-such-thing", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNotFound)
	if e := errorOf(t, body); e.Code != apiv1.CodeNotFound || resp.Header.Get("Allow") != "" {
		t.Errorf("unknown path: error %+v, Allow %q; want not_found and no Allow", e, resp.Header.Get("Allow"))
	}
	resp, body = call(t, inst.URL, http.MethodHead, "/v1/api-keys/"+id, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK) // HEAD, listed in Allow, is served
}
