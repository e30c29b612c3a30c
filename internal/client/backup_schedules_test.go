package client

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// sampleSchedule is the backup schedule bs_1 as the API returns it.
func sampleSchedule() apiv1.BackupSchedule {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	next := ts.Add(time.Hour)
	return apiv1.BackupSchedule{
		ID: "bs_1", Name: "nightly", Cron: "0 3 * * *", Timezone: "UTC", RetentionDays: 30, Include: []string{"all"},
		Destination: "backups", VerifyRestore: true, Enabled: true, NextRunAt: &next, CreatedAt: ts, UpdatedAt: ts, Version: 1,
	}
}

func sampleRun(id string) apiv1.BackupRun {
	ts := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	return apiv1.BackupRun{
		ID: id, ScheduleID: "bs_1", StartedAt: ts, FinishedAt: ts, Status: apiv1.BackupRunSucceeded,
		SizeBytes: 4096, SHA256: strings.Repeat("ab", 32), RestoreVerified: true, File: "/data/backups/x.kmbackup",
	}
}

// TestBackupScheduleMethodsSendTheContractRequests proves that each backup
// schedule method sends the method, path, query and body of the wire
// contract and decodes the answer.
func TestBackupScheduleMethodsSendTheContractRequests(t *testing.T) {
	runContractCases(t, []contractCase{
		{
			name: "create",
			call: func(c *Client) (any, error) {
				return c.CreateBackupSchedule(context.Background(), apiv1.CreateBackupScheduleRequest{
					Name: "nightly", Cron: "0 3 * * *", Timezone: ptr("Europe/Berlin"), Include: []string{"api_keys"},
					Encrypt: ptr(true), VerifyRestore: ptr(false),
				})
			},
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusCreated, sampleSchedule()) },
			method:  "POST", path: "/v1/backup-schedules",
			body: `{"name":"nightly","cron":"0 3 * * *","timezone":"Europe/Berlin","include":["api_keys"],"encrypt":true,"verify_restore":false}`,
			check: func(t *testing.T, got any) {
				if s, ok := got.(*apiv1.BackupSchedule); !ok || s.ID != "bs_1" || s.NextRunAt == nil {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name:    "get",
			call:    func(c *Client) (any, error) { return c.GetBackupSchedule(context.Background(), "bs_1") },
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, sampleSchedule()) },
			method:  "GET", path: "/v1/backup-schedules/bs_1",
			check: func(t *testing.T, got any) {
				if s, ok := got.(*apiv1.BackupSchedule); !ok || s.Cron != "0 3 * * *" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "list",
			call: func(c *Client) (any, error) {
				return c.ListBackupSchedules(context.Background(), ListBackupSchedulesOptions{Enabled: ptr(false), Limit: 3})
			},
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.BackupScheduleList{Data: []apiv1.BackupSchedule{sampleSchedule()}})
			},
			method: "GET", path: "/v1/backup-schedules", query: "enabled=false&limit=3",
			check: func(t *testing.T, got any) {
				if ss, ok := got.([]apiv1.BackupSchedule); !ok || len(ss) != 1 {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name: "update sends a merge patch",
			call: func(c *Client) (any, error) {
				return c.UpdateBackupSchedule(context.Background(), "bs_1", apiv1.UpdateBackupScheduleRequest{
					Enabled: ptr(false), Include: &[]string{"all"},
				})
			},
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, sampleSchedule()) },
			method:  "PATCH", path: "/v1/backup-schedules/bs_1",
			body: `{"include":["all"],"enabled":false}`,
			check: func(t *testing.T, got any) {
				if s, ok := got.(*apiv1.BackupSchedule); !ok || s.ID != "bs_1" {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name:    "delete",
			call:    func(c *Client) (any, error) { return nil, c.DeleteBackupSchedule(context.Background(), "bs_1") },
			respond: func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) },
			method:  "DELETE", path: "/v1/backup-schedules/bs_1",
			check: func(*testing.T, any) {},
		},
		{
			name: "list runs with a limit",
			call: func(c *Client) (any, error) { return c.ListBackupRuns(context.Background(), "bs_1", 5) },
			respond: func(w http.ResponseWriter) {
				writeJSON(w, http.StatusOK, apiv1.BackupRunList{Data: []apiv1.BackupRun{sampleRun("br_2"), sampleRun("br_1")}})
			},
			method: "GET", path: "/v1/backup-schedules/bs_1/runs", query: "limit=5",
			check: func(t *testing.T, got any) {
				if rs, ok := got.([]apiv1.BackupRun); !ok || len(rs) != 2 || rs[0].ID != "br_2" || !rs[0].RestoreVerified {
					t.Errorf("decoded %+v", got)
				}
			},
		},
		{
			name:    "run now",
			call:    func(c *Client) (any, error) { return c.RunBackupNow(context.Background(), "bs_1") },
			respond: func(w http.ResponseWriter) { writeJSON(w, http.StatusCreated, sampleRun("br_1")) },
			method:  "POST", path: "/v1/backup-schedules/bs_1/run",
			check: func(t *testing.T, got any) {
				if r, ok := got.(*apiv1.BackupRun); !ok || r.ID != "br_1" || r.SizeBytes != 4096 {
					t.Errorf("decoded %+v", got)
				}
			},
		},
	})
}

// TestListBackupRunsRejectsANegativeLimitWithoutARequest proves that a bad
// limit is reported by the client, naming it, before anything is sent.
func TestListBackupRunsRejectsANegativeLimitWithoutARequest(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(http.StatusOK) })
	c, _ := f.client()
	if _, err := c.ListBackupRuns(context.Background(), "bs_1", -1); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("err = %v, want one naming limit", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Fatalf("sent %d requests, want none", n)
	}
}
