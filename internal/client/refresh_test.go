package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// account is a fake server's API keys, newest first, served by id, by
// ids= and in pages.
type account []string

func (a account) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodPatch:
		writeJSON(w, http.StatusOK, sampleKey(strings.TrimPrefix(r.URL.Path, "/v1/api-keys/")))
	case q.Get("ids") != "":
		var list apiv1.APIKeyList
		for _, id := range a {
			if slices.Contains(strings.Split(q.Get("ids"), ","), id) {
				list.Data = append(list.Data, sampleKey(id))
			}
		}
		writeJSON(w, http.StatusOK, list)
	default: // a page: the cursor is the index of its first key
		start, _ := strconv.Atoi(q.Get("cursor"))
		limit, _ := strconv.Atoi(q.Get("limit"))
		end := min(start+limit, len(a))
		list := apiv1.APIKeyList{Data: []apiv1.APIKey{}}
		for _, id := range a[start:end] {
			list.Data = append(list.Data, sampleKey(id))
		}
		if end < len(a) {
			list.NextCursor = strconv.Itoa(end)
		}
		writeJSON(w, http.StatusOK, list)
	}
}

// queries returns "METHOD path?query" of each request, ids sorted, for
// comparing request sequences.
func queries(f *fake) []string {
	var out []string
	for _, r := range f.requests() {
		q, _ := url.ParseQuery(r.RawQuery)
		if ids := q.Get("ids"); ids != "" {
			parts := strings.Split(ids, ",")
			slices.Sort(parts)
			q.Set("ids", strings.Join(parts, ","))
		}
		line := r.Method + " " + r.EscapedPath
		if len(q) > 0 {
			line += "?" + q.Encode()
		}
		out = append(out, line)
	}
	return out
}

// coalescing returns a client of f whose batches are sent when they hold
// size ids (never by the clock), so that tests decide what a batch holds.
func coalescing(f *fake, size, listAfter int) (*Client, *waits) {
	c, w := f.client()
	c.batchWindow = time.Hour
	c.batchSize, c.listAfter = size, listAfter
	return c, w
}

// readAll reads ids concurrently and returns each read's key and error.
func readAll(c *Client, ctxs []context.Context, ids ...string) ([]*apiv1.APIKey, []error) {
	keys := make([]*apiv1.APIKey, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		ctx := context.Background()
		if ctxs != nil {
			ctx = ctxs[i]
		}
		wg.Go(func() { keys[i], errs[i] = c.RefreshAPIKey(ctx, id) })
	}
	wg.Wait()
	return keys, errs
}

// TestRefreshCoalescesReadsIntoOneIDsRequest proves that concurrent reads
// become one list request with ids=, that each caller gets its own object,
// and that an id the list leaves out is ErrNotFound for its caller alone.
func TestRefreshCoalescesReadsIntoOneIDsRequest(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) { account{"key_1", "key_3"}.serve(w, r) })
	c, _ := coalescing(f, 3, 100)
	keys, errs := readAll(c, nil, "key_1", "key_2", "key_3")

	if got, want := queries(f), []string{"GET /v1/api-keys?ids=key_1%2Ckey_2%2Ckey_3&limit=3"}; !slices.Equal(got, want) {
		t.Fatalf("requests %v, want %v", got, want)
	}
	for _, i := range []int{0, 2} {
		if errs[i] != nil || keys[i] == nil || keys[i].ID != fmt.Sprintf("key_%d", i+1) {
			t.Errorf("read of key_%d: %+v, %v; want the key", i+1, keys[i], errs[i])
		}
	}
	var apiErr *APIError
	if !errors.Is(errs[1], ErrNotFound) || !errors.As(errs[1], &apiErr) || apiErr.Path != "/v1/api-keys/key_2" {
		t.Errorf("read of key_2 (left out of the list): %v; want ErrNotFound naming /v1/api-keys/key_2", errs[1])
	}
}

// TestRefreshBatchesNeverExceedTheirSize proves that a batch that filled up
// takes no more ids, however the reads interleave: the server would refuse
// more than apiv1.MaxListIDs ids, failing every caller of the batch.
func TestRefreshBatchesNeverExceedTheirSize(t *testing.T) {
	var ids []string
	for i := range 40 {
		ids = append(ids, fmt.Sprintf("key_%d", i))
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if n := len(strings.Split(r.URL.Query().Get("ids"), ",")); n > 3 {
			t.Errorf("a batch of %d ids, more than 3", n)
		}
		account(ids).serve(w, r)
	})
	c, _ := coalescing(f, 3, 100)
	c.batchWindow = time.Millisecond // so that the last, partial batch goes too
	keys, errs := readAll(c, nil, ids...)
	for i := range ids {
		if errs[i] != nil || keys[i].ID != ids[i] {
			t.Errorf("read of %s: %+v, %v", ids[i], keys[i], errs[i])
		}
	}
}

