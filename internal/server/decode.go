package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// readBody reads the whole request body, within maxBodyBytes.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, &apiError{status: http.StatusRequestEntityTooLarge, code: apiv1.CodeBadRequest,
			message: "the request body is larger than 1 MiB"}
	}
	if err != nil {
		return nil, errBadRequest("reading the request body: %v", err)
	}
	return body, nil
}

// readJSON reads the request body and decodes it into a T, answering the
// request itself when either fails.
func readJSON[T any](w http.ResponseWriter, r *http.Request) ([]byte, T, bool) {
	var req T
	body, err := readBody(r)
	if err == nil {
		err = decodeJSON(body, &req)
	}
	if err != nil {
		writeError(w, r, asAPIError(err))
		return nil, req, false
	}
	return body, req, true
}

// decodeJSON decodes body, a single JSON object, into dst. Unknown fields
// and malformed JSON are 400 errors; a field of the wrong type is a 422
// error naming the field.
func decodeJSON(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errBadRequest("the request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errBadRequest("malformed JSON: unexpected data after the JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		return errBadRequest("malformed JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errBadRequest("malformed JSON: the body ends before the JSON object does")
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return errBadRequest("the request body must be a JSON object, not a JSON %s", typeErr.Value)
	case errors.As(err, &typeErr):
		return errValidation([]apiv1.FieldError{{
			Path: typeErr.Field, Message: "must be " + jsonTypeName(typeErr.Type.Kind().String()) + ", not a JSON " + typeErr.Value,
		}})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errBadRequest("unknown field %s in the request body", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return errBadRequest("malformed JSON: %v", err)
	}
}

// jsonTypeName names a Go kind the way a JSON user thinks of it.
func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int64", "int32", "float64":
		return "a number"
	case "slice":
		return "an array"
	case "bool":
		return "a boolean"
	default:
		return "an object"
	}
}
