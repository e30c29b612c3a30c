package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/backup"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// Several servers on one PostgreSQL database, as replicas behind a load
// balancer: what one answers, the others answer too.

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Cleanup()
	if durablePostgres.cluster != nil {
		_ = durablePostgres.cluster.Stop()
	}
	os.Exit(code)
}

// TestReplicasServeOneAccount proves that a key created on one replica
// reads on the other, and that a name taken on one is a 409 on the other.
func TestReplicasServeOneAccount(t *testing.T) {
	r := servertest.StartReplicas(t, 2)
	key := createKey(t, r[0], apiv1.CreateAPIKeyRequest{Name: "ci", Scopes: []string{"keys:read"}})
	resp, body := call(t, r[1].URL, http.MethodGet, "/v1/api-keys/"+key.ID, r[1].AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if got := decode[apiv1.APIKey](t, body); got.Name != "ci" || got.Version != key.Version {
		t.Fatalf("the other replica reads %+v, want the key created on the first", got)
	}
	resp, body = call(t, r[1].URL, http.MethodPost, "/v1/api-keys", r[1].AdminKey, `{"name":"ci","scopes":["keys:read"]}`)
	mustStatus(t, resp, body, http.StatusConflict)
}

// TestIfMatchHoldsAcrossReplicas proves that of 50 concurrent PATCHes of
// one key with If-Match on its version, split over two replicas, exactly
// one succeeds and the other 49 get 412; five rounds, each on the version
// the last one left, make a race that slips through at times fail.
func TestIfMatchHoldsAcrossReplicas(t *testing.T) {
	r := servertest.StartReplicas(t, 2)
	key := createKey(t, r[0], apiv1.CreateAPIKeyRequest{Name: "contended", Scopes: []string{"keys:read"}})
	version := key.Version
	for round := range 5 {
		const n = 50
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				inst := r[i%2]
				resp, _ := call(t, inst.URL, http.MethodPatch, "/v1/api-keys/"+key.ID, inst.AdminKey,
					fmt.Sprintf(`{"description":"round %d writer %d"}`, round, i), "If-Match", fmt.Sprintf(`"%d"`, version))
				statuses[i] = resp.StatusCode
			})
		}
		wg.Wait()
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		if count[http.StatusOK] != 1 || count[http.StatusPreconditionFailed] != n-1 {
			t.Fatalf("round %d: statuses %v, want one 200 and %d 412", round, count, n-1)
		}
		version++
	}
}

// TestReplicasStartingAtOnceCreateOneBootstrapKey proves that three
// servers started at once on an empty database create one admin key, in
// each of three rounds on a new database (a race would slip through some).
func TestReplicasStartingAtOnceCreateOneBootstrapKey(t *testing.T) {
	for round := range 3 {
		url := pgtest.URL(t)
		dir := t.TempDir()
		const n = 3
		servers := make([]*server.Server, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { servers[i], errs[i] = server.New(server.Config{DataDir: dir, DatabaseURL: url}) })
		}
		wg.Wait()
		var secrets []string
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, server %d: %v", round, i, err)
			}
			t.Cleanup(func() { _ = servers[i].Close() })
			if s := servers[i].GeneratedAdminSecret(); s != "" {
				secrets = append(secrets, s)
			}
		}
		if len(secrets) != 1 {
			t.Fatalf("round %d: %d servers generated an admin key, want 1", round, len(secrets))
		}
	}
}

// TestAReplicaWithAnotherSealingKeyRefusesToStart proves that a server
// whose sealing key is not the one the database's secrets are sealed with
// (a data directory not copied from the others) does not start.
func TestAReplicaWithAnotherSealingKeyRefusesToStart(t *testing.T) {
	r := servertest.StartReplicas(t, 1)
	_, err := server.New(server.Config{DataDir: t.TempDir(), DatabaseURL: r[0].DatabaseURL()})
	if err == nil || !strings.Contains(err.Error(), "needs a copy of the same sealing.key") {
		t.Fatalf("a server with another sealing key started (%v), want a refusal naming sealing.key", err)
	}
}

// TestHealthzAnswers503WhenTheDatabaseIsGone proves that a replica whose
// database stops answers 503 on /healthz, for the load balancer to take it
// out, rather than serving from what it last knew.
func TestHealthzAnswers503WhenTheDatabaseIsGone(t *testing.T) {
	cluster, err := pgtest.Start(t.Context())
	if err != nil {
		t.Skipf("no PostgreSQL: %v", err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = cluster.Stop()
		}
	})
	url, err := pgtest.NewDatabase(t.Context(), cluster.URL)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{DataDir: t.TempDir(), DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	healthz := func() int {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/healthz", nil))
		return rec.Code
	}
	if got := healthz(); got != http.StatusOK {
		t.Fatalf("healthz = %d with the database up, want 200", got)
	}
	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped = true
	if got := healthz(); got != http.StatusServiceUnavailable {
		t.Fatalf("healthz = %d with the database gone, want 503", got)
	}
}

