package server

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// The account's state as Prometheus gauges, read from the store when
// /metrics is scraped, at the server's clock, by the rules the API and the
// compliance report apply: a scrape sees what the API would answer then.
//
// Each family tells what a read scope guards in the API, so a scrape carries
// it only when the caller holds that scope as well as metrics:read (with
// --metrics-public, unauthenticated scrapes carry none). Labels are ids and
// enumerations, never names, which the API guards more closely.

var (
	apiKeysDesc = prometheus.NewDesc("keymate_api_keys",
		"API keys by status (active, expired, revoked) at the server's clock.", []string{"status"}, nil)
	rotationOverdueDesc = prometheus.NewDesc("keymate_api_keys_rotation_overdue",
		"Active API keys overdue for rotation: from the instant of their next_rotation_at on, as the compliance "+
			"report's KM-KEY-001 and the keys.rotation_overdue alert metric count them.", nil, nil)
	unusedKeysDesc = prometheus.NewDesc("keymate_api_keys_unused",
		"Active API keys unused for 90 days, as the compliance report's KM-KEY-004 counts them.", nil, nil)
	unneededScopesDesc = prometheus.NewDesc("keymate_api_keys_unneeded_scopes",
		"Active API keys in use that hold scopes no request needed in 90 days, as the compliance report's "+
			"KM-KEY-005 counts them.", nil, nil)
	openIncidentsDesc = prometheus.NewDesc("keymate_alert_incidents_open",
		"Open alert incidents, by the severity of their rule.", []string{"severity"}, nil)
	lastBackupDesc = prometheus.NewDesc("keymate_backup_last_success_timestamp_seconds",
		"When the newest successful run of an enabled backup schedule finished (Unix time; 0 when none has "+
			"succeeded, or retention pruned them all).", []string{"schedule_id"}, nil)
	lastRestoreDesc = prometheus.NewDesc("keymate_backup_last_verified_restore_timestamp_seconds",
		"When the newest run of an enabled backup schedule whose restore drill passed finished (Unix time; 0 "+
			"when no drill has passed).", []string{"schedule_id"}, nil)
	channelTestFailedDesc = prometheus.NewDesc("keymate_notification_channel_last_test_failed",
		"1 when the last test of an enabled notification channel failed; 0 when it succeeded or the channel "+
			"was never tested.", []string{"channel_id", "type"}, nil)
)

// stateFamily is a group of state gauges, the scope that guards what they
// tell, and how to read them.
type stateFamily struct {
	scope   string
	descs   []*prometheus.Desc
	collect func(s *Server, ctx context.Context, now time.Time, ch chan<- prometheus.Metric) error
}

var stateFamilies = []stateFamily{
	{apiv1.ScopeKeysRead, []*prometheus.Desc{apiKeysDesc, rotationOverdueDesc, unusedKeysDesc, unneededScopesDesc}, (*Server).collectKeys},
	{apiv1.ScopeAlertsRead, []*prometheus.Desc{openIncidentsDesc}, (*Server).collectIncidents},
	{apiv1.ScopeBackupsRead, []*prometheus.Desc{lastBackupDesc, lastRestoreDesc}, (*Server).collectBackups},
	{apiv1.ScopeChannelsRead, []*prometheus.Desc{channelTestFailedDesc}, (*Server).collectChannelTests},
}

// stateCollector collects, for one scrape, the families caller may read.
type stateCollector struct {
	s        *Server
	ctx      context.Context
	families []stateFamily
}

var _ prometheus.Collector = (*stateCollector)(nil)

// newStateCollector returns the collector of the families that caller's
// scopes let it read; none when caller is nil.
func (s *Server) newStateCollector(ctx context.Context, caller *store.APIKey) *stateCollector {
	c := &stateCollector{s: s, ctx: ctx}
	for _, f := range stateFamilies {
		if caller != nil && apiv1.HoldsScope(caller.Scopes, f.scope) {
			c.families = append(c.families, f)
		}
	}
	return c
}

