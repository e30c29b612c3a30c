package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// TestFailLogsWhatItAnswersAs500 proves how a handler's error reaches the
// client: an *apiError (the client's doing) as it is and unlogged, anything
// else as a bare 500 whose cause goes only to the log, with the request id
// that the answer carries too, so that an operator can find it.
func TestFailLogsWhatItAnswersAs500(t *testing.T) {
	var log bytes.Buffer
	s := &Server{logger: slog.New(slog.NewTextHandler(&log, nil))}
	answer := func(err error) (apiv1.ErrorBody, int) {
		t.Helper()
		st := &requestState{id: newID("req")}
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/api-keys", nil)
		r = r.WithContext(context.WithValue(r.Context(), requestStateKey{}, st))
		w := httptest.NewRecorder()
		s.fail(w, r, err)
		var env apiv1.ErrorEnvelope
		if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
			t.Fatal(err)
		}
		if env.Error.RequestID != st.id {
			t.Errorf("answer's request id %q, want %q", env.Error.RequestID, st.id)
		}
		return env.Error, w.Code
	}

	body, status := answer(errValidation([]apiv1.FieldError{{Path: "name", Message: "must not be empty"}}))
	if status != http.StatusUnprocessableEntity || body.Code != apiv1.CodeValidation || log.Len() != 0 {
		t.Errorf("an API error: status %d, body %+v, log %q; want 422, validation_failed and nothing logged", status, body, log.String())
	}

	body, status = answer(errors.New("disk I/O error: database is locked"))
	if status != http.StatusInternalServerError || body.Code != apiv1.CodeInternal || strings.Contains(body.Message, "disk") {
		t.Errorf("an unexpected error: status %d, body %+v; want a 500 that does not show the cause", status, body)
	}
	if !strings.Contains(log.String(), "disk I/O error") || !strings.Contains(log.String(), "request_id="+body.RequestID) {
		t.Errorf("the log %q must hold the cause and the request id %s", log.String(), body.RequestID)
	}
}
