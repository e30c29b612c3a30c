package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// apiError is an error the client caused or may act on. Handlers return it
// and writeError turns it into the error envelope.
type apiError struct {
	status  int
	code    string
	message string
	fields  []apiv1.FieldError
}

func (e *apiError) Error() string { return e.message }

func errBadRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: apiv1.CodeBadRequest, message: fmt.Sprintf(format, args...)}
}

func errValidation(fields []apiv1.FieldError) *apiError {
	msg := "the request is invalid"
	if len(fields) > 0 {
		msg = fmt.Sprintf("invalid %s: %s", fields[0].Path, fields[0].Message)
		if len(fields) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(fields)-1)
		}
	}
	return &apiError{status: http.StatusUnprocessableEntity, code: apiv1.CodeValidation, message: msg, fields: fields}
}

func errUnauthorized(message string) *apiError {
	return &apiError{status: http.StatusUnauthorized, code: apiv1.CodeUnauthorized, message: message}
}

func errForbidden(format string, args ...any) *apiError {
	return &apiError{status: http.StatusForbidden, code: apiv1.CodeForbidden, message: fmt.Sprintf(format, args...)}
}

func errNotFound(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, code: apiv1.CodeNotFound, message: fmt.Sprintf(format, args...)}
}

func errConflict(format string, args ...any) *apiError {
	return &apiError{status: http.StatusConflict, code: apiv1.CodeConflict, message: fmt.Sprintf(format, args...)}
}

func errPreconditionFailed(format string, args ...any) *apiError {
	return &apiError{status: http.StatusPreconditionFailed, code: apiv1.CodePreconditionFailed, message: fmt.Sprintf(format, args...)}
}

var errInternal = &apiError{status: http.StatusInternalServerError, code: apiv1.CodeInternal, message: "internal server error"}

// fail answers the request with err: an *apiError as it is (what the client
// may act on), anything else as a 500 whose cause is logged with the
// request id and never shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var apiErr *apiError
	if errors.As(err, &apiErr) {
		writeError(w, r, apiErr)
		return
	}
	s.internalError(w, r, err)
}

// internalError logs err with the request id and answers 500 without
// revealing it.
func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.logger.Error("request failed", "error", err, "request_id", requestIDFrom(r.Context()))
	writeError(w, r, errInternal)
}

// writeError writes e as the error envelope, with the request's id.
func writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	writeJSON(w, e.status, apiv1.ErrorEnvelope{Error: apiv1.ErrorBody{
		Code:      e.code,
		Message:   e.message,
		RequestID: requestIDFrom(r.Context()),
		Fields:    e.fields,
	}})
}

// writeJSON writes v as a JSON response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only values built by this package are written; they always encode.
		panic(fmt.Sprintf("encoding response: %v", err))
	}
	writeJSONBytes(w, status, body)
}

func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