// Describe implements prometheus.Collector.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, f := range c.families {
		for _, d := range f.descs {
			ch <- d
		}
	}
}

// Collect implements prometheus.Collector. A family the store cannot read
// is an error of the scrape, which the handler logs; the other families are
// still served.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.s.clock.Now()
	for _, f := range c.families {
		if err := f.collect(c.s, c.ctx, now, ch); err != nil {
			ch <- prometheus.NewInvalidMetric(f.descs[0], err)
		}
	}
}

func gauge(desc *prometheus.Desc, value float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, value, labels...)
}

// unixSeconds is t as Unix time, 0 when t is nil.
func unixSeconds(t *time.Time) float64 {
	if t == nil {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func (s *Server) collectKeys(ctx context.Context, now time.Time, ch chan<- prometheus.Metric) error {
	keys, err := s.store.ListAPIKeys(ctx, store.APIKeyFilter{})
	if err != nil {
		return err
	}
	byStatus := map[string]int{apiv1.KeyStatusActive: 0, apiv1.KeyStatusExpired: 0, apiv1.KeyStatusRevoked: 0}
	// The keys countRotationOverdue and the report's KM-KEY-004 and
	// KM-KEY-005 count, from the same rows.
	overdue, unused, unneeded := 0, 0, 0
	for _, k := range keys {
		status := k.Status(now)
		byStatus[status]++
		if status != apiv1.KeyStatusActive {
			continue
		}
		if rotationOverdue(k, now) {
			overdue++
		}
		switch isUnused, scopes := keyUsage(k, now); {
		case isUnused:
			unused++
		case len(scopes) > 0:
			unneeded++
		}
	}
	for status, n := range byStatus {
		ch <- gauge(apiKeysDesc, float64(n), status)
	}
	ch <- gauge(rotationOverdueDesc, float64(overdue))
	ch <- gauge(unusedKeysDesc, float64(unused))
	ch <- gauge(unneededScopesDesc, float64(unneeded))
	return nil
}

func (s *Server) collectIncidents(ctx context.Context, _ time.Time, ch chan<- prometheus.Metric) error {
	rules, err := s.store.ListAlertRules(ctx, store.AlertRuleFilter{})
	if err != nil {
		return err
	}
	open := map[string]int{}
	for _, r := range rules {
		if r.OpenIncidentID != nil { // a rule has at most one open incident
			open[r.Severity]++
		}
	}
	for _, severity := range apiv1.Severities {
		ch <- gauge(openIncidentsDesc, float64(open[severity]), severity)
	}
	return nil
}

func (s *Server) collectBackups(ctx context.Context, _ time.Time, ch chan<- prometheus.Metric) error {
	on := true
	schedules, err := s.store.ListBackupSchedules(ctx, store.BackupScheduleFilter{Enabled: &on})
	if err != nil {
		return err
	}
	runs, err := s.store.LatestBackupRunTimes(ctx)
	if err != nil {
		return err
	}
	bySchedule := map[string]store.BackupRunTimes{}
	for _, r := range runs {
		bySchedule[r.ScheduleID] = r
	}
	for _, b := range schedules {
		times := bySchedule[b.ID]
		ch <- gauge(lastBackupDesc, unixSeconds(times.LastSuccessAt), b.ID)
		ch <- gauge(lastRestoreDesc, unixSeconds(times.LastVerifiedRestoreAt), b.ID)
	}
	return nil
}

func (s *Server) collectChannelTests(ctx context.Context, _ time.Time, ch chan<- prometheus.Metric) error {
	channels, err := s.store.AllNotificationChannels(ctx)
	if err != nil {
		return err
	}
	for _, c := range channels {
		if !c.Enabled {
			continue
		}
		failed := 0.0
		if c.LastTestStatus == apiv1.TestStatusFailed {
			failed = 1
		}
		ch <- gauge(channelTestFailedDesc, failed, c.ID, c.Type)
	}
	return nil
}
