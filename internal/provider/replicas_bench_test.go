package provider

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// BenchmarkApplyOfKeys applies 1000 API keys with Terraform and then plans
// them, against one keymate-server process on SQLite and against two on one
// PostgreSQL (a cluster of its own that syncs every commit, as SQLite does)
// behind the round-robin balancer, and reports the seconds of each command.
// It needs the Terraform CLI and PostgreSQL's server binaries:
//
//	TF_ACC=1 go test -run '^$' -bench ApplyOfKeys -benchtime 1x ./internal/provider/
func BenchmarkApplyOfKeys(b *testing.B) {
	const n = 1000
	const admin = "km_bench-admin-secret-0123456789abcdef" //nolint:gosec // G101: a benchmark-only secret.
	bin := buildServerBinary(b)
	settings := []string{"KEYMATE_BOOTSTRAP_API_KEY=" + admin, "KEYMATE_RATE_LIMIT=100000", "KEYMATE_RATE_BURST=100000"}
	b.Run("sqlite", func(b *testing.B) {
		p := startServerProcess(b, bin, append(settings, "KEYMATE_DATA_DIR="+b.TempDir())...)
		applyAndPlanKeys(b, p.url, admin, n)
	})
	b.Run("postgres-2-replicas", func(b *testing.B) {
		cluster, err := pgtest.StartDurable(context.Background())
		if err != nil {
			b.Skipf("no PostgreSQL: %v", err)
		}
		b.Cleanup(func() { _ = cluster.Stop() })
		db, err := pgtest.NewDatabase(context.Background(), cluster.URL)
		if err != nil {
			b.Fatal(err)
		}
		env := append(settings, "KEYMATE_DATA_DIR="+b.TempDir(), "KEYMATE_DATABASE_URL="+db)
		first := startServerProcess(b, bin, env...)
		second := startServerProcess(b, bin, env...)
		lb := httptest.NewServer(servertest.NewBalancer(func() []string { return []string{first.url, second.url} }))
		b.Cleanup(lb.Close)
		applyAndPlanKeys(b, lb.URL, admin, n)
	})
}

// applyAndPlanKeys applies n new keys at endpoint b.N times, each in a new
// working directory, then plans them, and reports the mean seconds of
// apply and plan.
func applyAndPlanKeys(b *testing.B, endpoint, admin string, n int) {
	var apply, plan time.Duration
	for i := range b.N {
		w := newCLIWorkdir(b, envEndpoint+"="+endpoint, envAPIKey+"="+admin)
		w.writeConfig(fmt.Sprintf(`
resource "keymate_api_key" "bench" {
  count  = %d
  name   = "bench-%d-${count.index}"
  scopes = ["keys:read"]
}
`, n, i))
		start := time.Now()
		w.mustRun("apply", "-input=false", "-no-color", "-auto-approve")
		apply += time.Since(start)
		start = time.Now()
		w.mustRun("plan", "-input=false", "-no-color", "-detailed-exitcode")
		plan += time.Since(start)
	}
	b.ReportMetric(apply.Seconds()/float64(b.N), "apply-s")
	b.ReportMetric(plan.Seconds()/float64(b.N), "plan-s")
}
