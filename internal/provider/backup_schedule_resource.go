package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/client"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ resource.Resource                   = (*backupScheduleResource)(nil)
	_ resource.ResourceWithConfigure      = (*backupScheduleResource)(nil)
	_ resource.ResourceWithValidateConfig = (*backupScheduleResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*backupScheduleResource)(nil)
	_ resource.ResourceWithImportState    = (*backupScheduleResource)(nil)
	_ resource.ResourceWithIdentity       = (*backupScheduleResource)(nil)
	_ apiModel[apiv1.BackupSchedule]      = (*backupScheduleResourceModel)(nil)
)

// backupScheduleFields maps API request fields to the attributes that set
// them, for validation errors.
var backupScheduleFields = map[string]string{
	"name": "name", "cron": "cron", "timezone": "timezone", "retention_days": "retention_days", "include": "include",
	"destination": "destination", "encrypt": "encrypt", "verify_restore": "verify_restore", "enabled": "enabled",
}

// backupSchedules are the backup schedules.
var backupSchedules = objectKind[apiv1.BackupSchedule]{
	typeName: "backup_schedule", object: "backup schedule", idPrefix: "bs_", collection: apiv1.CollectionBackupSchedules,
	readScope: apiv1.ScopeBackupsRead, writeScope: apiv1.ScopeBackupsWrite, removeVerb: "delete", fields: backupScheduleFields,
	id:   func(s *apiv1.BackupSchedule) string { return s.ID },
	name: func(s *apiv1.BackupSchedule) string { return s.Name },
	get:  (*client.Client).GetBackupSchedule, refresh: (*client.Client).RefreshBackupSchedule, remove: (*client.Client).DeleteBackupSchedule,
}

func newBackupScheduleResource() resource.Resource {
	return &backupScheduleResource{resourceBase[apiv1.BackupSchedule]{kind: backupSchedules}}
}

type backupScheduleResource struct {
	resourceBase[apiv1.BackupSchedule]
}

type backupScheduleResourceModel struct {
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	Cron          types.String `tfsdk:"cron"`
	Timezone      types.String `tfsdk:"timezone"`
	RetentionDays types.Int64  `tfsdk:"retention_days"`
	Include       types.Set    `tfsdk:"include"`
	Destination   types.String `tfsdk:"destination"`
	Encrypt       types.Bool   `tfsdk:"encrypt"`
	VerifyRestore types.Bool   `tfsdk:"verify_restore"`
	Enabled       types.Bool   `tfsdk:"enabled"`
	CreatedAt     types.String `tfsdk:"created_at"`
}