// TestRefreshSharesTheBatchErrorWithEveryCaller proves that when the ids=
// request fails, every caller of the batch gets its error.
func TestRefreshSharesTheBatchErrorWithEveryCaller(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeError(w, http.StatusForbidden, apiv1.CodeForbidden, `the API key lacks the "keys:read" scope`)
	})
	c, _ := coalescing(f, 3, 100)
	_, errs := readAll(c, nil, "key_1", "key_2", "key_3")
	if n := len(f.requests()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	for i, err := range errs {
		if !errors.Is(err, ErrForbidden) {
			t.Errorf("caller %d: %v, want the batch's 403", i, err)
		}
	}
}

// TestRefreshRetriesA429OnceForTheWholeBatch proves that a rate-limited batch
// is retried as one request, as the server asked, and answers every caller.
func TestRefreshRetriesA429OnceForTheWholeBatch(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set(apiv1.HeaderRetryAfter, "2")
			writeError(w, http.StatusTooManyRequests, apiv1.CodeRateLimited, "slow down")
			return
		}
		account{"key_1", "key_2", "key_3"}.serve(w, r)
	})
	c, waits := coalescing(f, 3, 100)
	keys, errs := readAll(c, nil, "key_1", "key_2", "key_3")

	want := "GET /v1/api-keys?ids=key_1%2Ckey_2%2Ckey_3&limit=3"
	if got := queries(f); !slices.Equal(got, []string{want, want}) {
		t.Fatalf("requests %v, want the batch twice", got)
	}
	if w := waits.all(); len(w) != 1 || w[0] < 2*time.Second {
		t.Errorf("waits %v, want one of at least the 2s the server asked for", w)
	}
	for i := range keys {
		if errs[i] != nil || keys[i] == nil {
			t.Errorf("caller %d: %+v, %v; want its key", i, keys[i], errs[i])
		}
	}
}

// TestRefreshCallerCancellationLeavesTheOthers proves that a caller whose
// context ends while its batch is under way returns at once with its
// context's error, and the other callers still get their objects from the
// request, which goes on.
func TestRefreshCallerCancellationLeavesTheOthers(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	requestCancelled := make(chan bool, 1)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		arrived <- struct{}{}
		select {
		case <-release:
			requestCancelled <- false
			account{"key_1", "key_2", "key_3"}.serve(w, r)
		case <-r.Context().Done():
			requestCancelled <- true
		}
	})
	c, _ := coalescing(f, 3, 100)
	c.maxRetries = 0

	ctxA, cancelA := context.WithCancel(context.Background())
	type outcome struct {
		key *apiv1.APIKey
		err error
	}
	results := make([]chan outcome, 3)
	for i, ctx := range []context.Context{ctxA, context.Background(), context.Background()} {
		results[i] = make(chan outcome, 1)
		go func() {
			k, err := c.RefreshAPIKey(ctx, fmt.Sprintf("key_%d", i+1))
			results[i] <- outcome{k, err}
		}()
	}
	<-arrived
	cancelA()
	if a := <-results[0]; !errors.Is(a.err, context.Canceled) {
		t.Errorf("cancelled caller: %+v, %v; want context.Canceled", a.key, a.err)
	}
	close(release)
	for i := 1; i < 3; i++ {
		if o := <-results[i]; o.err != nil || o.key == nil || o.key.ID != fmt.Sprintf("key_%d", i+1) {
			t.Errorf("caller %d: %+v, %v; want its key", i, o.key, o.err)
		}
	}
	if <-requestCancelled {
		t.Error("the request was cancelled although two callers still waited")
	}
}

