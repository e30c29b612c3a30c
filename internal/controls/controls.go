// Package controls is the one catalogue of the checks that hold a Keymate
// account to the security guide. Each control has a stable id: the server's
// compliance report names its findings by it, and the provider's plan-time
// policy checks name their warnings (or, under policy "enforce", errors) by
// the same id, so an auditor reads one vocabulary everywhere.
package controls

import "time"

// Severity ranks a control. A report "passes" at a severity when it has no
// finding at or above it.
type Severity string

// Severities, from most to least severe.
const (
	Critical Severity = "critical"
	Warning  Severity = "warning"
	Info     Severity = "info"
)

// Severities lists the severities from most to least severe.
var Severities = []Severity{Critical, Warning, Info}

// Rank orders severities: Critical has the highest rank; unknown ones rank 0.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 3
	case Warning:
		return 2
	case Info:
		return 1
	}
	return 0
}

// Control is one check of the security guide.
type Control struct {
	ID          string
	Severity    Severity
	Title       string
	Guide       string // the section of the security guide it enforces
	Remediation string
}

// Thresholds the controls apply.
const (
	MaxRotationDays     = 90                  // rotate keys at least this often
	MaxChannelTestAge   = 30 * 24 * time.Hour // test notification channels at least this often
	MaxRestoreDrillAge  = 30 * 24 * time.Hour // verify a restore at least this often
	MinRetentionDays    = 7                   // keep backups at least this long
	DefaultReviewPeriod = 90                  // review access at least this often (days)
	// MaxUnusedAge is how long a key, or a scope a key holds, may go
	// unneeded before the report names it (KM-KEY-004, KM-KEY-005).
	MaxUnusedAge = 90 * 24 * time.Hour
)

// The controls.
var (
	KeyRotationOverdue = Control{ID: "KM-KEY-001", Severity: Critical, Guide: "API Key Management",
		Title:       "API key past its rotation date",
		Remediation: "Rotate the key: `terraform apply` rotates a keymate_api_key whose next_rotation_at has passed."}
	KeyRotationPeriod = Control{ID: "KM-KEY-002", Severity: Warning, Guide: "API Key Management",
		Title:       "API key rotation period over 90 days",
		Remediation: "Set rotation_days to 90 or less."}
	KeyAdminWithoutExpiry = Control{ID: "KM-KEY-003", Severity: Warning, Guide: "Access Control",
		Title:       "API key holding admin without an expiry",
		Remediation: "Set expires_at on keys that hold the admin scope, or grant narrower scopes."}
	KeyNotUsed = Control{ID: "KM-KEY-004", Severity: Warning, Guide: "Access Control",
		Title:       "API key unused for 90 days",
		Remediation: "Revoke the key (destroy its keymate_api_key) if nothing uses it any more: an unused key is a secret to leak and nothing to gain."}
	KeyScopeNotNeeded = Control{ID: "KM-KEY-005", Severity: Warning, Guide: "Access Control",
		Title: "API key holding scopes it has not needed for 90 days",
		Remediation: "Remove the scopes the finding names from the key's scopes (least privilege); " +
			"the keymate_api_key resource names them at plan time too."}
	AlertCriticalWithoutChannel = Control{ID: "KM-ALERT-001", Severity: Critical, Guide: "Alert Configuration",
		Title:       "Critical alert rule without a notification channel",
		Remediation: "Add at least one notification channel to every critical alert rule."}
	ChannelNeverTested = Control{ID: "KM-CHAN-001", Severity: Warning, Guide: "Alert Configuration",
		Title:       "Notification channel never tested",
		Remediation: "Send a test notification (send_test_on_apply = true, or POST /v1/notification-channels/{id}/test)."}
	ChannelTestFailed = Control{ID: "KM-CHAN-002", Severity: Critical, Guide: "Alert Configuration",
		Title:       "Notification channel whose last test failed",
		Remediation: "Fix the channel's destination and send a new test notification."}
	ChannelTestStale = Control{ID: "KM-CHAN-003", Severity: Warning, Guide: "Alert Configuration",
		Title:       "Notification channel not tested in 30 days",
		Remediation: "Send a test notification at least every 30 days."}
	AccessAdminWithoutExpiry = Control{ID: "KM-ACCESS-001", Severity: Critical, Guide: "Access Control",
		Title:       "Admin access grant without an expiry",
		Remediation: "Set expires_at on admin grants, or grant a narrower role."}
	AccessReviewOverdue = Control{ID: "KM-ACCESS-002", Severity: Warning, Guide: "Access Control",
		Title:       "Access grant past its review date",
		Remediation: "Review the grant (keep or revoke) and record the review."}
	BackupNoSchedule = Control{ID: "KM-BACKUP-001", Severity: Critical, Guide: "Backup and Recovery",
		Title:       "No enabled backup schedule",
		Remediation: "Create an enabled keymate_backup_schedule."}
	BackupLastRunFailed = Control{ID: "KM-BACKUP-002", Severity: Critical, Guide: "Backup and Recovery",
		Title:       "Backup schedule whose last run failed",
		Remediation: "Read the run's error, fix the cause and run the schedule again."}
	BackupNoVerifiedRestore = Control{ID: "KM-BACKUP-003", Severity: Warning, Guide: "Backup and Recovery",
		Title:       "No verified restore in 30 days",
		Remediation: "Enable verify_restore on a backup schedule that runs at least every 30 days."}
	BackupRetentionShort = Control{ID: "KM-BACKUP-004", Severity: Warning, Guide: "Backup and Recovery",
		Title:       "Backup retention under 7 days",
		Remediation: "Set retention_days to 7 or more."}
)

// All lists every control in documentation order.
var All = []Control{
	KeyRotationOverdue, KeyRotationPeriod, KeyAdminWithoutExpiry, KeyNotUsed, KeyScopeNotNeeded,
	AlertCriticalWithoutChannel,
	ChannelNeverTested, ChannelTestFailed, ChannelTestStale,
	AccessAdminWithoutExpiry, AccessReviewOverdue,
	BackupNoSchedule, BackupLastRunFailed, BackupNoVerifiedRestore, BackupRetentionShort,
}

// Lookup returns the control with the given id.
func Lookup(id string) (Control, bool) {
	for _, c := range All {
		if c.ID == id {
			return c, true
		}
	}
	return Control{}, false
}