func (r *backupScheduleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Keymate backup schedule: the server takes a consistent snapshot of its database whenever " +
			"`cron` fires in `timezone`, records its SHA-256, encrypts it when asked, writes it to `destination` and, with " +
			"`verify_restore`, runs a restore drill (decrypts it, opens the copy, checks its integrity and compares its " +
			"object counts with the snapshot). Backups older than `retention_days` are deleted.\n\n" +
			"Every argument is updated in place; destroying the resource deletes the schedule but keeps its backup files. " +
			"The next run time and the outcome of runs change on their own, so they are not in the resource: read them " +
			"with the `keymate_backup_runs` data source." + resourceStateNote,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Schedule id, such as `bs_...`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: fmt.Sprintf("Name of the schedule, 1 to %d characters.", apiv1.MaxNameLength),
				Validators:          []validator.String{validators.Text(apiv1.NameRule)},
			},
			"cron": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "When backups run: a standard 5-field cron expression \"minute hour day-of-month month " +
					"day-of-week\", such as `0 3 * * *` (every day at 03:00) or `0 */6 * * *` (every six hours), evaluated in " +
					"`timezone`. Checked at plan time with the server's own parser; descriptors such as `@daily` are not accepted.",
				Validators: []validator.String{validators.Cron()},
			},
			"timezone": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(apiv1.DefaultBackupTimezone),
				MarkdownDescription: "IANA time zone `cron` is evaluated in, such as `Europe/Berlin`; defaults to `" +
					apiv1.DefaultBackupTimezone + "`. Checked at plan time.",
				Validators: []validator.String{validators.Timezone()},
			},
			"retention_days": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(apiv1.DefaultRetentionDays),
				MarkdownDescription: fmt.Sprintf("Days a backup is kept, %d to %d; defaults to %d. Older backup files are "+
					"deleted and their runs marked `pruned`. Values under %d give a plan warning (control `%s`; an error under "+
					"the provider's `policy = \"enforce\"`).", apiv1.MinRetentionDays, apiv1.MaxRetentionDays,
					apiv1.DefaultRetentionDays, controls.MinRetentionDays, controls.BackupRetentionShort.ID),
				Validators: []validator.Int64{int64validator.Between(apiv1.MinRetentionDays, apiv1.MaxRetentionDays)},
			},
			"include": schema.SetAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				Default: setdefault.StaticValue(types.SetValueMust(types.StringType,
					[]attr.Value{types.StringValue(apiv1.IncludeAll)})),
				MarkdownDescription: "Kinds of objects the backup is meant for: `[\"" + apiv1.IncludeAll + "\"]` (the default) " +
					"or any of " + quotedList(apiv1.BackupKinds) + ". `all` cannot be combined with other kinds.",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(append(slices.Clone(apiv1.BackupKinds), apiv1.IncludeAll)...)),
				},
			},
			"destination": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(apiv1.DefaultBackupDestination),
				MarkdownDescription: fmt.Sprintf("Directory the backup files are written to, relative to the server's backup "+
					"root (the data directory's `backups/`, or `--backup-root`), with `/` between directories, such as `nightly`; "+
					"`%s` is the root itself and the default. It cannot leave the root: an absolute path or a `..` step is an "+
					"error at plan time, and the server refuses (422) a symbolic link that leads out of it. Up to %d characters.",
					apiv1.DefaultBackupDestination, apiv1.MaxBackupDestinationLength),
				Validators: []validator.String{validators.BackupDestination()},
			},
			"encrypt": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Encrypt backup files with AES-256-GCM under the server's backup key (flag " +
					"`--backup-encryption-key-file` or environment variable `KEYMATE_BACKUP_ENCRYPTION_KEY`); the API " +
					"refuses `true` when the server has no key. Defaults to `false`. A backup holds the whole database and the key " +
					"that seals notification channel secrets, so an unencrypted backup file exposes those secrets to whoever can " +
					"read it: set `true` unless the destination is itself encrypted and access-controlled.",
			},
			"verify_restore": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				MarkdownDescription: "Run a restore drill after each backup: decrypt it, open the copy, run an integrity " +
					"check and compare its object counts with the snapshot. Defaults to `true`.",
			},
			"enabled": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Whether the schedule runs. Defaults to `true`.",
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the schedule was created (RFC 3339, UTC).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

// ValidateConfig rejects "all" combined with other kinds in include.
func (r *backupScheduleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var include types.Set
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("include"), &include)...)
	if resp.Diagnostics.HasError() || include.IsNull() || include.IsUnknown() {
		return
	}
	kinds, diags := setStrings(ctx, include)
	resp.Diagnostics.Append(diags...)
	if len(kinds) > 1 && slices.Contains(kinds, apiv1.IncludeAll) {
		resp.Diagnostics.AddAttributeError(path.Root("include"), "Invalid include",
			fmt.Sprintf("include: %q stands for every kind and cannot be combined with others; write [%q] or list the kinds.",
				apiv1.IncludeAll, apiv1.IncludeAll))
	}
}

// ModifyPlan holds the planned schedule to the security guide.
func (r *backupScheduleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet
	}
	var days types.Int64
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("retention_days"), &days)...)
	if !days.IsUnknown() && !days.IsNull() && days.ValueInt64() < controls.MinRetentionDays {
		r.data.checkPolicy(&resp.Diagnostics, controls.BackupRetentionShort, path.Root("retention_days"),
			fmt.Sprintf("retention_days is %d; the security guide asks to keep backups at least %d days.",
				days.ValueInt64(), controls.MinRetentionDays))
	}
}

