package server

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

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

// readPage reads the limit and cursor of a list that takes no other query
// parameter, answering the request itself when they are invalid.
func readPage(w http.ResponseWriter, r *http.Request) (limit int, beforeSeq int64, ok bool) {
	var f fieldErrors
	limit, beforeSeq = f.parsePage(r.URL.Query())
	if err := f.err(); err != nil {
		writeError(w, r, asAPIError(err))
		return 0, 0, false
	}
	return limit, beforeSeq, true
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

// nextCursor returns the cursor after the last of n items when more than
// limit were fetched, and how many items belong to this page.
func nextCursor(n, limit int, lastSeq func(i int) int64) (string, int) {
	if n <= limit {
		return "", n
	}
	return encodeCursor(lastSeq(limit - 1)), limit
}

// pageOf converts to their API representation with toWire the items of one
// page, out of items fetched with a limit of one more than limit, and returns
// them with the cursor of the next page ("" on the last page).
func pageOf[S, T any](items []S, limit int, seq func(S) int64, toWire func(S) T) ([]T, string) {
	cursor, n := nextCursor(len(items), limit, func(i int) int64 { return seq(items[i]) })
	data := make([]T, 0, n)
	for _, item := range items[:n] {
		data = append(data, toWire(item))
	}
	return data, cursor
}
