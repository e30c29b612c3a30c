package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// stateFamilies are the metric families of the account's state, each
// readable with the scope that guards the same data in the API.
var stateFamilies = map[string]string{
	"keymate_api_keys":                                       apiv1.ScopeKeysRead,
	"keymate_api_keys_rotation_overdue":                      apiv1.ScopeKeysRead,
	"keymate_api_keys_unused":                                apiv1.ScopeKeysRead,
	"keymate_api_keys_unneeded_scopes":                       apiv1.ScopeKeysRead,
	"keymate_alert_incidents_open":                           apiv1.ScopeAlertsRead,
	"keymate_backup_last_success_timestamp_seconds":          apiv1.ScopeBackupsRead,
	"keymate_backup_last_verified_restore_timestamp_seconds": apiv1.ScopeBackupsRead,
	"keymate_notification_channel_last_test_failed":          apiv1.ScopeChannelsRead,
}

// scraped is one scrape of /metrics, parsed with Prometheus' own parser.
type scraped map[string]*dto.MetricFamily

// scrape reads /metrics as secret and parses it.
func scrape(t *testing.T, inst *servertest.Instance, secret string) scraped {
	t.Helper()
	resp, body := call(t, inst.URL, http.MethodGet, "/metrics", secret, "")
	mustStatus(t, resp, body, http.StatusOK)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v\n%s", err, body)
	}
	return families
}

// value returns the value of the sample of family name whose labels include
// labels (name, value pairs), failing unless exactly one matches and the
// family has type typ.
func (s scraped) value(t *testing.T, typ dto.MetricType, name string, labels ...string) float64 {
	t.Helper()
	f := s[name]
	if f == nil {
		t.Fatalf("/metrics has no %s", name)
	}
	if f.GetType() != typ {
		t.Fatalf("%s is a %s, want a %s", name, f.GetType(), typ)
	}
	var found []*dto.Metric
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			match = match && have[labels[i]] == labels[i+1]
		}
		if match {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s%v: %d samples match, want 1: %v", name, labels, len(found), f.GetMetric())
	}
	switch m := found[0]; typ {
	case dto.MetricType_COUNTER:
		return m.GetCounter().GetValue()
	case dto.MetricType_HISTOGRAM:
		return float64(m.GetHistogram().GetSampleCount())
	default:
		return m.GetGauge().GetValue()
	}
}

// labelValues returns the label values of labelName of every sample of family
// name, sorted.
func (s scraped) labelValues(name, labelName string) []string {
	var values []string
	for _, m := range s[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == labelName {
				values = append(values, l.GetValue())
			}
		}
	}
	slices.Sort(values)
	return values
}

