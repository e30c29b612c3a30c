package server_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// complianceReport reads the report as the admin; query is "" or
// "?min_severity=...".
func complianceReport(t *testing.T, inst *servertest.Instance, query string) apiv1.ComplianceReport {
	t.Helper()
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/compliance/report"+query, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	return decode[apiv1.ComplianceReport](t, body)
}

// findingFor returns the finding of control c about the object with id
// objectID ("" for the account), if the report has one.
func findingFor(report apiv1.ComplianceReport, c controls.Control, objectID string) (apiv1.ComplianceFinding, bool) {
	for _, f := range report.Findings {
		if f.ControlID == c.ID && f.ObjectID == objectID {
			return f, true
		}
	}
	return apiv1.ComplianceFinding{}, false
}

// expectFinding fails unless the report now has a finding of c about
// objectID whose message contains every fragment.
func expectFinding(t *testing.T, inst *servertest.Instance, c controls.Control, objectID string, fragments ...string) {
	t.Helper()
	report := complianceReport(t, inst, "")
	f, ok := findingFor(report, c, objectID)
	if !ok {
		t.Fatalf("no %s finding about %q; findings: %+v", c.ID, objectID, report.Findings)
	}
	if f.Severity != string(c.Severity) || f.Title != c.Title || f.Remediation != c.Remediation {
		t.Errorf("finding %+v does not carry the severity, title and remediation of %s", f, c.ID)
	}
	for _, frag := range fragments {
		if !strings.Contains(f.Message, frag) {
			t.Errorf("%s message %q does not contain %q", c.ID, f.Message, frag)
		}
	}
}

// expectNoFinding fails if the report has a finding of c about objectID.
func expectNoFinding(t *testing.T, inst *servertest.Instance, c controls.Control, objectID string) {
	t.Helper()
	if f, ok := findingFor(complianceReport(t, inst, ""), c, objectID); ok {
		t.Fatalf("unexpected finding %+v", f)
	}
}

// patch sends a PATCH as the admin and requires 200.
func patch(t *testing.T, inst *servertest.Instance, path, body string) {
	t.Helper()
	resp, b := call(t, inst.URL, http.MethodPatch, path, inst.AdminKey, body)
	mustStatus(t, resp, b, http.StatusOK)
}

// TestComplianceReportOfAFreshAccount proves the report's shape on a fresh
// server: the bootstrap admin key is reported (KM-KEY-003, nothing is
// exempt) and so is the missing backup schedule (KM-BACKUP-001); findings
// are sorted critical first; every control is listed with its count;
// min_severity trims the findings but not the counts; and a bad
// min_severity is a 422 naming the parameter.
func TestComplianceReportOfAFreshAccount(t *testing.T) {
	inst := servertest.Start(t)
	report := complianceReport(t, inst, "")
	if !report.GeneratedAt.Equal(servertest.StartTime) {
		t.Errorf("generated_at = %s, want the server clock's %s", report.GeneratedAt, servertest.StartTime)
	}
	var got []string
	for _, f := range report.Findings {
		got = append(got, f.ControlID+" "+f.ObjectType+" "+f.ObjectName)
	}
	want := []string{"KM-BACKUP-001 account ", "KM-KEY-003 api_key bootstrap-admin"}
	if !slices.Equal(got, want) {
		t.Fatalf("findings = %q, want %q", got, want)
	}
	if report.Counts != (apiv1.ComplianceCounts{Critical: 1, Warning: 1}) {
		t.Errorf("counts = %+v", report.Counts)
	}
	if len(report.Controls) != len(controls.All) {
		t.Fatalf("%d controls listed, want all %d", len(report.Controls), len(controls.All))
	}
	for i, c := range report.Controls {
		wantFindings := int64(0)
		if c.ID == "KM-BACKUP-001" || c.ID == "KM-KEY-003" {
			wantFindings = 1
		}
		if c.ID != controls.All[i].ID || c.Guide != controls.All[i].Guide || c.Findings != wantFindings {
			t.Errorf("controls[%d] = %+v, want %s with %d findings", i, c, controls.All[i].ID, wantFindings)
		}
	}

	critical := complianceReport(t, inst, "?min_severity=critical")
	if len(critical.Findings) != 1 || critical.Findings[0].ControlID != "KM-BACKUP-001" || critical.Counts != report.Counts {
		t.Errorf("min_severity=critical gave %+v", critical)
	}
	resp, body := call(t, inst.URL, http.MethodGet, "/v1/compliance/report?min_severity=urgent", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusUnprocessableEntity)
	if paths := fieldPaths(t, body); !slices.Equal(paths, []string{"min_severity"}) {
		t.Errorf("422 fields = %v", paths)
	}
}

