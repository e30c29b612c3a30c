package servertest

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
)

// balancer is a round-robin HTTP load balancer for replicas, as one in
// front of a real deployment: each request goes to the next backend, and a
// request whose backend refuses the connection (a replica that is down) goes
// to the one after, which is safe because nothing of it was sent. It appends
// the client's address to X-Forwarded-For, as a server's --trusted-proxies
// expects of a load balancer.
type balancer struct {
	backends func() []string // the replicas' current base URLs
	next     atomic.Uint64
	proxy    *httputil.ReverseProxy
}

// NewBalancer returns a round-robin load balancer over the base URLs that
// backends returns at each request: a request whose backend refuses the
// connection goes on to the next one, as a load balancer's passive health
// check does.
func NewBalancer(backends func() []string) http.Handler { return newBalancer(backends) }

func newBalancer(backends func() []string) *balancer {
	b := &balancer{backends: backends}
	b.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) { // the transport picks the backend
			pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
			pr.SetXForwarded()
		},
		Transport: b,
		ErrorLog:  log.New(io.Discard, "", 0), // a killed replica's requests end in 502, which clients retry
	}
	return b
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) { b.proxy.ServeHTTP(w, r) }

// RoundTrip sends r to the next backend that accepts a connection.
func (b *balancer) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
	}
	backends := b.backends()
	first := b.next.Add(1)
	var errs []error
	for i := range backends {
		target, err := url.Parse(backends[(first+uint64(i))%uint64(len(backends))])
		if err != nil {
			return nil, err
		}
		out := r.Clone(r.Context())
		out.URL.Scheme, out.URL.Host, out.Host = target.Scheme, target.Host, target.Host
		out.Body = io.NopCloser(bytes.NewReader(body))
		resp, err := http.DefaultTransport.RoundTrip(out)
		var opErr *net.OpError
		if err != nil && errors.As(err, &opErr) && opErr.Op == "dial" {
			errs = append(errs, err)
			continue
		}
		return resp, err
	}
	return nil, errors.Join(errs...)
}
