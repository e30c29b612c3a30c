package server

import (
	"fmt"
	"slices"
	"strings"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/schedule"
)

// The backup schedule request bodies as the server decodes them, and their
// validation (see validation.go for the conventions).

type createBackupScheduleBody struct {
	Name          *string  `json:"name"`
	Cron          *string  `json:"cron"`
	Timezone      *string  `json:"timezone"`
	RetentionDays *int64   `json:"retention_days"`
	Include       []string `json:"include"`
	Destination   *string  `json:"destination"`
	Encrypt       *bool    `json:"encrypt"`
	VerifyRestore *bool    `json:"verify_restore"`
	Enabled       *bool    `json:"enabled"`
}

type updateBackupScheduleBody struct {
	Name          apiv1.Nullable[string]   `json:"name"`
	Cron          apiv1.Nullable[string]   `json:"cron"`
	Timezone      apiv1.Nullable[string]   `json:"timezone"`
	RetentionDays apiv1.Nullable[int64]    `json:"retention_days"`
	Include       apiv1.Nullable[[]string] `json:"include"`
	Destination   apiv1.Nullable[string]   `json:"destination"`
	Encrypt       apiv1.Nullable[bool]     `json:"encrypt"`
	VerifyRestore apiv1.Nullable[bool]     `json:"verify_restore"`
	Enabled       apiv1.Nullable[bool]     `json:"enabled"`
}

func (f *fieldErrors) checkCron(expr string) {
	if err := schedule.CheckCron(expr); err != nil {
		f.add("cron", "%v", err)
	}
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
	var ordered []string
	for _, kind := range apiv1.BackupKinds {
		if seen[kind] {
			ordered = append(ordered, kind)
		}
	}
	return ordered
}

// checkDestination applies the destination rule that the provider applies
// too; whether links lead out of the backup root is checked against the
// file system (Server.checkBackupDestination).
func (f *fieldErrors) checkDestination(dest string) {
	if err := apiv1.CheckBackupDestination(dest); err != nil {
		f.add("destination", "%v", err)
	}
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
func validateCreateSchedule(b createBackupScheduleBody, haveKey bool) (scheduleSpec, error) {
	var f fieldErrors
	spec := scheduleSpec{
		timezone: apiv1.DefaultBackupTimezone, retentionDays: apiv1.DefaultRetentionDays,
		include: []string{apiv1.IncludeAll}, destination: apiv1.DefaultBackupDestination,
		verifyRestore: true, enabled: true,
	}
	if b.Name == nil {
		f.add("name", "is required")
	} else {
		spec.name = *b.Name
		f.checkText("name", spec.name, apiv1.NameRule)
	}
	if b.Cron == nil {
		f.add("cron", "is required")
	} else {
		spec.cron = *b.Cron
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
	if b.Include != nil {
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
func validateUpdateSchedule(b updateBackupScheduleBody, haveKey bool) (schedulePatch, error) {
	var f fieldErrors
	var p schedulePatch
	if v, ok := present(&f, "name", b.Name); ok {
		p.name = v
		f.checkText("name", *p.name, apiv1.NameRule)
	}
	if v, ok := present(&f, "cron", b.Cron); ok {
		p.cron = v
		f.checkCron(*p.cron)
	}
	if v, ok := present(&f, "timezone", b.Timezone); ok {
		p.timezone = v
		f.checkTimezone(*p.timezone)
	}
	if v, ok := present(&f, "retention_days", b.RetentionDays); ok {
		p.retentionDays = v
		f.checkRetentionDays(*p.retentionDays)
	}
	if v, ok := present(&f, "include", b.Include); ok {
		p.include = f.checkInclude(*v)
	}
	if v, ok := present(&f, "destination", b.Destination); ok {
		p.destination = v
		f.checkDestination(*p.destination)
	}
	if v, ok := present(&f, "encrypt", b.Encrypt); ok {
		p.encrypt = v
		f.checkEncrypt(*p.encrypt, haveKey)
	}
	if v, ok := present(&f, "verify_restore", b.VerifyRestore); ok {
		p.verifyRestore = v
	}
	if v, ok := present(&f, "enabled", b.Enabled); ok {
		p.enabled = v
	}
	return p, f.err()
}