// TestMetricsReportTheAccountsState creates objects, moves the manual clock
// and runs the jobs, and proves that every state gauge on /metrics says what
// the API says at that instant: keys by status, keys overdue from the exact
// instant of their next rotation on, open incidents by severity, the last
// successful backup and last verified restore per enabled schedule (0 for
// none), and which enabled channels failed their last test. The Go runtime,
// process and HTTP request families are there too.
func TestMetricsReportTheAccountsState(t *testing.T) {
	inst := servertest.Start(t, servertest.WithLoopbackDestinations())
	_, scraper := inst.NewKey(t, apiv1.ScopeMetricsRead, apiv1.ScopeKeysRead, apiv1.ScopeAlertsRead,
		apiv1.ScopeBackupsRead, apiv1.ScopeChannelsRead)
	start := inst.Clock.Now()
	gauge := dto.MetricType_GAUGE

	monthly := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "monthly", Scopes: []string{"keys:read"}, RotationDays: ptr[int64](30)})
	createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "short-lived", Scopes: []string{"keys:read"}, ExpiresAt: ptr(apiv1.TimeText(start.Add(24 * time.Hour)))})
	revoked := createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: "revoked", Scopes: []string{"keys:read"}})
	resp, body := call(t, inst.URL, http.MethodDelete, "/v1/api-keys/"+revoked.ID, inst.AdminKey, "")
	mustStatus(t, resp, body, http.StatusNoContent)
	hook, _ := receiver(t, http.StatusNoContent)
	pager := createChannel(t, inst, fmt.Sprintf(`{"name":"pager","type":"webhook","webhook":{"url":%q}}`, hook))
	createRule(t, inst, apiv1.CreateAlertRuleRequest{
		Name: "keys overdue", Severity: apiv1.SeverityCritical, Metric: apiv1.MetricKeysRotationOverdue,
		Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGT, Threshold: 0, Window: "5m"}, NotificationChannelIDs: []string{pager.ID},
	})

	m := scrape(t, inst, scraper)
	for status, want := range map[string]float64{"active": 4, "expired": 0, "revoked": 1} {
		if got := m.value(t, gauge, "keymate_api_keys", "status", status); got != want {
			t.Errorf("keymate_api_keys{status=%q} = %v, want %v", status, got, want)
		}
	}
	if got := m.value(t, gauge, "keymate_api_keys_rotation_overdue"); got != 0 {
		t.Errorf("keymate_api_keys_rotation_overdue = %v before any key is due", got)
	}

	// The instant monthly is due: overdue from then on, as the report says.
	inst.Clock.Set(apiv1.NextRotationAt(monthly.RotatedAt, 30))
	inst.RunJobs(t)
	m = scrape(t, inst, scraper)
	for status, want := range map[string]float64{"active": 3, "expired": 1, "revoked": 1} {
		if got := m.value(t, gauge, "keymate_api_keys", "status", status); got != want {
			t.Errorf("after 30 days keymate_api_keys{status=%q} = %v, want %v", status, got, want)
		}
	}
	if got := m.value(t, gauge, "keymate_api_keys_rotation_overdue"); got != 1 {
		t.Errorf("keymate_api_keys_rotation_overdue = %v at the instant monthly is due, want 1", got)
	}
	for severity, want := range map[string]float64{"critical": 1, "warning": 0, "info": 0} {
		if got := m.value(t, gauge, "keymate_alert_incidents_open", "severity", severity); got != want {
			t.Errorf("keymate_alert_incidents_open{severity=%q} = %v, want %v", severity, got, want)
		}
	}

	// Backups: a drill at the first run only, none at the second.
	nightly := createSchedule(t, inst, `{"name":"nightly","cron":"0 3 * * *"}`)
	never := createSchedule(t, inst, `{"name":"never-run","cron":"0 3 * * *"}`)
	off := createSchedule(t, inst, `{"name":"off","cron":"0 3 * * *","enabled":false}`)
	first := runNow(t, inst, nightly.ID)
	resp, body = call(t, inst.URL, http.MethodPatch, "/v1/backup-schedules/"+nightly.ID, inst.AdminKey, `{"verify_restore":false}`)
	mustStatus(t, resp, body, http.StatusOK)
	inst.Clock.Advance(time.Hour)
	second := runNow(t, inst, nightly.ID)
	runNow(t, inst, off.ID)
	if !first.RestoreVerified || second.RestoreVerified || second.Status != apiv1.BackupRunSucceeded {
		t.Fatalf("runs %+v and %+v", first, second)
	}

	// Channels: one fails its test, one passes, one was never tested, and a
	// disabled one is not reported.
	broken, _ := receiver(t, http.StatusInternalServerError)
	failing := createChannel(t, inst, fmt.Sprintf(`{"name":"failing","type":"webhook","webhook":{"url":%q}}`, broken))
	disabled := createChannel(t, inst, fmt.Sprintf(`{"name":"disabled","type":"webhook","enabled":false,"webhook":{"url":%q}}`, broken))
	untested := createChannel(t, inst, `{"name":"mail","type":"email","email":{"addresses":["ops@example.com"]}}`)
	testChannel(t, inst, pager.ID)
	testChannel(t, inst, failing.ID)

	m = scrape(t, inst, scraper)
	for _, tc := range []struct {
		name, schedule string
		want           time.Time
	}{
		{"keymate_backup_last_success_timestamp_seconds", nightly.ID, second.FinishedAt},
		{"keymate_backup_last_verified_restore_timestamp_seconds", nightly.ID, first.FinishedAt},
		{"keymate_backup_last_success_timestamp_seconds", never.ID, time.Unix(0, 0)},
		{"keymate_backup_last_verified_restore_timestamp_seconds", never.ID, time.Unix(0, 0)},
	} {
		if got := m.value(t, gauge, tc.name, "schedule_id", tc.schedule); got != float64(tc.want.Unix()) {
			t.Errorf("%s{schedule_id=%q} = %v, want %d (%s)", tc.name, tc.schedule, got, tc.want.Unix(), tc.want)
		}
	}
	if ids, want := m.labelValues("keymate_backup_last_success_timestamp_seconds", "schedule_id"), slices.Sorted(slices.Values([]string{never.ID, nightly.ID})); !slices.Equal(ids, want) {
		t.Errorf("backup gauges for schedules %v, want the enabled ones %v", ids, want)
	}
	for _, tc := range []struct {
		channel, typ string
		want         float64
	}{{pager.ID, "webhook", 0}, {failing.ID, "webhook", 1}, {untested.ID, "email", 0}} {
		if got := m.value(t, gauge, "keymate_notification_channel_last_test_failed", "channel_id", tc.channel, "type", tc.typ); got != tc.want {
			t.Errorf("keymate_notification_channel_last_test_failed{channel_id=%q} = %v, want %v", tc.channel, got, tc.want)
		}
	}
	if ids := m.labelValues("keymate_notification_channel_last_test_failed", "channel_id"); slices.Contains(ids, disabled.ID) {
		t.Errorf("the disabled channel %s is reported: %v", disabled.ID, ids)
	}

	// The process, the runtime and the requests.
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_start_time_seconds"} {
		if got := m.value(t, gauge, name); got <= 0 {
			t.Errorf("%s = %v", name, got)
		}
	}
	if servertest.Replicated() {
		return // each replica counts the requests it served
	}
	if got := m.value(t, dto.MetricType_COUNTER, "keymate_http_requests_total", "route", "/v1/api-keys", "method", "POST", "status", "201"); got != 4 {
		t.Errorf("keymate_http_requests_total for the 4 key creates = %v", got)
	}
	if got := m.value(t, dto.MetricType_HISTOGRAM, "keymate_http_request_duration_seconds", "route", "/v1/notification-channels/{id}/test"); got != 2 {
		t.Errorf("keymate_http_request_duration_seconds for the 2 channel tests counts %v", got)
	}
}

