package server

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// The compliance report judges the objects in service: active API keys and
// access grants (not revoked, not expired), enabled alert rules, enabled
// notification channels and enabled backup schedules. Disabled or ended
// objects deliver nothing and grant nothing, so they are not findings of
// their own; the account-level controls still see them missing (a critical
// rule whose only channels are disabled is KM-ALERT-001; disabled schedules
// only are KM-BACKUP-001). Nothing else is exempt: the bootstrap admin key
// is reported like any other key (KM-KEY-003 until it gets an expiry or is
// replaced).

func (s *Server) handleComplianceReport(w http.ResponseWriter, r *http.Request) {
	minSeverity := controls.Info
	if raw := r.URL.Query().Get("min_severity"); raw != "" {
		minSeverity = controls.Severity(raw)
		if minSeverity.Rank() == 0 {
			var f fieldErrors
			f.add("min_severity", "must be one of critical, warning, info, got %q", raw)
			s.fail(w, r, f.err())
			return
		}
	}
	now := s.clock.Now()
	findings, err := s.evaluateCompliance(r.Context(), now)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, complianceReport(now, findings, minSeverity))
}

// finding is one object breaking one control.
type finding struct {
	control                      controls.Control
	objectType, objectID, object string // object is the object's name
	message                      string
}

// evaluation collects the findings of one report at one instant.
type evaluation struct {
	now      time.Time
	findings []finding
}

func (e *evaluation) add(c controls.Control, objectType, objectID, objectName, format string, args ...any) {
	e.findings = append(e.findings, finding{control: c, objectType: objectType, objectID: objectID, object: objectName,
		message: fmt.Sprintf(format, args...)})
}

// evaluateCompliance judges the live account at now against every control
// of internal/controls.
func (s *Server) evaluateCompliance(ctx context.Context, now time.Time) ([]finding, error) {
	e := &evaluation{now: now}
	for _, check := range []func(context.Context, *evaluation) error{
		s.checkAPIKeys, s.checkAlerting, s.checkAccessGrants, s.checkBackups,
	} {
		if err := check(ctx, e); err != nil {
			return nil, err
		}
	}
	return e.findings, nil
}

// checkAPIKeys applies KM-KEY-001 (rotation overdue), KM-KEY-002 (rotation
// period over 90 days), KM-KEY-003 (admin without expiry), KM-KEY-004
// (unused for 90 days) and KM-KEY-005 (scopes not needed for 90 days, on a
// key that is in use) to every active key.
func (s *Server) checkAPIKeys(ctx context.Context, e *evaluation) error {
	keys, err := s.store.ActiveAPIKeys(ctx, e.now)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if due := k.NextRotationAt(); apiv1.RotationOverdue(due, e.now) {
			e.add(controls.KeyRotationOverdue, objectTypeAPIKey, k.ID, k.Name,
				"API key %q was due for rotation at %s (last rotated %s, every %d days).",
				k.Name, stamp(due), stamp(k.RotatedAt), k.RotationDays)
		}
		if k.RotationDays > controls.MaxRotationDays {
			e.add(controls.KeyRotationPeriod, objectTypeAPIKey, k.ID, k.Name,
				"API key %q rotates every %d days; the guide asks for at most %d.", k.Name, k.RotationDays, controls.MaxRotationDays)
		}
		if slices.Contains(k.Scopes, apiv1.ScopeAdmin) && k.ExpiresAt == nil {
			e.add(controls.KeyAdminWithoutExpiry, objectTypeAPIKey, k.ID, k.Name,
				"API key %q holds the admin scope and never expires.", k.Name)
		}
		checkKeyUsage(e, k)
	}
	return nil
}

// keyUsage judges active key k at now: unused as a whole (KM-KEY-004), else
// the scopes it holds and has not needed (KM-KEY-005). The report and the
// metrics count by it.
func keyUsage(k store.APIKey, now time.Time) (unused bool, unneeded []string) {
	if controls.KeyUnused(k.CreatedAt, k.LastUsedAt, now) {
		return true, nil
	}
	return false, controls.UnneededScopes(k.Scopes, k.ScopeLastUsedAt, k.CreatedAt, now)
}

