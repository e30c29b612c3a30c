package provider

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
	"github.com/keymate/terraform-provider-keymate/internal/pgtest"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/backup"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// TestAccReplicas_migratedAccountPlansEmpty applies examples/quickstart
// (keys, an access grant, an encrypted backup schedule, a webhook channel
// and an alert rule) against a server on SQLite, copies its database into
// PostgreSQL as `keymate-server migrate` does, starts a server on
// PostgreSQL with the same data directory, and proves that the next
// terraform plan against it is empty.
func TestAccReplicas_migratedAccountPlansEmpty(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	key := bytes.Repeat([]byte{9}, 32)
	// The provider binary reads the real clock, so the servers do too.
	inst := servertest.Start(t, servertest.WithClock(clock.Real{}), servertest.WithBackupEncryptionKey(key))
	if inst.DatabaseURL() != "" {
		t.Skip("the test server is on PostgreSQL already (KEYMATE_TEST_REPLICAS): there is no SQLite install to migrate")
	}
	quickstart, err := os.ReadFile("../../examples/quickstart/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	w := newCLIWorkdir(t, envEndpoint+"="+inst.URL, envAPIKey+"="+inst.AdminKey,
		"TF_VAR_security_webhook_signing_secret=whsec_test_0123456789abcdef")
	w.writeConfig(string(quickstart))
	w.mustRun("apply", "-input=false", "-no-color", "-auto-approve")
	inst.Stop(t)

	url := pgtest.URL(t)
	ctx := context.Background()
	sqlite, err := store.Open(ctx, filepath.Join(inst.DataDir(), backup.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.CopyInto(ctx, pg); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(sqlite.Close(), pg.Close()); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{DataDir: inst.DataDir(), DatabaseURL: url, BackupEncryptionKey: key,
		RateLimit: servertest.DefaultRateLimit, RateBurst: servertest.DefaultRateBurst})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	h := httptest.NewServer(srv.Handler())
	t.Cleanup(h.Close)
	if out, code := w.run([]string{envEndpoint + "=" + h.URL}, "plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
		t.Fatalf("terraform plan against the migrated account exited %d, want 0 (no changes):\n%s", code, out)
	}
}
