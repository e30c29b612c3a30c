package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// The SQL of each kind, tested against a real database: create, read,
// update, every list filter, pagination by cursor, and the constraints the
// schema enforces.

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// inTx runs fn in a transaction of s and fails the test when it fails.
func inTx(t *testing.T, s *Store, fn func(tx *Tx) error) {
	t.Helper()
	if err := s.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// txErr runs fn in a transaction of s and returns its error.
func txErr(s *Store, fn func(tx *Tx) error) error { return s.InTx(context.Background(), fn) }

// ids returns the ids of items, in order.
func ids[T any](items []T, err error, id func(T) string) ([]string, error) {
	out := []string{}
	for _, item := range items {
		out = append(out, id(item))
	}
	return out, err
}

// wantIDs fails the test unless a list returned exactly want, in order.
func wantIDs(t *testing.T, what string, got []string, err error, want ...string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// pages lists every page of size limit, following the cursor (the sequence
// of each page's last item), and returns the ids page by page.
func pages[T any](t *testing.T, limit int, list func(beforeSeq int64, limit int) ([]T, error), seq func(T) int64, id func(T) string) [][]string {
	t.Helper()
	var out [][]string
	before := int64(0)
	for range 10 {
		items, err := list(before, limit)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := ids(items, nil, id)
		out = append(out, page)
		if len(items) < limit {
			return out
		}
		before = seq(items[len(items)-1])
	}
	t.Fatal("more than 10 pages")
	return nil
}

func TestAPIKeySQL(t *testing.T) { eachEngine(t, testAPIKeySQL) }

func testAPIKeySQL(t *testing.T, s *Store) {
	ctx := context.Background()
	expiry := t0.Add(time.Hour)
	key := func(id, name string, scopes ...string) *APIKey {
		return &APIKey{ID: id, Name: name, Scopes: scopes, RotationDays: 90, RotationGracePeriod: 24 * time.Hour,
			SecretHash: []byte("hash-" + id), SecretSource: "generated", CreatedAt: t0, UpdatedAt: t0, RotatedAt: t0, Version: 1}
	}
	a, b, c := key("key_a", "deploy-a", "keys:read"), key("key_b", "deploy-b", "admin"), key("key_c", "ops", "keys:read", "audit:read")
	c.ExpiresAt = &expiry
	inTx(t, s, func(tx *Tx) error {
		for _, k := range []*APIKey{a, b, c} {
			if err := tx.InsertAPIKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	if !(a.Seq < b.Seq && b.Seq < c.Seq) {
		t.Fatalf("sequences %d, %d, %d do not increase", a.Seq, b.Seq, c.Seq)
	}

	got, err := s.GetAPIKey(ctx, "key_c")
	if err != nil || got.Name != "ops" || !slices.Equal(got.Scopes, []string{"keys:read", "audit:read"}) || !got.ExpiresAt.Equal(expiry) ||
		got.RotationGracePeriod != 24*time.Hour || !got.RotatedAt.Equal(t0) || string(got.SecretHash) != "hash-key_c" {
		t.Fatalf("GetAPIKey = %+v, %v; want the key as inserted", got, err)
	}
	if _, err := s.GetAPIKey(ctx, "key_none"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetAPIKey of no key = %v, want ErrNotFound", err)
	}
	if found, err := s.FindAPIKeyBySecretHash(ctx, []byte("hash-key_b")); err != nil || found.ID != "key_b" {
		t.Errorf("FindAPIKeyBySecretHash = %s, %v; want key_b", found.ID, err)
	}

	// Update: every mutable field is written; a revoked name is free again.
	revoked := t0.Add(time.Minute)
	a.Name, a.Scopes, a.RevokedAt, a.Version = "deploy-a-old", []string{"keys:write"}, &revoked, 2
	inTx(t, s, func(tx *Tx) error { return tx.UpdateAPIKey(ctx, *a) })
	if got, err := s.GetAPIKey(ctx, "key_a"); err != nil || got.Name != "deploy-a-old" || got.Version != 2 || got.RevokedAt == nil ||
		!slices.Equal(got.Scopes, []string{"keys:write"}) {
		t.Fatalf("after UpdateAPIKey: %+v, %v", got, err)
	}
	if err := txErr(s, func(tx *Tx) error { return tx.UpdateAPIKey(ctx, APIKey{ID: "key_none"}) }); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateAPIKey of no key = %v, want ErrNotFound", err)
	}

	// Filters, newest first.
	list := func(f APIKeyFilter) ([]string, error) {
		items, err := s.ListAPIKeys(ctx, f)
		return ids(items, err, func(k APIKey) string { return k.ID })
	}
	for _, tc := range []struct {
		what string
		f    APIKeyFilter
		want []string
	}{
		{"all", APIKeyFilter{}, []string{"key_c", "key_b", "key_a"}},
		{"name", APIKeyFilter{Name: "ops"}, []string{"key_c"}},
		{"name prefix", APIKeyFilter{NamePrefix: "deploy-"}, []string{"key_b", "key_a"}},
		{"name prefix is no pattern", APIKeyFilter{NamePrefix: "deploy%"}, nil},
		{"scope", APIKeyFilter{Scope: "keys:read"}, []string{"key_c"}},
		{"active at t0", APIKeyFilter{Status: "active", Now: t0}, []string{"key_c", "key_b"}},
		{"expired at the instant of expiry", APIKeyFilter{Status: "expired", Now: expiry}, []string{"key_c"}},
		{"active a nanosecond before", APIKeyFilter{Status: "active", Now: expiry.Add(-time.Nanosecond)}, []string{"key_c", "key_b"}},
		{"revoked", APIKeyFilter{Status: "revoked", Now: t0}, []string{"key_a"}},
		{"ids", APIKeyFilter{IDs: []string{"key_a", "key_c", "key_none"}}, []string{"key_c", "key_a"}},
		{"after a cursor", APIKeyFilter{BeforeSeq: c.Seq}, []string{"key_b", "key_a"}},
		{"limit", APIKeyFilter{Limit: 1}, []string{"key_c"}},
	} {
		got, err := list(tc.f)
		wantIDs(t, "ListAPIKeys "+tc.what, got, err, tc.want...)
	}
	if active, err := s.ActiveAPIKeys(ctx, expiry); err != nil || len(active) != 1 || active[0].ID != "key_b" {
		t.Errorf("ActiveAPIKeys at the expiry = %v, %v; want key_b alone", active, err)
	}

	// Constraints: one live key per name, one key per secret.
	dupName := key("key_d", "deploy-b")
	if err := txErr(s, func(tx *Tx) error { return tx.InsertAPIKey(ctx, dupName) }); err == nil {
		t.Error("a second live key named deploy-b was stored")
	}
	reuse := key("key_e", "deploy-a-old")
	if err := txErr(s, func(tx *Tx) error { return tx.InsertAPIKey(ctx, reuse) }); err != nil {
		t.Errorf("the name of a revoked key must be free: %v", err)
	}
	dupSecret := key("key_f", "other")
	dupSecret.SecretHash = []byte("hash-key_b")
	if err := txErr(s, func(tx *Tx) error { return tx.InsertAPIKey(ctx, dupSecret) }); err == nil {
		t.Error("a second key with the same secret hash was stored")
	}
	inTx(t, s, func(tx *Tx) error {
		inUse, err := tx.NameInUse(ctx, "deploy-b", "")
		if err != nil || !inUse {
			return fmt.Errorf("NameInUse(deploy-b) = %t, %w; want true", inUse, err)
		}
		if inUse, err = tx.NameInUse(ctx, "deploy-b", "key_b"); err != nil || inUse {
			return fmt.Errorf("NameInUse(deploy-b) except key_b = %t, %w; want false", inUse, err)
		}
		if inUse, err = tx.SecretInUse(ctx, []byte("hash-key_a")); err != nil || !inUse {
			return fmt.Errorf("SecretInUse of a revoked key's hash = %t, %w; want true (a secret is never reused)", inUse, err)
		}
		return nil
	})
}

func TestNotificationChannelAndAlertRuleSQL(t *testing.T) {
	eachEngine(t, testNotificationChannelAndAlertRuleSQL)
}

func testNotificationChannelAndAlertRuleSQL(t *testing.T, s *Store) {
	ctx := context.Background()
	channel := func(id, typ string) *NotificationChannel {
		return &NotificationChannel{ID: id, Name: "n-" + id, Type: typ, Enabled: true, SealedConfig: []byte("sealed " + id),
			LastTestStatus: "never", CreatedAt: t0, UpdatedAt: t0, Version: 1}
	}
	hook, slack, mail := channel("nc_hook", "webhook"), channel("nc_slack", "slack"), channel("nc_mail", "email")
	inTx(t, s, func(tx *Tx) error {
		for _, ch := range []*NotificationChannel{hook, slack, mail} {
			if err := tx.InsertNotificationChannel(ctx, ch); err != nil {
				return err
			}
		}
		return nil
	})
	if err := txErr(s, func(tx *Tx) error { return tx.InsertNotificationChannel(ctx, channel("nc_hook", "webhook")) }); err == nil {
		t.Error("a second channel with id nc_hook was stored")
	}
	slack.Name, slack.Enabled, slack.SealedConfig, slack.Version = "renamed", false, []byte("resealed"), 2
	inTx(t, s, func(tx *Tx) error { return tx.UpdateNotificationChannel(ctx, *slack) })
	tested := t0.Add(time.Minute) // a test is recorded without a new version
	inTx(t, s, func(tx *Tx) error { return tx.RecordChannelTest(ctx, "nc_slack", tested, "failed", "refused") })
	if err := txErr(s, func(tx *Tx) error { return tx.RecordChannelTest(ctx, "nc_none", tested, "failed", "") }); !errors.Is(err, ErrNotFound) {
		t.Errorf("RecordChannelTest of no channel = %v, want ErrNotFound", err)
	}
	got, err := s.GetNotificationChannel(ctx, "nc_slack")
	if err != nil || got.Name != "renamed" || got.Enabled || string(got.SealedConfig) != "resealed" || got.Version != 2 ||
		got.LastTestAt == nil || !got.LastTestAt.Equal(tested) || got.LastTestStatus != "failed" || got.LastTestError != "refused" {
		t.Fatalf("GetNotificationChannel = %+v, %v", got, err)
	}
	chID := func(ch NotificationChannel) string { return ch.ID }
	listChannels := func(f NotificationChannelFilter) ([]string, error) {
		items, err := s.ListNotificationChannels(ctx, f)
		return ids(items, err, chID)
	}
	g, err := listChannels(NotificationChannelFilter{Type: "slack"})
	wantIDs(t, "channels of type slack", g, err, "nc_slack")
	g, err = listChannels(NotificationChannelFilter{IDs: []string{"nc_mail", "nc_hook"}})
	wantIDs(t, "channels by ids", g, err, "nc_mail", "nc_hook")
	wantPages := [][]string{{"nc_mail", "nc_slack"}, {"nc_hook"}}
	if got := pages(t, 2, func(before int64, limit int) ([]NotificationChannel, error) {
		return s.ListNotificationChannels(ctx, NotificationChannelFilter{BeforeSeq: before, Limit: limit})
	}, func(ch NotificationChannel) int64 { return ch.Seq }, chID); !slices.EqualFunc(got, wantPages, slices.Equal) {
		t.Errorf("channel pages = %v, want %v", got, wantPages)
	}

	// Alert rules: channel ids sorted, labels, and the open incident.
	rule := func(id, severity, metric string, enabled bool, channels ...string) *AlertRule {
		return &AlertRule{ID: id, Name: "r-" + id, Enabled: enabled, Severity: severity, Metric: metric, Operator: "gt", Threshold: 0.5,
			Window: 5 * time.Minute, RenotifyInterval: time.Hour, Labels: map[string]string{"team": id}, ChannelIDs: channels,
			CreatedAt: t0, UpdatedAt: t0, Version: 1}
	}
	critical := rule("ar_crit", "critical", "api.error_rate", true, "nc_hook", "nc_slack")
	quiet := rule("ar_quiet", "info", "auth.failures", false)
	inTx(t, s, func(tx *Tx) error {
		if err := tx.InsertAlertRule(ctx, critical); err != nil {
			return err
		}
		return tx.InsertAlertRule(ctx, quiet)
	})
	if err := txErr(s, func(tx *Tx) error {
		return tx.InsertAlertRule(ctx, rule("ar_dangling", "info", "auth.failures", true, "nc_none"))
	}); err == nil {
		t.Error("a rule notifying a channel that does not exist was stored")
	}
	inTx(t, s, func(tx *Tx) error {
		return tx.InsertAlertIncident(ctx, &AlertIncident{ID: "inc_1", RuleID: "ar_crit", Status: "open", OpenedAt: t0, Value: 0.9, LastValue: 0.9})
	})
	r, err := s.GetAlertRule(ctx, "ar_crit")
	if err != nil || !slices.Equal(r.ChannelIDs, []string{"nc_hook", "nc_slack"}) || r.Labels["team"] != "ar_crit" ||
		r.Window != 5*time.Minute || r.RenotifyInterval != time.Hour || r.OpenIncidentID == nil || *r.OpenIncidentID != "inc_1" {
		t.Fatalf("GetAlertRule = %+v, %v", r, err)
	}
	r.ChannelIDs, r.Severity, r.Version = []string{"nc_mail"}, "warning", 2
	inTx(t, s, func(tx *Tx) error { return tx.UpdateAlertRule(ctx, r) })
	if r, err := s.GetAlertRule(ctx, "ar_crit"); err != nil || !slices.Equal(r.ChannelIDs, []string{"nc_mail"}) || r.Severity != "warning" {
		t.Fatalf("after UpdateAlertRule: %+v, %v", r, err)
	}
	if err := txErr(s, func(tx *Tx) error { return tx.UpdateAlertRule(ctx, AlertRule{ID: "ar_none"}) }); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateAlertRule of no rule = %v, want ErrNotFound", err)
	}
	ruleID := func(r AlertRule) string { return r.ID }
	listRules := func(f AlertRuleFilter) ([]string, error) {
		items, err := s.ListAlertRules(ctx, f)
		return ids(items, err, ruleID)
	}
	on := true
	for _, tc := range []struct {
		what string
		f    AlertRuleFilter
		want []string
	}{
		{"all", AlertRuleFilter{}, []string{"ar_quiet", "ar_crit"}},
		{"severity", AlertRuleFilter{Severity: "warning"}, []string{"ar_crit"}},
		{"metric", AlertRuleFilter{Metric: "auth.failures"}, []string{"ar_quiet"}},
		{"enabled", AlertRuleFilter{Enabled: &on}, []string{"ar_crit"}},
		{"ids", AlertRuleFilter{IDs: []string{"ar_quiet"}}, []string{"ar_quiet"}},
		{"limit", AlertRuleFilter{Limit: 1}, []string{"ar_quiet"}},
	} {
		g, err := listRules(tc.f)
		wantIDs(t, "ListAlertRules "+tc.what, g, err, tc.want...)
	}

	// A channel in use cannot be deleted; deleting the rule frees it and
	// takes its incidents along.
	inTx(t, s, func(tx *Tx) error {
		users, err := tx.RulesUsingChannel(ctx, "nc_mail")
		if err != nil || len(users) != 1 || users[0].ID != "ar_crit" {
			return fmt.Errorf("RulesUsingChannel(nc_mail) = %v, %w; want ar_crit", users, err)
		}
		return nil
	})
	if err := txErr(s, func(tx *Tx) error { return tx.DeleteNotificationChannel(ctx, "nc_mail") }); err == nil {
		t.Error("a channel an alert rule notifies was deleted")
	}
	inTx(t, s, func(tx *Tx) error { return tx.DeleteAlertRule(ctx, "ar_crit") })
	if incidents, err := s.ListAlertIncidents(ctx, AlertIncidentFilter{RuleID: "ar_crit"}); err != nil || len(incidents) != 0 {
		t.Errorf("incidents of a deleted rule: %v, %v; want none", incidents, err)
	}
	inTx(t, s, func(tx *Tx) error { return tx.DeleteNotificationChannel(ctx, "nc_mail") })
	if err := txErr(s, func(tx *Tx) error { return tx.DeleteNotificationChannel(ctx, "nc_mail") }); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a deleted channel = %v, want ErrNotFound", err)
	}
	if err := txErr(s, func(tx *Tx) error { return tx.DeleteAlertRule(ctx, "ar_crit") }); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a deleted rule = %v, want ErrNotFound", err)
	}
}

func TestAccessGrantSQL(t *testing.T) { eachEngine(t, testAccessGrantSQL) }

func testAccessGrantSQL(t *testing.T, s *Store) {
	ctx := context.Background()
	expiry := t0.Add(48 * time.Hour)
	grant := func(id, principalType, principalID, role string, reviewDays int64) *AccessGrant {
		return &AccessGrant{ID: id, PrincipalType: principalType, PrincipalID: principalID, Role: role, Resource: "*",
			Justification: "needed", ReviewIntervalDays: reviewDays, CreatedAt: t0, UpdatedAt: t0, Version: 1}
	}
	alice := grant("ag_alice", "user", "alice", "viewer", 1)
	team := grant("ag_team", "team", "sre", "operator", 30)
	temp := grant("ag_temp", "user", "bob", "admin", 90)
	temp.ExpiresAt = &expiry
	inTx(t, s, func(tx *Tx) error {
		for _, g := range []*AccessGrant{alice, team, temp} {
			if err := tx.InsertAccessGrant(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.GetAccessGrant(ctx, "ag_temp")
	if err != nil || got.Role != "admin" || !got.ExpiresAt.Equal(expiry) || got.Status(expiry) != "expired" || got.Status(t0) != "active" {
		t.Fatalf("GetAccessGrant = %+v, %v", got, err)
	}
	revoked := t0.Add(time.Hour)
	team.RevokedAt, team.Version = &revoked, 2
	inTx(t, s, func(tx *Tx) error { return tx.UpdateAccessGrant(ctx, *team) })
	if err := txErr(s, func(tx *Tx) error { return tx.UpdateAccessGrant(ctx, AccessGrant{ID: "ag_none"}) }); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateAccessGrant of no grant = %v, want ErrNotFound", err)
	}
	grantID := func(g AccessGrant) string { return g.ID }
	list := func(f AccessGrantFilter) ([]string, error) {
		items, err := s.ListAccessGrants(ctx, f)
		return ids(items, err, grantID)
	}
	due := alice.NextReviewAt() // t0 + 1 day
	for _, tc := range []struct {
		what string
		f    AccessGrantFilter
		want []string
	}{
		{"all", AccessGrantFilter{}, []string{"ag_temp", "ag_team", "ag_alice"}},
		{"principal type", AccessGrantFilter{PrincipalType: "user"}, []string{"ag_temp", "ag_alice"}},
		{"principal", AccessGrantFilter{PrincipalType: "user", PrincipalID: "bob"}, []string{"ag_temp"}},
		{"role", AccessGrantFilter{Role: "operator"}, []string{"ag_team"}},
		{"active", AccessGrantFilter{Status: "active", Now: t0}, []string{"ag_temp", "ag_alice"}},
		{"expired", AccessGrantFilter{Status: "expired", Now: expiry}, []string{"ag_temp"}},
		{"revoked", AccessGrantFilter{Status: "revoked", Now: t0}, []string{"ag_team"}},
		{"review overdue a nanosecond early", AccessGrantFilter{ReviewOverdue: true, Now: due.Add(-time.Nanosecond)}, nil},
		{"review overdue at the instant", AccessGrantFilter{ReviewOverdue: true, Now: due}, []string{"ag_alice"}},
		{"ids", AccessGrantFilter{IDs: []string{"ag_alice", "ag_team"}}, []string{"ag_team", "ag_alice"}},
		{"after a cursor", AccessGrantFilter{BeforeSeq: temp.Seq, Limit: 1}, []string{"ag_team"}},
	} {
		g, err := list(tc.f)
		wantIDs(t, "ListAccessGrants "+tc.what, g, err, tc.want...)
	}

	// Reviews belong to an existing grant and list newest first.
	for i := range 3 {
		inTx(t, s, func(tx *Tx) error {
			return tx.InsertAccessGrantReview(ctx, AccessGrantReview{ID: fmt.Sprintf("agr_%d", i), GrantID: "ag_alice",
				Reviewer: "carol", Decision: "keep", ReviewedAt: t0.Add(time.Duration(i) * time.Hour)})
		})
	}
	if err := txErr(s, func(tx *Tx) error {
		return tx.InsertAccessGrantReview(ctx, AccessGrantReview{ID: "agr_x", GrantID: "ag_none", Reviewer: "carol", Decision: "keep", ReviewedAt: t0})
	}); err == nil {
		t.Error("a review of a grant that does not exist was stored")
	}
	wantPages := [][]string{{"agr_2", "agr_1"}, {"agr_0"}}
	if got := pages(t, 2, func(before int64, limit int) ([]AccessGrantReview, error) {
		return s.ListAccessGrantReviews(ctx, "ag_alice", before, limit)
	}, func(r AccessGrantReview) int64 { return r.Seq }, func(r AccessGrantReview) string { return r.ID }); !slices.EqualFunc(got, wantPages, slices.Equal) {
		t.Errorf("review pages = %v, want %v", got, wantPages)
	}
}

func TestBackupScheduleSQL(t *testing.T) { eachEngine(t, testBackupScheduleSQL) }

func testBackupScheduleSQL(t *testing.T, s *Store) {
	ctx := context.Background()
	next := t0.Add(3 * time.Hour)
	schedule := func(id string, enabled bool) *BackupSchedule {
		b := &BackupSchedule{ID: id, Name: "s-" + id, Cron: "0 3 * * *", Timezone: "UTC", RetentionDays: 30,
			Include: []string{"api_keys", "alert_rules"}, Destination: "nightly", VerifyRestore: true, Enabled: enabled,
			CreatedAt: t0, UpdatedAt: t0, Version: 1}
		if enabled {
			b.NextRunAt = &next
		}
		return b
	}
	nightly, paused := schedule("bs_nightly", true), schedule("bs_paused", false)
	inTx(t, s, func(tx *Tx) error {
		if err := tx.InsertBackupSchedule(ctx, nightly); err != nil {
			return err
		}
		return tx.InsertBackupSchedule(ctx, paused)
	})
	got, err := s.GetBackupSchedule(ctx, "bs_nightly")
	if err != nil || !slices.Equal(got.Include, []string{"api_keys", "alert_rules"}) || got.NextRunAt == nil || !got.NextRunAt.Equal(next) ||
		got.Destination != "nightly" || !got.VerifyRestore || got.Encrypt {
		t.Fatalf("GetBackupSchedule = %+v, %v", got, err)
	}
	// The scheduler's bookkeeping applies only to the version it planned.
	later := next.Add(24 * time.Hour)
	inTx(t, s, func(tx *Tx) error { return tx.SetBackupNextRun(ctx, "bs_nightly", 1, later) })
	nightly.Cron, nightly.Version = "0 4 * * *", 2
	nightly.NextRunAt = &next
	inTx(t, s, func(tx *Tx) error { return tx.UpdateBackupSchedule(ctx, *nightly) })
	inTx(t, s, func(tx *Tx) error { return tx.SetBackupNextRun(ctx, "bs_nightly", 1, later) })
	if got, err := s.GetBackupSchedule(ctx, "bs_nightly"); err != nil || got.Cron != "0 4 * * *" || !got.NextRunAt.Equal(next) {
		t.Fatalf("after an update, a stale SetBackupNextRun must change nothing: %+v, %v", got, err)
	}
	if err := txErr(s, func(tx *Tx) error { return tx.UpdateBackupSchedule(ctx, BackupSchedule{ID: "bs_none"}) }); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateBackupSchedule of no schedule = %v, want ErrNotFound", err)
	}
	on := true
	items, err := s.ListBackupSchedules(ctx, BackupScheduleFilter{Enabled: &on})
	g, err := ids(items, err, func(b BackupSchedule) string { return b.ID })
	wantIDs(t, "enabled schedules", g, err, "bs_nightly")
	items, err = s.ListBackupSchedules(ctx, BackupScheduleFilter{IDs: []string{"bs_paused"}, Limit: 5})
	g, err = ids(items, err, func(b BackupSchedule) string { return b.ID })
	wantIDs(t, "schedules by ids", g, err, "bs_paused")

	// Runs list newest first, by page; deleting the schedule deletes them.
	for i := range 3 {
		inTx(t, s, func(tx *Tx) error {
			return tx.InsertBackupRun(ctx, BackupRun{ID: fmt.Sprintf("br_%d", i), ScheduleID: "bs_nightly", StartedAt: t0.Add(time.Duration(i) * time.Hour),
				FinishedAt: t0.Add(time.Duration(i) * time.Hour), Status: "succeeded", RestoreVerified: i == 1})
		})
	}
	wantPages := [][]string{{"br_2", "br_1"}, {"br_0"}}
	if got := pages(t, 2, func(before int64, limit int) ([]BackupRun, error) {
		return s.ListBackupRuns(ctx, "bs_nightly", before, limit)
	}, func(r BackupRun) int64 { return r.Seq }, func(r BackupRun) string { return r.ID }); !slices.EqualFunc(got, wantPages, slices.Equal) {
		t.Errorf("run pages = %v, want %v", got, wantPages)
	}
	if latest, err := s.LatestVerifiedRestore(ctx); err != nil || latest == nil || !latest.Equal(t0.Add(time.Hour)) {
		t.Errorf("LatestVerifiedRestore = %v, %v; want the finish of br_1", latest, err)
	}
	inTx(t, s, func(tx *Tx) error { return tx.DeleteBackupSchedule(ctx, "bs_nightly") })
	if runs, err := s.ListBackupRuns(ctx, "bs_nightly", 0, 0); err != nil || len(runs) != 0 {
		t.Errorf("runs of a deleted schedule: %v, %v; want none", runs, err)
	}
	if err := txErr(s, func(tx *Tx) error { return tx.DeleteBackupSchedule(ctx, "bs_nightly") }); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a deleted schedule = %v, want ErrNotFound", err)
	}
}

func TestAuditEventSQL(t *testing.T) { eachEngine(t, testAuditEventSQL) }

func testAuditEventSQL(t *testing.T, s *Store) {
	ctx := context.Background()
	events := []AuditEvent{
		{ID: "evt_1", Time: t0, ActorKeyID: "key_a", Action: "api_key.create", ObjectType: "api_key", ObjectID: "key_x", RequestID: "req_1"},
		{ID: "evt_2", Time: t0.Add(time.Hour), ActorKeyID: "key_b", Action: "alert_rule.update", ObjectType: "alert_rule", ObjectID: "ar_1",
			RequestID: "req_2", ChangedFields: []string{"name"}},
		{ID: "evt_3", Time: t0.Add(2 * time.Hour), ActorKeyID: "key_a", Action: "api_key.rotate", ObjectType: "api_key", ObjectID: "key_x", RequestID: "req_3"},
	}
	inTx(t, s, func(tx *Tx) error {
		for _, e := range events {
			if err := tx.InsertAuditEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err := txErr(s, func(tx *Tx) error { return tx.InsertAuditEvent(ctx, events[0]) }); err == nil {
		t.Error("a second audit event with id evt_1 was stored")
	}
	since, until := t0.Add(time.Hour), t0.Add(2*time.Hour)
	eventID := func(e AuditEvent) string { return e.ID }
	for _, tc := range []struct {
		what string
		f    AuditEventFilter
		want []string
	}{
		{"all", AuditEventFilter{}, []string{"evt_3", "evt_2", "evt_1"}},
		{"actor", AuditEventFilter{ActorKeyID: "key_a"}, []string{"evt_3", "evt_1"}},
		{"object", AuditEventFilter{ObjectType: "api_key", ObjectID: "key_x"}, []string{"evt_3", "evt_1"}},
		{"action", AuditEventFilter{Action: "alert_rule.update"}, []string{"evt_2"}},
		{"since (inclusive) until (exclusive)", AuditEventFilter{Since: &since, Until: &until}, []string{"evt_2"}},
		{"page", AuditEventFilter{Limit: 2}, []string{"evt_3", "evt_2"}},
	} {
		items, err := s.ListAuditEvents(ctx, tc.f)
		g, err := ids(items, err, eventID)
		wantIDs(t, "ListAuditEvents "+tc.what, g, err, tc.want...)
	}
	items, err := s.ListAuditEvents(ctx, AuditEventFilter{Action: "alert_rule.update"})
	if err != nil || len(items) != 1 || !slices.Equal(items[0].ChangedFields, []string{"name"}) {
		t.Errorf("changed fields = %v, %v; want [name]", items, err)
	}
}