// checkKeyUsage applies KM-KEY-004 and KM-KEY-005 to active key k. A key
// unused as a whole is one finding, not one more per scope.
func checkKeyUsage(e *evaluation, k store.APIKey) {
	days := int(controls.MaxUnusedAge.Hours() / 24)
	unused, unneeded := keyUsage(k, e.now)
	switch {
	case unused && k.LastUsedAt == nil:
		e.add(controls.KeyNotUsed, objectTypeAPIKey, k.ID, k.Name,
			"API key %q has not been used since it was created at %s, more than %d days ago.", k.Name, stamp(k.CreatedAt), days)
	case unused:
		e.add(controls.KeyNotUsed, objectTypeAPIKey, k.ID, k.Name,
			"API key %q was last used at %s, more than %d days ago.", k.Name, stamp(*k.LastUsedAt), days)
	case len(unneeded) > 0:
		e.add(controls.KeyScopeNotNeeded, objectTypeAPIKey, k.ID, k.Name,
			"API key %q holds scopes that no request has needed in %d days; drop from its scopes: %s.",
			k.Name, days, strings.Join(unneeded, ", "))
	}
}

// checkAlerting applies KM-ALERT-001 to enabled critical rules and
// KM-CHAN-001..003 to enabled channels. A channel has one test finding at
// most: never tested, else last test failed (however old), else stale.
func (s *Server) checkAlerting(ctx context.Context, e *evaluation) error {
	channels, err := s.store.AllNotificationChannels(ctx)
	if err != nil {
		return err
	}
	enabled := map[string]bool{}
	for _, c := range channels {
		if !c.Enabled {
			continue
		}
		enabled[c.ID] = true
		switch {
		case c.LastTestAt == nil:
			e.add(controls.ChannelNeverTested, objectTypeChannel, c.ID, c.Name,
				"Notification channel %q has never been tested.", c.Name)
		case c.LastTestStatus == apiv1.TestStatusFailed:
			e.add(controls.ChannelTestFailed, objectTypeChannel, c.ID, c.Name,
				"The last test of notification channel %q, at %s, failed: %s", c.Name, stamp(*c.LastTestAt), c.LastTestError)
		case e.now.Sub(*c.LastTestAt) > controls.MaxChannelTestAge:
			e.add(controls.ChannelTestStale, objectTypeChannel, c.ID, c.Name,
				"Notification channel %q was last tested at %s, more than %d days ago.",
				c.Name, stamp(*c.LastTestAt), int(controls.MaxChannelTestAge.Hours()/24))
		}
	}
	on := true
	rules, err := s.store.ListAlertRules(ctx, store.AlertRuleFilter{Severity: apiv1.SeverityCritical, Enabled: &on})
	if err != nil {
		return err
	}
	for _, rule := range rules {
		if slices.ContainsFunc(rule.ChannelIDs, func(id string) bool { return enabled[id] }) {
			continue
		}
		why := "has no notification channel"
		if len(rule.ChannelIDs) > 0 {
			why = fmt.Sprintf("notifies only disabled channels (%s)", strings.Join(rule.ChannelIDs, ", "))
		}
		e.add(controls.AlertCriticalWithoutChannel, objectTypeAlertRule, rule.ID, rule.Name,
			"Critical alert rule %q %s, so its incidents reach nobody.", rule.Name, why)
	}
	return nil
}

// checkAccessGrants applies KM-ACCESS-001 (admin without expiry) and
// KM-ACCESS-002 (review overdue) to every active grant.
func (s *Server) checkAccessGrants(ctx context.Context, e *evaluation) error {
	grants, err := s.store.ListAccessGrants(ctx, store.AccessGrantFilter{Status: apiv1.GrantStatusActive, Now: e.now})
	if err != nil {
		return err
	}
	for _, g := range grants {
		principal := g.PrincipalType + ":" + g.PrincipalID
		if g.Role == apiv1.RoleAdmin && g.ExpiresAt == nil {
			e.add(controls.AccessAdminWithoutExpiry, objectTypeAccessGrant, g.ID, principal,
				"Access grant %s gives %s the admin role on %q without an expiry.", g.ID, principal, g.Resource)
		}
		if due := g.NextReviewAt(); !e.now.Before(due) {
			e.add(controls.AccessReviewOverdue, objectTypeAccessGrant, g.ID, principal,
				"Access grant %s (%s, role %s) was due for review at %s.", g.ID, principal, g.Role, stamp(due))
		}
	}
	return nil
}