// TestComplianceFindingsAreSortedDeterministically proves the order:
// severity (critical first), then control id, then object id.
func TestComplianceFindingsAreSortedDeterministically(t *testing.T) {
	inst := servertest.Start(t)
	for _, name := range []string{"b", "a"} {
		createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: name, Scopes: []string{"admin"}, RotationDays: ptr(int64(120))})
	}
	report := complianceReport(t, inst, "")
	sorted := slices.IsSortedFunc(report.Findings, func(a, b apiv1.ComplianceFinding) int {
		if ra, rb := controls.Severity(a.Severity).Rank(), controls.Severity(b.Severity).Rank(); ra != rb {
			return rb - ra
		}
		if a.ControlID != b.ControlID {
			return strings.Compare(a.ControlID, b.ControlID)
		}
		return strings.Compare(a.ObjectID, b.ObjectID)
	})
	if !sorted || len(report.Findings) != 6 { // BACKUP-001, 2 x KEY-002, 3 x KEY-003
		t.Fatalf("findings not sorted or not 6: %+v", report.Findings)
	}
	if again := complianceReport(t, inst, ""); !slices.Equal(again.Findings, report.Findings) {
		t.Error("two reports of the same account differ")
	}
}

// TestComplianceAPIKeyControls proves KM-KEY-001 (appears when the clock
// passes next_rotation_at, vanishes on rotation), KM-KEY-002 (rotation over
// 90 days, fixed by a PATCH) and KM-KEY-003 (admin without expiry, fixed by
// an expiry), and that revoked keys are not judged.
func TestComplianceAPIKeyControls(t *testing.T) {
	inst := servertest.Start(t)
	short := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "short", Scopes: []string{"keys:read"}, RotationDays: ptr(int64(30))})
	expectNoFinding(t, inst, controls.KeyRotationOverdue, short.ID)
	inst.Clock.Advance(30 * day)
	expectFinding(t, inst, controls.KeyRotationOverdue, short.ID, `"short"`, "2026-01-31T00:00:00Z", "every 30 days")
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/api-keys/"+short.ID+"/rotate", inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusOK)
	expectNoFinding(t, inst, controls.KeyRotationOverdue, short.ID)

	slow := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "slow", Scopes: []string{"keys:read"}, RotationDays: ptr(int64(120))})
	expectFinding(t, inst, controls.KeyRotationPeriod, slow.ID, "every 120 days", "at most 90")
	patch(t, inst, "/v1/api-keys/"+slow.ID, `{"rotation_days":90}`)
	expectNoFinding(t, inst, controls.KeyRotationPeriod, slow.ID)

	admin := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "ops-admin", Scopes: []string{"admin"}})
	expectFinding(t, inst, controls.KeyAdminWithoutExpiry, admin.ID, `"ops-admin"`, "never expires")
	patch(t, inst, "/v1/api-keys/"+admin.ID, `{"expires_at":"2027-01-01T00:00:00Z"}`)
	expectNoFinding(t, inst, controls.KeyAdminWithoutExpiry, admin.ID)

	patch(t, inst, "/v1/api-keys/"+admin.ID, `{"expires_at":null}`)
	expectFinding(t, inst, controls.KeyAdminWithoutExpiry, admin.ID)
	resp, body = call(t, inst.URL, http.MethodDelete, "/v1/api-keys/"+admin.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)
	expectNoFinding(t, inst, controls.KeyAdminWithoutExpiry, admin.ID)
}

// TestComplianceAlertControls proves KM-ALERT-001: a critical rule whose
// only channel is disabled reaches nobody (the API refuses a critical rule
// with no channel at all), and re-enabling the channel fixes it.
func TestComplianceAlertControls(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	url, _ := receiver(t, http.StatusOK)
	ch := createChannel(t, inst, fmt.Sprintf(`{"name":"pager","type":"webhook","webhook":{"url":%q}}`, url))
	rule := createRule(t, inst, apiv1.CreateAlertRuleRequest{
		Name: "auth burst", Severity: apiv1.SeverityCritical, Metric: apiv1.MetricAuthFailures,
		Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 3, Window: "5m"}, NotificationChannelIDs: []string{ch.ID},
	})
	expectNoFinding(t, inst, controls.AlertCriticalWithoutChannel, rule.ID)
	patch(t, inst, "/v1/notification-channels/"+ch.ID, `{"enabled":false}`)
	expectFinding(t, inst, controls.AlertCriticalWithoutChannel, rule.ID, `"auth burst"`, "only disabled channels ("+ch.ID+")")
	patch(t, inst, "/v1/notification-channels/"+ch.ID, `{"enabled":true}`)
	expectNoFinding(t, inst, controls.AlertCriticalWithoutChannel, rule.ID)
}

