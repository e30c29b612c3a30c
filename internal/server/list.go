package server

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// defaultPageLimit is the page size of a list that names no limit; a list
// returns at most apiv1.MaxPageLimit items.
const defaultPageLimit = 50

// parsePage reads the limit and cursor query parameters. The cursor is the
// opaque encoding of the sequence number below which the page starts.
func (f *fieldErrors) parsePage(q url.Values) (limit int, beforeSeq int64) {
	limit = defaultPageLimit
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > apiv1.MaxPageLimit {
			f.add("limit", "must be an integer from 1 to %d, got %q", apiv1.MaxPageLimit, raw)
		} else {
			limit = n
		}
	}
	if raw := q.Get("cursor"); raw != "" {
		seq, err := decodeCursor(raw)
		if err != nil {
			f.add("cursor", "is not a cursor returned by this API")
		}
		beforeSeq = seq
	}
	return limit, beforeSeq
}

// parseQueryBool reads the boolean query parameter name: nil when absent,
// a field error unless it is "true" or "false".
func (f *fieldErrors) parseQueryBool(q url.Values, name string) *bool {
	raw := q.Get(name)
	if raw == "" {
		return nil
	}
	if raw != "true" && raw != "false" {
		f.add(name, "must be true or false, got %q", raw)
		return nil
	}
	v := raw == "true"
	return &v
}

// parseIDs reads the ids query parameter: comma-separated object ids, at
// most apiv1.MaxListIDs, that restrict a list to those objects. Empty
// entries are ignored; nil means no restriction.
func (f *fieldErrors) parseIDs(q url.Values) []string {
	raw := q.Get("ids")
	if raw == "" {
		return nil
	}
	var ids []string
	for _, id := range strings.Split(raw, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) > apiv1.MaxListIDs {
		f.add("ids", "must list at most %d ids, got %d", apiv1.MaxListIDs, len(ids))
	}
	return ids
}

// parseQueryTime reads an optional RFC 3339 query parameter.
func (f *fieldErrors) parseQueryTime(q url.Values, name string) *time.Time {
	raw := q.Get(name)
	if raw == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		f.add(name, "must be an RFC 3339 time such as \"2026-01-02T15:04:05Z\", got %q", raw)
		return nil
	}
	return &t
}

func encodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(seq, 10)))
}

func decodeCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, err
	}
	seq, err := strconv.ParseInt(string(b), 10, 64)
	if err == nil && seq < 1 {
		return 0, strconv.ErrRange
	}
	return seq, err
}

// page is the body of every list answer, as the apiv1 list types encode:
// one page of items and the cursor of the next page ("" on the last).
type page[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

// writeList answers a list request whose query parameters f checked (a 422
// naming them when they are invalid): it reads with list one item more than
// limit, which tells whether a next page follows, and answers the page of
// the first limit items, each converted with view. A failing list or
// conversion is a 500.
func writeList[S, T any](s *Server, w http.ResponseWriter, r *http.Request, f fieldErrors, limit int,
	list func(limit int) ([]S, error), seq func(S) int64, view func(context.Context, S) (T, error)) {
	if err := f.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	items, err := list(limit + 1)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	body := page[T]{Data: make([]T, 0, min(len(items), limit))}
	if len(items) > limit {
		items, body.NextCursor = items[:limit], encodeCursor(seq(items[limit-1]))
	}
	for _, item := range items {
		v, err := view(r.Context(), item)
		if err != nil {
			s.internalError(w, r, err)
			return
		}
		body.Data = append(body.Data, v)
	}
	writeJSON(w, http.StatusOK, body)
}

// writeSubList answers the list of what belongs to the object of k named by
// the path (an alert rule's incidents, a grant's reviews, a schedule's runs),
// read with list: 404 when there is no such object.
func writeSubList[P, S, T any](s *Server, w http.ResponseWriter, r *http.Request, k stored[P],
	list func(ctx context.Context, id string, beforeSeq int64, limit int) ([]S, error), seq func(S) int64, toWire func(S) T) {
	var f fieldErrors
	limit, beforeSeq := f.parsePage(r.URL.Query())
	if err := f.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, ok := k.readByPath(s, w, r); !ok {
		return
	}
	writeList(s, w, r, f, limit, func(n int) ([]S, error) { return list(r.Context(), r.PathValue("id"), beforeSeq, n) }, seq, plain(toWire))
}

// plain makes toWire, a conversion that needs no context and cannot fail,
// the view of writeList or getHandler.
func plain[S, T any](toWire func(S) T) func(context.Context, S) (T, error) {
	return func(_ context.Context, v S) (T, error) { return toWire(v), nil }
}
