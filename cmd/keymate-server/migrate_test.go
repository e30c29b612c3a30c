package main

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// TestMigrateCopiesEveryKindIntoPostgreSQL fills a SQLite install with
// every kind of object through the API (a key, a webhook channel with a
// signing secret, an alert rule routed to it, an access grant and its
// review, a backup schedule and a run of it, and the audit events of all
// that), migrates it into a new PostgreSQL database, and proves that a
// server on PostgreSQL with the install's data directory answers every list
// exactly as the SQLite server did, opens the channel's sealed secret (a
// channel test delivers a signed request), and creates new objects. A
// second migration into the now full database is refused.
func TestMigrateCopiesEveryKindIntoPostgreSQL(t *testing.T) {
	url := pgtest.URL(t)
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	admin := api{t, inst.URL, inst.AdminKey}
	hook, deliveries := webhookReceiver(t)
	const signingSecret = "whsec-migrate-test-0123456789"
	admin.create("/v1/api-keys", `{"name":"ci","scopes":["keys:read"]}`)
	channel := admin.create("/v1/notification-channels", fmt.Sprintf(`{"name":"ops","type":"webhook","webhook":{"url":%q,"signing_secret":%q}}`, hook, signingSecret))
	admin.create("/v1/alert-rules", fmt.Sprintf(`{"name":"auth","severity":"critical","metric":"auth.failures","condition":{"operator":"gte","threshold":5,"window":"5m"},"notification_channel_ids":[%q]}`,
		strings.TrimPrefix(channel, "/v1/notification-channels/")))
	grant := admin.create("/v1/access-grants", `{"principal":{"type":"user","id":"alice"},"role":"viewer","resource":"*","justification":"on call","review_interval_days":90}`)
	admin.do(http.MethodPost, grant+"/review", `{"reviewer":"bob","decision":"keep"}`, http.StatusOK)
	schedule := admin.create("/v1/backup-schedules", `{"name":"nightly","cron":"0 4 * * *"}`)
	admin.do(http.MethodPost, schedule+"/run", "", http.StatusCreated)
	lists := []string{"/v1/api-keys", "/v1/notification-channels", "/v1/alert-rules", "/v1/access-grants",
		"/v1/backup-schedules", "/v1/audit-events", "/v1/alert-incidents", grant + "/reviews", schedule + "/runs"}
	// What the lists' own requests record of the admin key's use is written
	// when the server stops: list once, restart, and list again, so that the
	// answers kept hold what the database holds (the clock stands still).
	for _, path := range lists {
		admin.do(http.MethodGet, path, "", http.StatusOK)
	}
	inst.Restart(t)
	admin.url = inst.URL
	before := map[string][]byte{}
	for _, path := range lists {
		before[path] = admin.do(http.MethodGet, path, "", http.StatusOK)
	}
	inst.Stop(t)

	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"migrate", "--from", "sqlite:" + inst.DataDir(), "--to", url}, &stdout, &stderr); code != 0 {
		t.Fatalf("migrate exited %d: %s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "api_keys: 2 rows") || !strings.Contains(stdout.String(), "sealing.key") {
		t.Errorf("migrate said:\n%s", stdout.String())
	}

	srv, pg := serveConfig(t, server.Config{DataDir: inst.DataDir(), DatabaseURL: url, Clock: inst.Clock,
		RateLimit: servertest.DefaultRateLimit, RateBurst: servertest.DefaultRateBurst, Destinations: servertest.LoopbackDestinations}, inst.AdminKey)
	if srv.GeneratedAdminSecret() != "" {
		t.Error("the server on the migrated database created another admin key")
	}
	for _, path := range lists {
		if after := pg.do(http.MethodGet, path, "", http.StatusOK); !bytes.Equal(after, before[path]) {
			t.Errorf("GET %s on PostgreSQL:\n%s\nwant, as on SQLite:\n%s", path, after, before[path])
		}
	}
	pg.testDeliveryIsSigned(channel, deliveries, signingSecret, inst.Clock.Now())
	pg.create("/v1/api-keys", `{"name":"after the move","scopes":["keys:read"]}`)

	stdout.Reset()
	stderr.Reset()
	if code := runMain([]string{"migrate", "--from", "sqlite:" + inst.DataDir(), "--to", url}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "not empty") {
		t.Fatalf("a second migrate exited %d: %s", code, stderr.String())
	}
}
