package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// Coalesced reads for refresh.
//
// A plan reads every object in state, up to -parallelism at a time. The
// Refresh methods (RefreshAPIKey, ...) answer the same as the Get methods,
// with far fewer requests:
//
//   - Reads of one kind that arrive within batchWindow of each other (or
//     until MaxListIDs are waiting) become one GET of the list with ids=, and
//     each caller gets its own object, or ErrNotFound when the list left its
//     id out. An error of that request is every caller's error; a caller
//     whose context ends stops waiting without disturbing the others.
//   - Terraform reads only -parallelism objects at once, so batches alone
//     stay small. Once a run has read more than listAfter objects of a kind,
//     the client lists that kind in pages of apiv1.MaxPageLimit and answers
//     later reads from the listing: a plan of 1000 objects of a kind costs a
//     batch and a page or two. An object is handed out once, then forgotten.
//     An id the listing lacks (deleted, or created after the listing began)
//     goes through a batch, so a 404 always comes from the server.
//   - Any write through the client (a method other than GET) drops the
//     listings, so a read never answers from data older than the client's
//     own last write.
//   - For accounts far larger than the state, a listing keeps at most
//     listCap objects not yet handed out; past that it stops fetching pages
//     and the remaining reads go through batches. Memory stays bounded, and
//     the cost of a pointless listing is at most listCap/MaxPageLimit pages.
//
// A listing is a snapshot taken during the run, as consistent as reads one by
// one would be: each object is as it was when its page was read.

// Defaults of the coalescing; the Client's fields hold them so that tests
// can make batching deterministic. A listing starts with the third read of
// a kind: a configuration of one or two objects of a kind never lists it, and
// a plan of 200 objects of each of four kinds sends 8 or 9 requests (a batch
// and a page a kind), where starting at the fourth read sent up to 11 and at
// the sixth up to 14, as more reads came before the listing.
const (
	defaultBatchWindow = 2 * time.Millisecond
	defaultListAfter   = 2
	defaultListCap     = 10000
)

// refresher coalesces the reads of one kind of object.
type refresher[T any] struct {
	c    *Client
	path string          // the kind's collection, such as /v1/api-keys
	id   func(*T) string // an object's id

	mu      sync.Mutex
	batch   *batch[T]   // collecting ids; nil when none is
	reads   int         // reads since the listing was last dropped
	listing *listing[T] // nil until more than listAfter reads
}

func newRefresher[T any](c *Client, path string, id func(*T) string) *refresher[T] {
	return &refresher[T]{c: c, path: path, id: id}
}

// read returns the object with id, or an error matching ErrNotFound.
func (r *refresher[T]) read(ctx context.Context, id string) (*T, error) {
	if _, err := objectPath(r.path, id); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	gen := r.c.writes.Load()
	if r.listing != nil && r.listing.gen != gen {
		r.listing, r.reads = nil, 0 // a write since the listing began
	}
	r.reads++
	if r.listing == nil && r.reads > r.c.listAfter {
		r.listing = &listing[T]{gen: gen, objects: map[string]*T{}, cursors: map[string]bool{}}
		tflog.SubsystemDebug(r.c.logContext(ctx), LogSubsystem, "Listing objects to answer reads", map[string]any{"path": r.path})
	}
	l := r.listing
	r.mu.Unlock()

	if l != nil {
		obj, err := l.find(ctx, r, id)
		if err != nil || obj != nil {
			return obj, err
		}
	}
	return r.viaBatch(ctx, id)
}

// batch is one ids= request and the callers waiting for it.
type batch[T any] struct {
	ids     []string
	waiting int                // callers still waiting
	ctx     context.Context    // the request's: no caller's cancellation, the first caller's values
	cancel  context.CancelFunc // ends the request when no caller waits any more
	done    chan struct{}      // closed when found or err is set
	found   map[string]*T
	err     error
}

// viaBatch reads id through the batch that is collecting ids, opening one
// when none is.
func (r *refresher[T]) viaBatch(ctx context.Context, id string) (*T, error) {
	r.mu.Lock()
	b := r.batch
	if b == nil {
		bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		b = &batch[T]{ctx: bctx, cancel: cancel, done: make(chan struct{})}
		r.batch = b
		time.AfterFunc(r.c.batchWindow, func() {
			if r.detach(b) {
				r.send(b)
			}
		})
	}
	if !slices.Contains(b.ids, id) {
		b.ids = append(b.ids, id)
	}
	b.waiting++
	full := len(b.ids) >= r.c.batchSize
	if full {
		r.batch = nil // closed to later reads, so that it never exceeds batchSize
	}
	r.mu.Unlock()
	if full {
		go r.send(b)
	}

	select {
	case <-b.done:
		if b.err != nil {
			return nil, b.err
		}
		if obj, ok := b.found[id]; ok {
			v := *obj // each caller its own copy
			return &v, nil
		}
		return nil, r.notFound(id)
	case <-ctx.Done():
		r.mu.Lock()
		b.waiting--
		if b.waiting == 0 {
			b.cancel()
		}
		r.mu.Unlock()
		return nil, ctx.Err()
	}
}