// leads reports whether inst's /metrics says keymate_leader 1.
func leads(t *testing.T, inst *servertest.Instance) bool {
	t.Helper()
	resp, body := call(t, inst.URL, http.MethodGet, "/metrics", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	switch {
	case strings.Contains(string(body), "\nkeymate_leader 1\n"):
		return true
	case strings.Contains(string(body), "\nkeymate_leader 0\n"):
		return false
	}
	t.Fatalf("/metrics has no keymate_leader:\n%s", body)
	return false
}

// TestOneReplicaLeadsTheJobsAndAnotherTakesOver proves that of two replicas
// exactly one leads and runs the periodic jobs, that when the leader's
// session ends (as when its process dies) and it stops, the other takes
// over at its next election, and that an incident the old leader opened and
// notified is not notified again by the new one.
func TestOneReplicaLeadsTheJobsAndAnotherTakesOver(t *testing.T) {
	r := servertest.StartReplicas(t, 2, servertest.WithLoopbackDestinations())
	url, got := receiver(t, http.StatusOK)
	ch := createChannel(t, r[0], fmt.Sprintf(`{"name":"hook","type":"webhook","webhook":{"url":%q}}`, url))
	createKey(t, r[0], apiv1.CreateAPIKeyRequest{Name: "short", Scopes: []string{"keys:read"}, RotationDays: ptr(int64(1))})
	createRule(t, r[0], apiv1.CreateAlertRuleRequest{
		Name: "overdue", Severity: apiv1.SeverityWarning, Metric: apiv1.MetricKeysRotationOverdue,
		Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGTE, Threshold: 1, Window: "1m"}, NotificationChannelIDs: []string{ch.ID},
	})
	r[0].RunJobs(t)
	r[1].RunJobs(t)
	if !leads(t, r[0]) || leads(t, r[1]) {
		t.Fatal("want the first replica to lead, and the second not")
	}
	r[0].Clock.Advance(25 * time.Hour)
	r[1].RunJobs(t) // not the leader: evaluates nothing
	none(t, got, "after the replica that does not lead ran its jobs")
	r[0].RunJobs(t)
	if name, _, _ := event(t, next(t, got)); name != apiv1.EventAlertOpened {
		t.Fatalf("the leader sent %s, want alert.opened", name)
	}

	endLeaderSession(t, r[0])
	r[0].Stop(t)
	r[1].RunJobs(t)
	if !leads(t, r[1]) {
		t.Fatal("the remaining replica does not lead after the leader stopped")
	}
	r[1].Clock.Advance(time.Minute)
	r[1].RunJobs(t)
	none(t, got, "after the new leader evaluated the incident the old one had notified")
}

