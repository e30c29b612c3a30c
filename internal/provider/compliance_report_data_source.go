package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
)

var (
	_ datasource.DataSource              = (*complianceReportDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*complianceReportDataSource)(nil)
)

// defaultMinSeverity is the min_severity of a report that does not set it.
const defaultMinSeverity = controls.Warning

var opGetComplianceReport = operation{verb: "read", object: "Keymate compliance report", scope: apiv1.ScopeComplianceRead}

func newComplianceReportDataSource() datasource.DataSource {
	return &complianceReportDataSource{dataSourceBase{typeName: "compliance_report"}}
}

type complianceReportDataSource struct{ dataSourceBase }

type complianceReportDataSourceModel struct {
	MinSeverity types.String             `tfsdk:"min_severity"`
	Passed      types.Bool               `tfsdk:"passed"`
	Policy      types.String             `tfsdk:"policy"`
	GeneratedAt types.String             `tfsdk:"generated_at"`
	Counts      complianceCountsModel    `tfsdk:"counts"`
	Findings    []complianceFindingModel `tfsdk:"findings"`
	Controls    []complianceControlModel `tfsdk:"controls"`
}

type complianceCountsModel struct {
	Critical types.Int64 `tfsdk:"critical"`
	Warning  types.Int64 `tfsdk:"warning"`
	Info     types.Int64 `tfsdk:"info"`
}

type complianceFindingModel struct {
	ControlID   types.String `tfsdk:"control_id"`
	Severity    types.String `tfsdk:"severity"`
	Title       types.String `tfsdk:"title"`
	ObjectType  types.String `tfsdk:"object_type"`
	ObjectID    types.String `tfsdk:"object_id"`
	ObjectName  types.String `tfsdk:"object_name"`
	Message     types.String `tfsdk:"message"`
	Remediation types.String `tfsdk:"remediation"`
}

type complianceControlModel struct {
	ID          types.String `tfsdk:"id"`
	Severity    types.String `tfsdk:"severity"`
	Title       types.String `tfsdk:"title"`
	Guide       types.String `tfsdk:"guide"`
	Remediation types.String `tfsdk:"remediation"`
	Findings    types.Int64  `tfsdk:"findings"`
}

func (d *complianceReportDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	count := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	severities := make([]string, len(controls.Severities))
	for i, s := range controls.Severities {
		severities[i] = string(s)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Keymate server's compliance report: the live account judged against every control of the " +
			"security guide at read time (the server's clock), each finding named by a stable control id such as `KM-KEY-001`. " +
			"It is read at every plan, so `passed` can gate a CI plan from a `check` block (a warning) or a " +
			"`lifecycle { postcondition { ... } }` (an error). Needs the `compliance:read` scope." + dataSourceStateNote,
		Attributes: map[string]schema.Attribute{
			"min_severity": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The lowest severity that counts: `findings` lists the findings at or above it and `passed` " +
					"is true when there are none. One of `" + strings.Join(severities, "`, `") + "`; defaults to `" +
					string(defaultMinSeverity) + "`.",
				Validators: []validator.String{stringvalidator.OneOf(severities...)},
			},
			"passed": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "True when the account has no finding at or above `min_severity`.",
			},
			"policy": computedString("The provider's `policy` mode (`off`, `warn` or `enforce`) when the report was read, so that a " +
				"condition can block only under enforcement: `self.passed || self.policy != \"enforce\"`."),
			"generated_at": computedString("The server time the account was judged at (RFC 3339, UTC)."),
			"counts": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Number of findings of each severity, counting every finding whatever `min_severity` is.",
				Attributes: map[string]schema.Attribute{
					"critical": count("Critical findings."),
					"warning":  count("Warning findings."),
					"info":     count("Info findings."),
				},
			},
			"findings": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The findings at or above `min_severity`, most severe first, then by control id and object id. " +
					"Empty when the report passes.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"control_id": computedString("The control broken, such as `KM-BACKUP-004`; see the table on this page."),
						"severity":   computedString("`critical`, `warning` or `info`: the control's severity."),
						"title":      computedString("The control's title."),
						"object_type": computedString("The type of the object at fault: `api_key`, `alert_rule`, `notification_channel`, " +
							"`access_grant`, `backup_schedule`, or `account` for a finding about the account as a whole."),
						"object_id":   computedString("The id of the object at fault; empty for `account`."),
						"object_name": computedString("The object's name; for an access grant `<principal type>:<principal id>`; empty for `account`."),
						"message":     computedString("What is wrong, with the dates and values involved. Never holds a secret."),
						"remediation": computedString("What to do about it."),
					},
				},
			},
			"controls": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Every control the report evaluated, in documentation order, with its number of findings (0 when it holds).",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":          computedString("The control id, such as `KM-KEY-001`."),
						"severity":    computedString("`critical`, `warning` or `info`."),
						"title":       computedString("What the control checks."),
						"guide":       computedString("The section of the security guide it enforces."),
						"remediation": computedString("What to do about a finding."),
						"findings":    count("Number of findings of this control, whatever `min_severity` is."),
					},
				},
			},
		},
	}
}

func (d *complianceReportDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var minSeverity types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("min_severity"), &minSeverity)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if minSeverity.IsNull() {
		minSeverity = types.StringValue(string(defaultMinSeverity))
	}
	report, err := d.data.client.GetComplianceReport(ctx, minSeverity.ValueString())
	if err != nil {
		resp.Diagnostics.Append(opGetComplianceReport.diagnostics(err, map[string]string{"min_severity": "min_severity"})...)
		return
	}
	state := complianceReportModelFrom(report, minSeverity, d.data.policy)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// complianceReportModelFrom maps the API's report, already trimmed to
// minSeverity, into the data source's model.
func complianceReportModelFrom(r *apiv1.ComplianceReport, minSeverity types.String, policy policyMode) complianceReportDataSourceModel {
	m := complianceReportDataSourceModel{
		MinSeverity: minSeverity,
		Passed:      types.BoolValue(len(r.Findings) == 0),
		Policy:      types.StringValue(string(policy)),
		GeneratedAt: timeString(r.GeneratedAt),
		Counts: complianceCountsModel{
			Critical: types.Int64Value(r.Counts.Critical),
			Warning:  types.Int64Value(r.Counts.Warning),
			Info:     types.Int64Value(r.Counts.Info),
		},
		Findings: make([]complianceFindingModel, len(r.Findings)),
		Controls: make([]complianceControlModel, len(r.Controls)),
	}
	for i, f := range r.Findings {
		m.Findings[i] = complianceFindingModel{
			ControlID: types.StringValue(f.ControlID), Severity: types.StringValue(f.Severity), Title: types.StringValue(f.Title),
			ObjectType: types.StringValue(f.ObjectType), ObjectID: types.StringValue(f.ObjectID), ObjectName: types.StringValue(f.ObjectName),
			Message: types.StringValue(f.Message), Remediation: types.StringValue(f.Remediation),
		}
	}
	for i, c := range r.Controls {
		m.Controls[i] = complianceControlModel{
			ID: types.StringValue(c.ID), Severity: types.StringValue(c.Severity), Title: types.StringValue(c.Title),
			Guide: types.StringValue(c.Guide), Remediation: types.StringValue(c.Remediation), Findings: types.Int64Value(c.Findings),
		}
	}
	return m
}