// TestRefreshRequestEndsWhenEveryCallerHasGone proves that a batch's request
// is cancelled once no caller waits for it any more.
func TestRefreshRequestEndsWhenEveryCallerHasGone(t *testing.T) {
	arrived, cancelled := make(chan struct{}), make(chan struct{})
	f := newFake(t, func(_ http.ResponseWriter, r *http.Request, _ int) {
		arrived <- struct{}{}
		<-r.Context().Done()
		close(cancelled)
	})
	c, _ := coalescing(f, 3, 100)
	c.maxRetries = 0
	ctxs := make([]context.Context, 3)
	cancels := make([]context.CancelFunc, 3)
	for i := range ctxs {
		ctxs[i], cancels[i] = context.WithCancel(context.Background())
	}
	done := make(chan []error, 1)
	go func() { _, errs := readAll(c, ctxs, "key_1", "key_2", "key_3"); done <- errs }()
	<-arrived
	for _, cancel := range cancels {
		cancel()
	}
	for i, err := range <-done {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("caller %d: %v, want context.Canceled", i, err)
		}
	}
	<-cancelled // the test would time out if the request went on
}

// TestRefreshListsTheKindAfterAFewReads proves the listing: after listAfter
// reads of a kind, reads are answered from pages of the whole kind, fetched
// as needed, each object once; an id missing from the whole listing is asked
// for by ids=, so that its 404 comes from the server.
func TestRefreshListsTheKindAfterAFewReads(t *testing.T) {
	acct := account{"key_6", "key_5", "key_4", "key_3", "key_2", "key_1"}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) { acct.serve(w, r) })
	c, _ := coalescing(f, 1, 2)
	c.listPage = 2

	for _, id := range []string{"key_1", "key_2", "key_6", "key_5", "key_3", "key_4", "key_6", "key_9"} {
		key, err := c.RefreshAPIKey(context.Background(), id)
		switch {
		case id == "key_9":
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("read of %s: %v, want ErrNotFound", id, err)
			}
		case err != nil || key.ID != id:
			t.Errorf("read of %s: %+v, %v", id, key, err)
		}
	}
	want := []string{
		"GET /v1/api-keys?ids=key_1&limit=1", // the first reads go by ids=
		"GET /v1/api-keys?ids=key_2&limit=1",
		"GET /v1/api-keys?limit=2",           // the third starts the listing: key_6 and key_5
		"GET /v1/api-keys?cursor=2&limit=2",  // key_3 is on the second page, with key_4
		"GET /v1/api-keys?cursor=4&limit=2",  // key_6 again: handed out already, so the listing goes on to its end
		"GET /v1/api-keys?ids=key_6&limit=1", // and then asks by id
		"GET /v1/api-keys?ids=key_9&limit=1", // not in the account: the server says 404
	}
	if got := queries(f); !slices.Equal(got, want) {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRefreshListingIsDroppedByAWrite proves that a write through the client
// drops the listing: the next read is asked for by ids=, and a new listing
// starts only after listAfter more reads.
func TestRefreshListingIsDroppedByAWrite(t *testing.T) {
	acct := account{"key_4", "key_3", "key_2", "key_1"}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) { acct.serve(w, r) })
	c, _ := coalescing(f, 1, 1)
	read := func(id string) {
		t.Helper()
		if key, err := c.RefreshAPIKey(context.Background(), id); err != nil || key.ID != id {
			t.Fatalf("read of %s: %+v, %v", id, key, err)
		}
	}
	read("key_1")
	read("key_2") // starts the listing, which holds the other keys
	if _, err := c.UpdateAPIKey(context.Background(), "key_3", apiv1.UpdateAPIKeyRequest{Description: ptr("changed")}); err != nil {
		t.Fatal(err)
	}
	read("key_3") // listed, but the write came after: asked for again
	read("key_4") // the second read since the write starts a new listing
	want := []string{
		"GET /v1/api-keys?ids=key_1&limit=1",
		"GET /v1/api-keys?limit=1000",
		"PATCH /v1/api-keys/key_3",
		"GET /v1/api-keys?ids=key_3&limit=1",
		"GET /v1/api-keys?limit=1000",
	}
	if got := queries(f); !slices.Equal(got, want) {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRefreshListingStopsAtItsCap proves that a listing of an account far
// larger than the state stops once it holds listCap objects not handed out,
// and that the reads it cannot answer go by ids=.
func TestRefreshListingStopsAtItsCap(t *testing.T) {
	acct := account{"key_9", "key_8", "key_7", "key_6", "key_5", "key_4", "key_3", "key_2", "key_1"}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) { acct.serve(w, r) })
	c, _ := coalescing(f, 1, 0)
	c.listPage, c.listCap = 2, 3

	for _, id := range []string{"key_1", "key_8"} {
		if key, err := c.RefreshAPIKey(context.Background(), id); err != nil || key.ID != id {
			t.Fatalf("read of %s: %+v, %v", id, key, err)
		}
	}
	want := []string{
		"GET /v1/api-keys?limit=2",           // key_9, key_8
		"GET /v1/api-keys?cursor=2&limit=2",  // key_7, key_6: four held, over the cap of three
		"GET /v1/api-keys?ids=key_1&limit=1", // so key_1 is asked for by id
	}
	if got := queries(f); !slices.Equal(got, want) {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRefreshFallsBackToIDsWhenAPageFails proves that a failed page ends the
// listing without failing any read: they go by ids=.
func TestRefreshFallsBackToIDsWhenAPageFails(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Query().Get("ids") == "" {
			writeError(w, http.StatusInternalServerError, apiv1.CodeInternal, "broken")
			return
		}
		account{"key_1"}.serve(w, r)
	})
	c, _ := coalescing(f, 1, 0)
	c.maxRetries = 0
	if key, err := c.RefreshAPIKey(context.Background(), "key_1"); err != nil || key.ID != "key_1" {
		t.Fatalf("read: %+v, %v; want the key", key, err)
	}
	if got, want := queries(f), []string{"GET /v1/api-keys?limit=1000", "GET /v1/api-keys?ids=key_1&limit=1"}; !slices.Equal(got, want) {
		t.Errorf("requests %v, want %v", got, want)
	}
}