// endLeaderSession ends the PostgreSQL session that holds the leader's lock,
// as PostgreSQL does when the leader's process dies.
func endLeaderSession(t *testing.T, inst *servertest.Instance) {
	t.Helper()
	db, err := sql.Open("pgx", inst.DatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ended int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) t`).Scan(&ended); err != nil || ended != 1 {
		t.Fatalf("ended %d sessions holding advisory locks (%v), want the leader's", ended, err)
	}
}

// TestBackupsOfPostgreSQLAreSQLiteFilesThatRestore proves that a backup
// schedule on PostgreSQL writes the same verified backup format as on
// SQLite: the run's restore drill passes, and `restore` of its file gives a
// data directory whose SQLite server serves the keys of the PostgreSQL one.
func TestBackupsOfPostgreSQLAreSQLiteFilesThatRestore(t *testing.T) {
	r := servertest.StartReplicas(t, 2)
	createKey(t, r[0], apiv1.CreateAPIKeyRequest{Name: "backed-up", Scopes: []string{"keys:read"}})
	resp, body := call(t, r[1].URL, http.MethodPost, "/v1/backup-schedules", r[1].AdminKey, `{"name":"nightly","cron":"0 4 * * *","verify_restore":true}`)
	mustStatus(t, resp, body, http.StatusCreated)
	schedule := decode[apiv1.BackupSchedule](t, body)
	resp, body = call(t, r[1].URL, http.MethodPost, "/v1/backup-schedules/"+schedule.ID+"/run", r[1].AdminKey, "")
	mustStatus(t, resp, body, http.StatusCreated)
	run := decode[apiv1.BackupRun](t, body)
	if run.Status != apiv1.BackupRunSucceeded || !run.RestoreVerified {
		t.Fatalf("the backup run of PostgreSQL: %+v", run)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if _, err := backup.Restore(t.Context(), r[1].BackupFile(run), restored, nil); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{DataDir: restored, Clock: r[0].Clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	h := httptest.NewServer(srv.Handler())
	t.Cleanup(h.Close)
	resp, body = call(t, h.URL, http.MethodGet, "/v1/api-keys?name=backed-up", r[0].AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if keys := decode[apiv1.APIKeyList](t, body); len(keys.Data) != 1 {
		t.Fatalf("the restored SQLite server lists %d keys named backed-up, want 1", len(keys.Data))
	}
}

// TestRateLimitsHoldAcrossReplicas proves that the limits are counted over
// all replicas: of 160 requests of one key with a burst of 80 (and a clock
// that stands still, so that no token comes back), spread over two
// replicas, 80 are allowed, not 160; and of 20 refused secrets from one
// client address with a burst of 10, the last 10 are answered 429.
func TestRateLimitsHoldAcrossReplicas(t *testing.T) {
	r := servertest.StartReplicas(t, 2, servertest.WithRateLimit(1, 80), func(c *server.Config) { c.AuthFailureBurst = 10 })
	id, secret := r[0].NewKey(t, "keys:read")
	count := map[int]int{}
	for i := range 160 {
		resp, _ := call(t, r[i%2].URL, http.MethodGet, "/v1/api-keys/"+id, secret, "")
		count[resp.StatusCode]++
	}
	if count[http.StatusOK] != 80 || count[http.StatusTooManyRequests] != 80 {
		t.Errorf("160 requests over two replicas: %v, want 80 allowed and 80 throttled", count)
	}
	count = map[int]int{}
	for i := range 20 {
		resp, _ := call(t, r[i%2].URL, http.MethodGet, "/v1/api-keys", "km_wrong-secret-0123456789", "")
		count[resp.StatusCode]++
	}
	if count[http.StatusUnauthorized] != 10 || count[http.StatusTooManyRequests] != 10 {
		t.Errorf("20 refused secrets over two replicas: %v, want 10 refused and then 10 throttled", count)
	}
}

// TestAlertRulesCountTheRequestsOfEveryReplica proves that on PostgreSQL
// the leader evaluates alert rules over the requests of every replica: 6
// refused secrets on each of two replicas reach a threshold of 10 that
// neither reaches alone, once the replica that does not lead has flushed
// its outcomes, and open exactly one incident, whose value counts all 12.
func TestAlertRulesCountTheRequestsOfEveryReplica(t *testing.T) {
	r := servertest.StartReplicas(t, 2, servertest.WithLoopbackDestinations(), func(c *server.Config) { c.AuthFailureBurst = 100 })
	url, got := receiver(t, http.StatusOK)
	ch := createChannel(t, r[0], fmt.Sprintf(`{"name":"hook","type":"webhook","webhook":{"url":%q}}`, url))
	createRule(t, r[0], apiv1.CreateAlertRuleRequest{
		Name: "refused", Severity: apiv1.SeverityCritical, Metric: apiv1.MetricAuthFailures,
		Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGTE, Threshold: 10, Window: "1m"}, NotificationChannelIDs: []string{ch.ID},
	})
	r[0].RunJobs(t)
	r[1].RunJobs(t)
	if !leads(t, r[0]) || leads(t, r[1]) {
		t.Fatal("want the first replica to lead, and the second not")
	}
	for i := range 12 {
		resp, body := call(t, r[i%2].URL, http.MethodGet, "/v1/api-keys", "km_wrong-secret-0123456789", "")
		mustStatus(t, resp, body, http.StatusUnauthorized)
	}
	r[0].Clock.Advance(30 * time.Second)
	r[0].RunJobs(t) // the leader sees its own 6 only
	none(t, got, "with the other replica's refused secrets not yet flushed")
	r[1].RunJobs(t) // flushes its 6; evaluates nothing
	r[0].RunJobs(t)
	name, _, value := event(t, next(t, got))
	if name != apiv1.EventAlertOpened || value != 12 {
		t.Fatalf("the leader sent %s with value %v, want alert.opened with 12", name, value)
	}
	r[1].RunJobs(t)
	r[0].RunJobs(t)
	none(t, got, "after the incident was open")
	resp, body := call(t, r[1].URL, http.MethodGet, "/v1/alert-incidents", r[1].AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	if incidents := decode[apiv1.AlertIncidentList](t, body).Data; len(incidents) != 1 || incidents[0].Status != apiv1.IncidentStatusOpen {
		t.Fatalf("incidents = %+v, want exactly one, open", incidents)
	}
}