// TestComplianceChannelControls proves KM-CHAN-001 (never tested, until a
// test), KM-CHAN-002 (the last test failed, until a test succeeds) and
// KM-CHAN-003 (the last test is older than 30 days by the server's clock,
// until a new test), and that a disabled channel is not judged.
func TestComplianceChannelControls(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	down, _ := receiver(t, http.StatusInternalServerError)
	up, _ := receiver(t, http.StatusOK)
	ch := createChannel(t, inst, fmt.Sprintf(`{"name":"hook","type":"webhook","webhook":{"url":%q}}`, down))
	expectFinding(t, inst, controls.ChannelNeverTested, ch.ID, `"hook"`, "never been tested")

	testChannel(t, inst, ch.ID)
	expectNoFinding(t, inst, controls.ChannelNeverTested, ch.ID)
	expectFinding(t, inst, controls.ChannelTestFailed, ch.ID, "2026-01-01T00:00:00Z", "500")

	patch(t, inst, "/v1/notification-channels/"+ch.ID, fmt.Sprintf(`{"webhook":{"url":%q}}`, up))
	if res := testChannel(t, inst, ch.ID); res.Status != apiv1.TestStatusSucceeded {
		t.Fatalf("test result %+v", res)
	}
	expectNoFinding(t, inst, controls.ChannelTestFailed, ch.ID)

	inst.Clock.Advance(30 * day)
	expectNoFinding(t, inst, controls.ChannelTestStale, ch.ID) // exactly 30 days is still in time
	inst.Clock.Advance(time.Second)
	expectFinding(t, inst, controls.ChannelTestStale, ch.ID, "2026-01-01T00:00:00Z", "more than 30 days")
	patch(t, inst, "/v1/notification-channels/"+ch.ID, `{"enabled":false}`)
	expectNoFinding(t, inst, controls.ChannelTestStale, ch.ID)
	patch(t, inst, "/v1/notification-channels/"+ch.ID, `{"enabled":true}`)
	testChannel(t, inst, ch.ID)
	expectNoFinding(t, inst, controls.ChannelTestStale, ch.ID)
}

// TestComplianceAccessControls proves KM-ACCESS-001 (admin grant without
// expiry, fixed by an expiry) and KM-ACCESS-002 (appears when the clock
// passes next_review_at, vanishes once the grant is reviewed).
func TestComplianceAccessControls(t *testing.T) {
	inst := servertest.Start(t)
	createGrant := func(body string) apiv1.AccessGrant {
		resp, b := call(t, inst.URL, http.MethodPost, "/v1/access-grants", inst.AdminKey, body)
		mustStatus(t, resp, b, http.StatusCreated)
		return decode[apiv1.AccessGrant](t, b)
	}
	admin := createGrant(`{"principal":{"type":"user","id":"alice"},"role":"admin","resource":"*","justification":"break glass"}`)
	expectFinding(t, inst, controls.AccessAdminWithoutExpiry, admin.ID, "user:alice", "without an expiry")
	patch(t, inst, "/v1/access-grants/"+admin.ID, `{"expires_at":"2026-06-01T00:00:00Z"}`)
	expectNoFinding(t, inst, controls.AccessAdminWithoutExpiry, admin.ID)

	viewer := createGrant(`{"principal":{"type":"team","id":"sre"},"role":"viewer","resource":"*","justification":"dashboards","review_interval_days":30}`)
	inst.Clock.Advance(30*day - time.Second)
	expectNoFinding(t, inst, controls.AccessReviewOverdue, viewer.ID)
	inst.Clock.Advance(time.Second)
	expectFinding(t, inst, controls.AccessReviewOverdue, viewer.ID, "team:sre", "2026-01-31T00:00:00Z")
	resp, body := call(t, inst.URL, http.MethodPost, "/v1/access-grants/"+viewer.ID+"/review", inst.AdminKey,
		`{"reviewer":"carol","decision":"keep"}`)
	mustStatus(t, resp, body, http.StatusOK)
	expectNoFinding(t, inst, controls.AccessReviewOverdue, viewer.ID)
}

