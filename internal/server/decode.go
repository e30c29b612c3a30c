package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

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

// readJSON reads the request body and decodes it into a T, its apiv1 request
// type, answering the request itself when either fails. It returns the body,
// the request and which fields the body gives.
func readJSON[T any](s *Server, w http.ResponseWriter, r *http.Request) ([]byte, T, presence, bool) {
	var req T
	var in presence
	body, err := readBody(r)
	if err == nil {
		in, err = decodeJSON(body, &req)
	}
	if err != nil {
		s.fail(w, r, err)
		return nil, req, nil, false
	}
	return body, req, in, true
}

// decodeJSON decodes body, a single JSON object, into dst, and returns which
// fields it gives. Unknown fields, malformed JSON, and what encoding/json
// would accept silently (bytes that are not UTF-8, lone surrogate escapes, a
// field given twice) are 400 errors; a field of the wrong type is a 422 error
// naming the field.
func decodeJSON(body []byte, dst any) (presence, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errBadRequest("the request body is empty; send a JSON object")
	}
	if !utf8.Valid(body) {
		return nil, errBadRequest("the request body is not valid UTF-8 at byte %d", invalidUTF8Offset(body))
	}
	w := strictWalker{b: body, given: presence{}}
	if json.Valid(body) { // else the decoder below names the syntax error
		if err := w.value("", reflect.TypeOf(dst)); err != nil {
			return nil, err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errBadRequest("malformed JSON: unexpected data after the JSON object")
	}
	return w.given, nil
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

// invalidUTF8Offset returns the offset of the first byte of b that does not
// start a valid UTF-8 sequence.
func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// strictWalker walks a valid JSON text and refuses what encoding/json would
// decode without a word: an object key given twice (the last would win; for
// a struct, whose field names encoding/json matches ignoring case, also in
// another case) and a \u escape of a lone UTF-16 surrogate (it would become
// U+FFFD). It follows the Go type each value decodes into, where known. Errors
// name the field by its path, such as "webhook.headers.X-A". It records the
// path of every object member it passes in given.
type strictWalker struct {
	b     []byte
	i     int
	given presence
}

func (w *strictWalker) space() {
	for w.i < len(w.b) && strings.IndexByte(" \t\r\n", w.b[w.i]) >= 0 {
		w.i++
	}
}

func (w *strictWalker) value(path string, t reflect.Type) error {
	w.space()
	switch w.b[w.i] {
	case '{':
		return w.object(path, t)
	case '[':
		return w.array(path, elemType(t))
	case '"':
		_, err := w.string(path, false)
		return err
	default: // a number, true, false or null
		for w.i < len(w.b) && strings.IndexByte(",]} \t\r\n", w.b[w.i]) < 0 {
			w.i++
		}
		return nil
	}
}

func (w *strictWalker) object(path string, t reflect.Type) error {
	w.i++ // {
	seen := map[string]bool{}
	fields := isFieldNames(t)
	for {
		w.space()
		if w.b[w.i] == '}' {
			w.i++
			return nil
		}
		key, err := w.string(path, true)
		if err != nil {
			return err
		}
		field := key
		if path != "" {
			field = path + "." + key
		}
		same := key
		if fields {
			same = foldCase(key)
		}
		if seen[same] {
			return errBadRequest("duplicate field %q in the request body; give each field once", field)
		}
		seen[same] = true
		w.space()
		w.i++ // :
		w.space()
		w.given.give(field, w.b[w.i] == 'n') // null is the only value starting with n
		if err := w.value(field, memberType(t, key)); err != nil {
			return err
		}
		w.space()
		if w.b[w.i] == ',' {
			w.i++
		}
	}
}

func (w *strictWalker) array(path string, elem reflect.Type) error {
	w.i++ // [
	for n := 0; ; n++ {
		w.space()
		if w.b[w.i] == ']' {
			w.i++
			return nil
		}
		if err := w.value(path+"["+strconv.Itoa(n)+"]", elem); err != nil {
			return err
		}
		w.space()
		if w.b[w.i] == ',' {
			w.i++
		}
	}
}

// string reads a string, checking its \u escapes, and returns it decoded
// when decode is set (object keys, compared decoded so that "n\u0061me"
// duplicates "name").
func (w *strictWalker) string(path string, decode bool) (string, error) {
	start := w.i
	for w.i++; w.b[w.i] != '"'; {
		switch {
		case w.b[w.i] != '\\':
			w.i++
		case w.b[w.i+1] != 'u':
			w.i += 2
		default:
			r := hex4(w.b[w.i+2 : w.i+6])
			switch {
			case r >= 0xD800 && r < 0xDC00 && w.b[w.i+6] == '\\' && w.b[w.i+7] == 'u' &&
				utf16.DecodeRune(r, hex4(w.b[w.i+8:w.i+12])) != utf8.RuneError:
				w.i += 12 // a surrogate pair
			case utf16.IsSurrogate(r):
				where := "the request body"
				if path != "" {
					where = fmt.Sprintf("%q", path)
				}
				return "", errBadRequest("%s holds the lone UTF-16 surrogate escape %s; write characters beyond U+FFFF as a surrogate pair",
					where, w.b[w.i:w.i+6])
			default:
				w.i += 6
			}
		}
	}
	w.i++ // "
	if !decode {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(w.b[start:w.i], &s); err != nil {
		return "", errBadRequest("malformed JSON: %v", err)
	}
	return s, nil
}

// hex4 reads the four hexadecimal digits that a valid JSON \u escape has.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		default:
			r |= rune(c-'A') + 10
		}
	}
	return r
}

// isFieldNames reports whether the keys of a JSON object decoded into t are
// struct field names, which encoding/json matches ignoring case: true for a
// struct and for a type the walker does not know (nil), false for a map or
// an interface, whose keys stay as written.
func isFieldNames(t reflect.Type) bool {
	t = indirect(t)
	return t == nil || t.Kind() == reflect.Struct
}

// memberType returns the type the member key of an object decoded into t
// decodes into, or nil when it is not known (a type that decodes itself).
func memberType(t reflect.Type, key string) reflect.Type {
	t = indirect(t)
	switch {
	case t == nil || reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()):
		return nil
	case t.Kind() == reflect.Map:
		return t.Elem()
	case t.Kind() != reflect.Struct:
		return nil
	}
	return apiv1.MemberType(t, key)
}

// elemType returns the element type of an array decoded into t, or nil.
func elemType(t reflect.Type) reflect.Type {
	if t = indirect(t); t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		return t.Elem()
	}
	return nil
}

// indirect returns the type a pointer type points to, through every level.
func indirect(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