// detach closes batch b to later reads if it still collects ids, and
// reports whether it did: a batch that filled up was closed and sent then.
func (r *refresher[T]) detach(b *batch[T]) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.batch != b {
		return false
	}
	r.batch = nil
	return true
}

// send sends batch b, which no read can join any more, and answers its
// callers.
func (r *refresher[T]) send(b *batch[T]) {
	ids := b.ids
	defer close(b.done)
	defer b.cancel()
	q := url.Values{"ids": {strings.Join(ids, ",")}, "limit": {strconv.Itoa(len(ids))}}
	var p page[T]
	if err := r.c.do(b.ctx, http.MethodGet, r.path, q, nil, &p); err != nil {
		b.err = err
		return
	}
	b.found = make(map[string]*T, len(p.Data))
	for i := range p.Data {
		obj := &p.Data[i]
		if !slices.Contains(ids, r.id(obj)) {
			// A server that ignored ids= would make every other object look deleted.
			b.err = fmt.Errorf("GET %s?ids=...: the server returned %s, which was not asked for; it does not support the ids parameter", r.path, r.id(obj))
			return
		}
		b.found[r.id(obj)] = obj
	}
}

// notFound is the error of an id that the server left out of an ids= list:
// what GET path/id would have answered.
func (r *refresher[T]) notFound(id string) error {
	return &APIError{StatusCode: http.StatusNotFound, Code: apiv1.CodeNotFound, Method: http.MethodGet,
		Path: r.path + "/" + url.PathEscape(id), Message: "no object has this id (the list with ids= left it out)"}
}

// listing is a listing of one kind, made page by page as reads need it.
type listing[T any] struct {
	gen uint64 // the client's write count when it began

	mu       sync.Mutex
	objects  map[string]*T   // listed and not yet handed out
	cursor   string          // of the next page
	cursors  map[string]bool // every cursor followed, so that a cycle ends the listing
	done     bool            // no more pages: the last was read, one failed, or the cap was reached
	fetching chan struct{}   // closed when the page being fetched has landed; nil when none is
}

// find returns the object with id from the listing, reading pages until it
// appears or the listing is done. It returns nil, nil when the listing cannot
// answer: the id is not in it, or a write happened since it began.
func (l *listing[T]) find(ctx context.Context, r *refresher[T], id string) (*T, error) {
	l.mu.Lock()
	for {
		if obj, ok := l.objects[id]; ok {
			delete(l.objects, id)
			l.mu.Unlock()
			if r.c.writes.Load() != l.gen {
				return nil, nil
			}
			return obj, nil
		}
		if l.done {
			l.mu.Unlock()
			return nil, nil
		}
		if l.fetching == nil {
			l.fetching = make(chan struct{})
			go l.fetch(context.WithoutCancel(ctx), r)
		}
		landed := l.fetching
		l.mu.Unlock()
		select {
		case <-landed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		l.mu.Lock()
	}
}

// fetch reads the next page into the listing. A failed page ends the
// listing; the reads it would have answered go through batches.
func (l *listing[T]) fetch(ctx context.Context, r *refresher[T]) {
	l.mu.Lock()
	q := url.Values{"limit": {strconv.Itoa(r.c.listPage)}}
	setIf(q, "cursor", l.cursor)
	l.mu.Unlock()

	var p page[T]
	err := r.c.do(ctx, http.MethodGet, r.path, q, nil, &p)

	l.mu.Lock()
	defer l.mu.Unlock()
	defer func() { close(l.fetching); l.fetching = nil }()
	if err != nil {
		l.done = true
		tflog.SubsystemDebug(r.c.logContext(ctx), LogSubsystem, "Listing stopped; reading by ids instead", map[string]any{"path": r.path, "error": err.Error()})
		return
	}
	for i := range p.Data {
		l.objects[r.id(&p.Data[i])] = &p.Data[i]
	}
	l.cursor = p.NextCursor
	if p.NextCursor == "" || l.cursors[p.NextCursor] || len(l.objects) >= r.c.listCap {
		l.done = true
	}
	l.cursors[p.NextCursor] = true
}