// TestComplianceBackupControls proves KM-BACKUP-001 (no enabled schedule:
// on a fresh account and again when the only schedule is disabled),
// KM-BACKUP-002 (the last run failed, until a run succeeds), KM-BACKUP-003
// (no verified restore yet; fixed by a run; back when the clock moves past
// 30 days) and KM-BACKUP-004 (retention under 7 days, fixed by a PATCH).
func TestComplianceBackupControls(t *testing.T) {
	inst := servertest.Start(t)
	expectFinding(t, inst, controls.BackupNoSchedule, "", "No backup schedule is enabled (0 disabled)")
	s := createSchedule(t, inst, `{"name":"nightly","cron":"0 3 * * *","retention_days":3}`)
	expectNoFinding(t, inst, controls.BackupNoSchedule, "")
	expectFinding(t, inst, controls.BackupRetentionShort, s.ID, `"nightly"`, "3 days", "at least 7")
	patch(t, inst, "/v1/backup-schedules/"+s.ID, `{"retention_days":7}`)
	expectNoFinding(t, inst, controls.BackupRetentionShort, s.ID)

	expectFinding(t, inst, controls.BackupNoVerifiedRestore, "", "No backup run has verified a restore yet")
	patch(t, inst, "/v1/backup-schedules/"+s.ID, `{"destination":"later-a-file"}`)
	if err := os.WriteFile(filepath.Join(inst.BackupRoot(), "later-a-file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	failed := runNow(t, inst, s.ID)
	if failed.Status != apiv1.BackupRunFailed {
		t.Fatalf("run %+v did not fail", failed)
	}
	expectFinding(t, inst, controls.BackupLastRunFailed, s.ID, failed.ID, failed.Error)
	expectFinding(t, inst, controls.BackupNoVerifiedRestore, "")

	patch(t, inst, "/v1/backup-schedules/"+s.ID, `{"destination":"nightly"}`)
	if ok := runNow(t, inst, s.ID); ok.Status != apiv1.BackupRunSucceeded || !ok.RestoreVerified {
		t.Fatalf("run %+v", ok)
	}
	expectNoFinding(t, inst, controls.BackupLastRunFailed, s.ID)
	expectNoFinding(t, inst, controls.BackupNoVerifiedRestore, "")

	inst.Clock.Advance(30*day + time.Second)
	expectFinding(t, inst, controls.BackupNoVerifiedRestore, "", "2026-01-01T00:00:00Z", "more than 30 days ago")
	runNow(t, inst, s.ID)
	expectNoFinding(t, inst, controls.BackupNoVerifiedRestore, "")

	patch(t, inst, "/v1/backup-schedules/"+s.ID, `{"enabled":false}`)
	expectFinding(t, inst, controls.BackupNoSchedule, "", "(1 disabled)")
	expectNoFinding(t, inst, controls.BackupNoVerifiedRestore, "")
}

// TestComplianceKeyUsageControls proves KM-KEY-004 (a key unused for 90
// days, from its creation or its last use) and KM-KEY-005 (scopes a key in
// use has not needed for 90 days, named), that both follow the uses the
// server records and flushes, that a fix clears them, and that /metrics
// counts the same keys.
func TestComplianceKeyUsageControls(t *testing.T) {
	inst := servertest.Start(t)
	idle := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "idle", Scopes: []string{"keys:read"}})
	busy := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "busy", Scopes: []string{"keys:read", "alerts:read", "backups:read"}})
	read := func(secret, path string) {
		t.Helper()
		resp, body := call(t, inst.URL, http.MethodGet, path, secret, "")
		mustStatus(t, resp, body, http.StatusOK)
	}
	for range 3 { // busy lists keys every month, and reads backups once
		read(busy.Secret, "/v1/api-keys")
		inst.Clock.Advance(30 * day)
	}
	read(busy.Secret, "/v1/backup-schedules")
	inst.FlushUsage(t)

	expectFinding(t, inst, controls.KeyNotUsed, idle.ID, `"idle"`, "since it was created at 2026-01-01T00:00:00Z")
	expectNoFinding(t, inst, controls.KeyScopeNotNeeded, idle.ID)
	expectNoFinding(t, inst, controls.KeyNotUsed, busy.ID)
	expectFinding(t, inst, controls.KeyScopeNotNeeded, busy.ID, `"busy"`, "no request has needed in 90 days; drop from its scopes: alerts:read.")
	findings := map[string]float64{}
	for _, f := range complianceReport(t, inst, "").Findings {
		findings[f.ControlID]++
	}
	m := scrape(t, inst, inst.AdminKey)
	if unused, unneeded := m.value(t, dto.MetricType_GAUGE, "keymate_api_keys_unused"), m.value(t, dto.MetricType_GAUGE, "keymate_api_keys_unneeded_scopes"); unused != findings[controls.KeyNotUsed.ID] ||
		unneeded != findings[controls.KeyScopeNotNeeded.ID] || unneeded != 1 {
		t.Errorf("keymate_api_keys_unused %v and keymate_api_keys_unneeded_scopes %v, want the report's %v", unused, unneeded, findings)
	}

	patch(t, inst, "/v1/api-keys/"+busy.ID, `{"scopes":["keys:read","backups:read"]}`)
	expectNoFinding(t, inst, controls.KeyScopeNotNeeded, busy.ID)
	read(idle.Secret, "/v1/api-keys")
	inst.FlushUsage(t)
	expectNoFinding(t, inst, controls.KeyNotUsed, idle.ID)
	inst.Clock.Advance(90 * day)
	expectFinding(t, inst, controls.KeyNotUsed, idle.ID, `"idle" was last used at 2026-04-01T00:00:00Z`)
}