// TestStateMetricsNeedTheirReadScopes proves the attack a metrics:read key
// might try: reading through /metrics what its scopes do not let it read
// through the API. Each family of the account's state is served only to a
// caller that also holds the scope guarding that data, and an
// unauthenticated scrape of public metrics carries none; runtime and request
// metrics are served to all.
func TestStateMetricsNeedTheirReadScopes(t *testing.T) {
	inst := servertest.Start(t)
	createSchedule(t, inst, `{"name":"nightly","cron":"0 3 * * *"}`)
	createChannel(t, inst, `{"name":"mail","type":"email","email":{"addresses":["ops@example.com"]}}`)
	public := servertest.Start(t, func(c *server.Config) { c.MetricsPublic = true })

	for _, scopes := range [][]string{
		{apiv1.ScopeMetricsRead},
		{apiv1.ScopeMetricsRead, apiv1.ScopeKeysRead},
		{apiv1.ScopeMetricsRead, apiv1.ScopeBackupsRead, apiv1.ScopeChannelsRead},
		{apiv1.ScopeMetricsRead, apiv1.ScopeAlertsRead},
		{apiv1.ScopeAdmin},
	} {
		_, secret := inst.NewKey(t, scopes...)
		m := scrape(t, inst, secret)
		for name, scope := range stateFamilies {
			if want := apiv1.HoldsScope(scopes, scope); (m[name] != nil) != want {
				t.Errorf("a key with %v: %s served %t, want %t", scopes, name, m[name] != nil, want)
			}
		}
		if m["go_goroutines"] == nil || m["keymate_http_requests_total"] == nil {
			t.Errorf("a key with %v lacks the runtime or request metrics", scopes)
		}
	}
	m := scrape(t, public, "")
	for name := range stateFamilies {
		if m[name] != nil {
			t.Errorf("public metrics without a key serve %s", name)
		}
	}
	if m["process_start_time_seconds"] == nil {
		t.Errorf("public metrics lack the process metrics: %v", strings.Join(familyNames(m), ", "))
	}
}

func familyNames(m scraped) []string {
	var names []string
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
