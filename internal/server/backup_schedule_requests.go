package server

import (
	"fmt"
	"slices"
	"strings"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/schedule"
)

// The validation of the backup schedule requests (see validation.go for the
// conventions).

func (f *fieldErrors) checkCron(expr string) {
	f.check("cron", schedule.CheckCron(expr))
}

func (f *fieldErrors) checkTimezone(tz string) {
	if _, err := schedule.LoadTimezone(tz); err != nil {
		f.add("timezone", "%v", err)
	}
}

func (f *fieldErrors) checkRetentionDays(days int64) {
	if days < apiv1.MinRetentionDays || days > apiv1.MaxRetentionDays {
		f.add("retention_days", "must be between %d and %d, got %d", apiv1.MinRetentionDays, apiv1.MaxRetentionDays, days)
	}
}

// checkInclude validates an include set and returns it normalised: ["all"],
// or the kinds in catalogue order.
func (f *fieldErrors) checkInclude(include []string) []string {
	if len(include) == 0 {
		f.add("include", `must hold at least one kind of object, or "all"`)
		return nil
	}
	seen := map[string]bool{}
	for i, kind := range include {
		path := fmt.Sprintf("include[%d]", i)
		switch {
		case kind == apiv1.IncludeAll && len(include) > 1:
			f.add(path, `"all" cannot be combined with other kinds`)
		case kind != apiv1.IncludeAll && !slices.Contains(apiv1.BackupKinds, kind):
			f.add(path, "unknown kind %q; use %q or any of %s", kind, apiv1.IncludeAll, strings.Join(apiv1.BackupKinds, ", "))
		case seen[kind]:
			f.add(path, "duplicate kind %q", kind)
		}
		seen[kind] = true
	}
	if seen[apiv1.IncludeAll] {
		return []string{apiv1.IncludeAll}
	}
	return inCatalogueOrder(apiv1.BackupKinds, seen)
}

// checkDestination applies the destination rule that the provider applies
// too; whether links lead out of the backup root is checked against the
// file system (Server.checkBackupDestination).
func (f *fieldErrors) checkDestination(dest string) {
	f.check("destination", apiv1.CheckBackupDestination(dest))
}

// scheduleSpec is a validated create request with defaults filled in.
type scheduleSpec struct {
	name, cron, timezone            string
	retentionDays                   int64
	include                         []string
	destination                     string
	encrypt, verifyRestore, enabled bool
}

// validateCreateSchedule checks a create request; haveKey tells whether the
// server can encrypt.
func validateCreateSchedule(b apiv1.CreateBackupScheduleRequest, in presence, haveKey bool) (scheduleSpec, error) {
	var f fieldErrors
	spec := scheduleSpec{
		timezone: apiv1.DefaultBackupTimezone, retentionDays: apiv1.DefaultRetentionDays,
		include: []string{apiv1.IncludeAll}, destination: apiv1.DefaultBackupDestination,
		verifyRestore: true, enabled: true,
	}
	if f.required(in, "name") {
		spec.name = b.Name
		f.checkText("name", spec.name, apiv1.NameRule)
	}
	if f.required(in, "cron") {
		spec.cron = b.Cron
		f.checkCron(spec.cron)
	}
	if b.Timezone != nil {
		spec.timezone = *b.Timezone
		f.checkTimezone(spec.timezone)
	}
	if b.RetentionDays != nil {
		spec.retentionDays = *b.RetentionDays
		f.checkRetentionDays(spec.retentionDays)
	}
	if in.value("include") {
		spec.include = f.checkInclude(b.Include)
	}
	if b.Destination != nil {
		spec.destination = *b.Destination
		f.checkDestination(spec.destination)
	}
	if b.Encrypt != nil {
		spec.encrypt = *b.Encrypt
		f.checkEncrypt(spec.encrypt, haveKey)
	}
	if b.VerifyRestore != nil {
		spec.verifyRestore = *b.VerifyRestore
	}
	if b.Enabled != nil {
		spec.enabled = *b.Enabled
	}
	return spec, f.err()
}

func (f *fieldErrors) checkEncrypt(encrypt, haveKey bool) {
	if encrypt && !haveKey {
		f.add("encrypt", "the server has no backup encryption key; start it with --backup-encryption-key-file or KEYMATE_BACKUP_ENCRYPTION_KEY, or set encrypt to false")
	}
}

// schedulePatch is a validated update request; nil fields stay unchanged.
type schedulePatch struct {
	name, cron, timezone            *string
	retentionDays                   *int64
	include                         []string
	destination                     *string
	encrypt, verifyRestore, enabled *bool
}

// validateUpdateSchedule checks a merge patch; no field can be null.
func validateUpdateSchedule(b apiv1.UpdateBackupScheduleRequest, in presence, haveKey bool) (schedulePatch, error) {
	var f fieldErrors
	var p schedulePatch
	patchValue(&f, in, "name", b.Name, &p.name, f.text("name", apiv1.NameRule))
	patchValue(&f, in, "cron", b.Cron, &p.cron, f.checkCron)
	patchValue(&f, in, "timezone", b.Timezone, &p.timezone, f.checkTimezone)
	patchValue(&f, in, "retention_days", b.RetentionDays, &p.retentionDays, f.checkRetentionDays)
	if v, ok := present(&f, in, "include", b.Include); ok {
		p.include = f.checkInclude(*v)
	}
	patchValue(&f, in, "destination", b.Destination, &p.destination, f.checkDestination)
	patchValue(&f, in, "encrypt", b.Encrypt, &p.encrypt, func(encrypt bool) { f.checkEncrypt(encrypt, haveKey) })
	patchValue(&f, in, "verify_restore", b.VerifyRestore, &p.verifyRestore, nil)
	patchValue(&f, in, "enabled", b.Enabled, &p.enabled, nil)
	return p, f.err()
}
