package client_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// countingTransport counts the requests a client sends.
type countingTransport struct{ n atomic.Int64 }

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// BenchmarkRefresh reads 1000 API keys of the real server from 10
// goroutines at once, as a plan's refresh does at Terraform's default
// -parallelism, one GET per key (get) and coalesced (refresh); it reports the
// requests each refresh of the 1000 keys sends.
//
//	go test -run '^$' -bench Refresh ./internal/client/
func BenchmarkRefresh(b *testing.B) {
	const objects, parallelism = 1000, 10
	inst := servertest.Start(b, servertest.WithRateLimit(1e9, 1<<30))
	admin, err := client.New(client.Config{Endpoint: inst.URL, APIKey: inst.AdminKey})
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, objects)
	for i := range ids {
		k, err := admin.CreateAPIKey(b.Context(), apiv1.CreateAPIKeyRequest{Name: fmt.Sprintf("bench-%d", i), Scopes: []string{"keys:read"}})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = k.ID
	}
	for _, mode := range []struct {
		name string
		read func(c *client.Client, ctx context.Context, id string) (*apiv1.APIKey, error)
	}{{"get", (*client.Client).GetAPIKey}, {"refresh", (*client.Client).RefreshAPIKey}} {
		b.Run(mode.name, func(b *testing.B) {
			counter := &countingTransport{}
			for b.Loop() {
				// A new client per refresh, as Terraform starts the provider anew for each plan.
				c, err := client.New(client.Config{Endpoint: inst.URL, APIKey: inst.AdminKey, HTTPClient: &http.Client{Transport: counter}})
				if err != nil {
					b.Fatal(err)
				}
				next := atomic.Int64{}
				var wg sync.WaitGroup
				for range parallelism {
					wg.Go(func() {
						for i := next.Add(1) - 1; i < objects; i = next.Add(1) - 1 {
							if _, err := mode.read(c, b.Context(), ids[i]); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(counter.n.Load())/float64(b.N), "requests/op")
		})
	}
}
