package server

import (
	"encoding/base64"
	"net/url"
	"strconv"
)

// Page sizes of list endpoints.
const (
	defaultPageLimit = 50
	maxPageLimit     = 100
)

// parsePage reads the limit and cursor query parameters. The cursor is the
// opaque encoding of the sequence number below which the page starts.
func (f *fieldErrors) parsePage(q url.Values) (limit int, beforeSeq int64) {
	limit = defaultPageLimit
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxPageLimit {
			f.add("limit", "must be an integer from 1 to %d, got %q", maxPageLimit, raw)
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
