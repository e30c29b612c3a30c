package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestAlertIncidentsListWithTheirNotifications proves the SQL of the alert
// history: incidents of every rule or of one, by status, newest first and in
// pages, each with its notifications oldest first; and that the outbox keeps
// the notifications of a live incident past its retention and prunes those
// of a deleted rule's incidents.
func TestAlertIncidentsListWithTheirNotifications(t *testing.T) {
	eachEngine(t, testAlertIncidentsListWithTheirNotifications)
}

func testAlertIncidentsListWithTheirNotifications(t *testing.T, s *Store) {
	ctx := context.Background()
	inTx(t, s, func(tx *Tx) error {
		if err := tx.InsertNotificationChannel(ctx, &NotificationChannel{ID: "nc_1", Name: "n", Type: "webhook", Enabled: true,
			SealedConfig: []byte("x"), LastTestStatus: "never", CreatedAt: t0, UpdatedAt: t0, Version: 1}); err != nil {
			return err
		}
		for _, id := range []string{"ar_a", "ar_b"} {
			if err := tx.InsertAlertRule(ctx, &AlertRule{ID: id, Name: id, Enabled: true, Severity: "critical", Metric: "auth.failures",
				Operator: "gt", Window: time.Minute, ChannelIDs: []string{"nc_1"}, CreatedAt: t0, UpdatedAt: t0, Version: 1}); err != nil {
				return err
			}
		}
		resolved := t0.Add(time.Hour)
		for _, inc := range []*AlertIncident{
			{ID: "inc_a1", RuleID: "ar_a", Status: "resolved", OpenedAt: t0, ResolvedAt: &resolved},
			{ID: "inc_b1", RuleID: "ar_b", Status: "open", OpenedAt: t0},
			{ID: "inc_a2", RuleID: "ar_a", Status: "open", OpenedAt: resolved},
		} {
			if err := tx.InsertAlertIncident(ctx, inc); err != nil {
				return err
			}
		}
		for i, d := range []OutboxDelivery{
			{ID: "dlv_1", IncidentID: "inc_a1", Event: "alert.opened", Status: OutboxDelivered, Attempts: 1},
			{ID: "dlv_2", IncidentID: "inc_a1", Event: "alert.resolved", Status: OutboxFailed, Attempts: 5, LastError: "refused"},
			{ID: "dlv_3", IncidentID: "inc_b1", Event: "alert.opened", Status: OutboxDelivered, Attempts: 2},
		} {
			d.ChannelID, d.Payload, d.CreatedAt, d.NextAttemptAt = "nc_1", []byte("{}"), t0.Add(time.Duration(i)*time.Minute), t0
			if err := tx.InsertOutboxDelivery(ctx, &d); err != nil {
				return err
			}
		}
		return nil
	})
	incID := func(inc AlertIncident) string { return inc.ID }
	list := func(f AlertIncidentFilter) []AlertIncident {
		t.Helper()
		incidents, err := s.ListAlertIncidents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return incidents
	}
	all := list(AlertIncidentFilter{})
	got, _ := ids(all, nil, incID)
	wantIDs(t, "every incident", got, nil, "inc_a2", "inc_b1", "inc_a1")
	if n := all[2].Notifications; len(n) != 2 || n[0].ID != "dlv_1" || n[1].Status != OutboxFailed || n[1].Attempts != 5 ||
		n[1].LastError != "refused" || n[1].Event != "alert.resolved" || !n[1].CreatedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("notifications of inc_a1 = %+v, want dlv_1 then the failed dlv_2", n)
	}
	if len(all[0].Notifications) != 0 || len(all[1].Notifications) != 1 {
		t.Errorf("notifications of inc_a2 and inc_b1 = %v and %v, want none and one", all[0].Notifications, all[1].Notifications)
	}
	got, _ = ids(list(AlertIncidentFilter{RuleID: "ar_a"}), nil, incID)
	wantIDs(t, "incidents of ar_a", got, nil, "inc_a2", "inc_a1")
	got, _ = ids(list(AlertIncidentFilter{Status: "open"}), nil, incID)
	wantIDs(t, "open incidents", got, nil, "inc_a2", "inc_b1")
	wantPages := [][]string{{"inc_a2", "inc_b1"}, {"inc_a1"}}
	if got := pages(t, 2, func(before int64, limit int) ([]AlertIncident, error) {
		return s.ListAlertIncidents(ctx, AlertIncidentFilter{BeforeSeq: before, Limit: limit})
	}, func(inc AlertIncident) int64 { return inc.Seq }, incID); !slices.EqualFunc(got, wantPages, slices.Equal) {
		t.Errorf("incident pages = %v, want %v (a page limits incidents, not notifications)", got, wantPages)
	}

	late := t0.Add(30 * 24 * time.Hour)
	if n, err := s.PruneOutbox(ctx, late); err != nil || n != 0 {
		t.Errorf("PruneOutbox with every incident alive = %d, %v; want 0: they are the incidents' history", n, err)
	}
	inTx(t, s, func(tx *Tx) error { return tx.DeleteAlertRule(ctx, "ar_a") })
	if n, err := s.PruneOutbox(ctx, late); err != nil || n != 2 {
		t.Errorf("PruneOutbox after ar_a was deleted = %d, %v; want its incidents' 2 notifications", n, err)
	}
	if got := list(AlertIncidentFilter{}); len(got) != 1 || len(got[0].Notifications) != 1 {
		t.Errorf("after pruning: %+v, want inc_b1 with its notification", got)
	}
}