// checkBackups applies KM-BACKUP-001 and KM-BACKUP-003 to the account and
// KM-BACKUP-002 and KM-BACKUP-004 to every enabled schedule.
func (s *Server) checkBackups(ctx context.Context, e *evaluation) error {
	schedules, err := s.store.ListBackupSchedules(ctx, store.BackupScheduleFilter{})
	if err != nil {
		return err
	}
	enabled := 0
	for _, b := range schedules {
		if !b.Enabled {
			continue
		}
		enabled++
		if b.RetentionDays < controls.MinRetentionDays {
			e.add(controls.BackupRetentionShort, objectTypeBackupSchedule, b.ID, b.Name,
				"Backup schedule %q keeps backups %d days; the guide asks for at least %d.", b.Name, b.RetentionDays, controls.MinRetentionDays)
		}
		runs, err := s.store.ListBackupRuns(ctx, b.ID, 0, 1)
		if err != nil {
			return err
		}
		if len(runs) == 1 && runs[0].Status == apiv1.BackupRunFailed {
			e.add(controls.BackupLastRunFailed, objectTypeBackupSchedule, b.ID, b.Name,
				"The last run of backup schedule %q (%s, at %s) failed: %s", b.Name, runs[0].ID, stamp(runs[0].StartedAt), runs[0].Error)
		}
	}
	if enabled == 0 {
		e.add(controls.BackupNoSchedule, apiv1.ObjectTypeAccount, "", "",
			"No backup schedule is enabled (%d disabled).", len(schedules))
		return nil
	}
	latest, err := s.store.LatestVerifiedRestore(ctx)
	if err != nil {
		return err
	}
	days := int(controls.MaxRestoreDrillAge.Hours() / 24)
	switch {
	case latest == nil:
		e.add(controls.BackupNoVerifiedRestore, apiv1.ObjectTypeAccount, "", "",
			"No backup run has verified a restore yet; the guide asks for one at least every %d days.", days)
	case e.now.Sub(*latest) > controls.MaxRestoreDrillAge:
		e.add(controls.BackupNoVerifiedRestore, apiv1.ObjectTypeAccount, "", "",
			"The newest verified restore finished at %s, more than %d days ago.", stamp(*latest), days)
	}
	return nil
}

// complianceReport sorts the findings (most severe first, then control id,
// then object id), counts all of them, and keeps in the list those at or
// above minSeverity.
func complianceReport(now time.Time, findings []finding, minSeverity controls.Severity) apiv1.ComplianceReport {
	slices.SortFunc(findings, func(a, b finding) int {
		return cmp.Or(
			cmp.Compare(b.control.Severity.Rank(), a.control.Severity.Rank()),
			cmp.Compare(a.control.ID, b.control.ID),
			cmp.Compare(a.objectID, b.objectID),
		)
	})
	report := apiv1.ComplianceReport{GeneratedAt: now, Findings: []apiv1.ComplianceFinding{}}
	perControl := map[string]int64{}
	for _, f := range findings {
		perControl[f.control.ID]++
		switch f.control.Severity {
		case controls.Critical:
			report.Counts.Critical++
		case controls.Warning:
			report.Counts.Warning++
		case controls.Info:
			report.Counts.Info++
		}
		if f.control.Severity.Rank() < minSeverity.Rank() {
			continue
		}
		report.Findings = append(report.Findings, apiv1.ComplianceFinding{
			ControlID: f.control.ID, Severity: string(f.control.Severity), Title: f.control.Title,
			ObjectType: f.objectType, ObjectID: f.objectID, ObjectName: f.object,
			Message: f.message, Remediation: f.control.Remediation,
		})
	}
	for _, c := range controls.All {
		report.Controls = append(report.Controls, apiv1.ComplianceControl{
			ID: c.ID, Severity: string(c.Severity), Title: c.Title, Guide: c.Guide,
			Remediation: c.Remediation, Findings: perControl[c.ID],
		})
	}
	return report
}

// stamp formats a time for a finding's message.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