func (r *backupScheduleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	createObject(ctx, req, resp, &r.resourceBase, backupScheduleCreateRequest, r.data.client.CreateBackupSchedule)
}

// backupScheduleCreateRequest builds the create request of the planned
// schedule.
func backupScheduleCreateRequest(ctx context.Context, plan backupScheduleResourceModel) (apiv1.CreateBackupScheduleRequest, diag.Diagnostics) {
	include, diags := setStrings(ctx, plan.Include)
	return apiv1.CreateBackupScheduleRequest{
		Name:          plan.Name.ValueString(),
		Cron:          plan.Cron.ValueString(),
		Timezone:      plan.Timezone.ValueStringPointer(),
		RetentionDays: plan.RetentionDays.ValueInt64Pointer(),
		Include:       include,
		Destination:   plan.Destination.ValueStringPointer(),
		Encrypt:       plan.Encrypt.ValueBoolPointer(),
		VerifyRestore: plan.VerifyRestore.ValueBoolPointer(),
		Enabled:       plan.Enabled.ValueBoolPointer(),
	}, diags
}

func (r *backupScheduleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	readObject[apiv1.BackupSchedule, backupScheduleResourceModel](ctx, req, resp, &r.resourceBase)
}

func (r *backupScheduleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	updateObject(ctx, req, resp, &r.resourceBase, backupScheduleUpdateRequest, r.data.client.UpdateBackupSchedule)
}

// backupScheduleUpdateRequest builds the merge patch holding only the API
// fields that differ between plan and state; changed is false when there is
// none.
func backupScheduleUpdateRequest(ctx context.Context, plan, state backupScheduleResourceModel) (patch apiv1.UpdateBackupScheduleRequest, changed bool, diags diag.Diagnostics) {
	setString := func(p, s types.String, dst **string) {
		if !p.Equal(s) {
			*dst, changed = p.ValueStringPointer(), true
		}
	}
	setBool := func(p, s types.Bool, dst **bool) {
		if !p.Equal(s) {
			*dst, changed = p.ValueBoolPointer(), true
		}
	}
	setString(plan.Name, state.Name, &patch.Name)
	setString(plan.Cron, state.Cron, &patch.Cron)
	setString(plan.Timezone, state.Timezone, &patch.Timezone)
	setString(plan.Destination, state.Destination, &patch.Destination)
	setBool(plan.Encrypt, state.Encrypt, &patch.Encrypt)
	setBool(plan.VerifyRestore, state.VerifyRestore, &patch.VerifyRestore)
	setBool(plan.Enabled, state.Enabled, &patch.Enabled)
	if !plan.RetentionDays.Equal(state.RetentionDays) {
		patch.RetentionDays, changed = plan.RetentionDays.ValueInt64Pointer(), true
	}
	planInclude, d := setStrings(ctx, plan.Include)
	diags.Append(d...)
	stateInclude, d := setStrings(ctx, state.Include)
	diags.Append(d...)
	if !slices.Equal(planInclude, stateInclude) {
		patch.Include, changed = &planInclude, true
	}
	return patch, changed, diags
}

// fromAPI copies the API's view of the schedule into m. The volatile fields
// (next_run_at, last_run) are left to the keymate_backup_runs data source.
func (m *backupScheduleResourceModel) fromAPI(ctx context.Context, s *apiv1.BackupSchedule) diag.Diagnostics {
	include, diags := types.SetValueFrom(ctx, types.StringType, s.Include)
	m.ID = types.StringValue(s.ID)
	m.Name = types.StringValue(s.Name)
	m.Cron = types.StringValue(s.Cron)
	m.Timezone = types.StringValue(s.Timezone)
	m.RetentionDays = types.Int64Value(s.RetentionDays)
	m.Include = include
	m.Destination = types.StringValue(s.Destination)
	m.Encrypt = types.BoolValue(s.Encrypt)
	m.VerifyRestore = types.BoolValue(s.VerifyRestore)
	m.Enabled = types.BoolValue(s.Enabled)
	m.CreatedAt = timeString(s.CreatedAt)
	return diags
}
