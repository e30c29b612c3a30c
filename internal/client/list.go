package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// page is one page of any list endpoint: {"data": [...], "next_cursor": "..."}.
type page[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

// listAll GETs path with query, following next_cursor until the last page or
// until limit items were collected (0 = no limit).
func listAll[T any](ctx context.Context, c *Client, path string, query url.Values, limit int) ([]T, error) {
	all := []T{}
	seen := map[string]bool{}
	for cursor := ""; ; {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		size := pageSize
		if limit > 0 {
			size = min(size, limit-len(all))
		}
		q.Set("limit", strconv.Itoa(size))
		setIf(q, "cursor", cursor)

		var p page[T]
		if err := c.do(ctx, http.MethodGet, path, q, nil, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Data...)
		if limit > 0 && len(all) >= limit {
			return all[:limit], nil
		}
		if p.NextCursor == "" {
			return all, nil
		}
		if seen[p.NextCursor] {
			return nil, fmt.Errorf("GET %s: the server returned cursor %q twice; stopping to avoid an endless listing", path, p.NextCursor)
		}
		seen[p.NextCursor] = true
		cursor = p.NextCursor
	}
}

// setIf sets key to value in q unless value is empty.
func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}