// TestRefreshRefusesAServerThatIgnoresIDs proves that an answer holding an
// object that was not asked for is an error, not a reason to call the
// objects that were asked for deleted.
func TestRefreshRefusesAServerThatIgnoresIDs(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusOK, apiv1.APIKeyList{Data: []apiv1.APIKey{sampleKey("key_other")}})
	})
	c, _ := coalescing(f, 1, 100)
	if _, err := c.RefreshAPIKey(context.Background(), "key_1"); err == nil || errors.Is(err, ErrNotFound) ||
		!strings.Contains(err.Error(), "does not support the ids parameter") {
		t.Errorf("read: %v, want an error saying the server ignored ids", err)
	}
}

// TestRefreshRejectsAnEmptyIDWithoutARequest mirrors the Get methods.
func TestRefreshRejectsAnEmptyIDWithoutARequest(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { writeJSON(w, http.StatusOK, apiv1.APIKeyList{}) })
	c, _ := coalescing(f, 1, 100)
	if _, err := c.RefreshAPIKey(context.Background(), ""); err == nil {
		t.Error("an empty id was accepted")
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// TestEveryKindRefreshesThroughItsList proves that each kind's Refresh method
// reads its own collection with ids= and decodes its own type.
func TestEveryKindRefreshesThroughItsList(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		id := r.URL.Query().Get("ids")
		writeJSON(w, http.StatusOK, map[string]any{"data": []map[string]string{{"id": id}}})
	})
	c, _ := coalescing(f, 1, 100)
	ctx := context.Background()
	got := map[string]string{}
	check := func(path string, id string, err error) {
		if err != nil {
			t.Errorf("%s: %v", path, err)
		}
		got[path] = id
	}
	k, err := c.RefreshAPIKey(ctx, "key_1")
	check("/v1/api-keys", k.ID, err)
	ch, err := c.RefreshNotificationChannel(ctx, "nc_1")
	check("/v1/notification-channels", ch.ID, err)
	rule, err := c.RefreshAlertRule(ctx, "ar_1")
	check("/v1/alert-rules", rule.ID, err)
	g, err := c.RefreshAccessGrant(ctx, "ag_1")
	check("/v1/access-grants", g.ID, err)
	s, err := c.RefreshBackupSchedule(ctx, "bs_1")
	check("/v1/backup-schedules", s.ID, err)

	want := []string{
		"GET /v1/api-keys?ids=key_1&limit=1", "GET /v1/notification-channels?ids=nc_1&limit=1",
		"GET /v1/alert-rules?ids=ar_1&limit=1", "GET /v1/access-grants?ids=ag_1&limit=1",
		"GET /v1/backup-schedules?ids=bs_1&limit=1",
	}
	if q := queries(f); !slices.Equal(q, want) {
		t.Errorf("requests %v, want %v", q, want)
	}
	if got["/v1/access-grants"] != "ag_1" || got["/v1/backup-schedules"] != "bs_1" {
		t.Errorf("decoded ids %v", got)
	}
}
