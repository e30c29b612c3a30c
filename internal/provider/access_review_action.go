package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/validators"
)

var (
	_ action.Action              = (*accessReviewAction)(nil)
	_ action.ActionWithConfigure = (*accessReviewAction)(nil)
)

func newAccessReviewAction() action.Action {
	return &accessReviewAction{actionBase{typeName: "access_review"}}
}

type accessReviewAction struct{ actionBase }

type accessReviewActionModel struct {
	GrantID  types.String `tfsdk:"grant_id"`
	Reviewer types.String `tfsdk:"reviewer"`
	Decision types.String `tfsdk:"decision"`
	Comment  types.String `tfsdk:"comment"`
}

func (a *accessReviewAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Records an access review of a Keymate access grant, as the security guide asks (\"review access " +
			"regularly\"): who reviewed it, the decision and a note. The audit log keeps every review.\n\n" +
			"`keep` moves the grant's `next_review_at` on by its `review_interval_days`; the grant's resource does not change, so its " +
			"next plan is empty (`keymate_access_grants` shows the new dates). `revoke` ends the grant at once: the next plan of a " +
			"`keymate_access_grant` that manages it creates it again, so also remove that resource from the configuration." +
			fmt.Sprintf(actionNote, "keymate_access_review"),
		Attributes: map[string]schema.Attribute{
			"grant_id": idAttribute(accessGrants),
			"reviewer": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: fmt.Sprintf("Who reviewed the grant, such as `alice@example.com`; 1 to %d characters.", apiv1.MaxReviewerLength),
				Validators:          []validator.String{validators.Text(apiv1.ReviewerRule)},
			},
			"decision": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "`keep` (the access is still needed) or `revoke` (end the grant now).",
				Validators:          []validator.String{stringvalidator.OneOf(apiv1.ReviewDecisions...)},
			},
			"comment": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("A note for auditors, such as why the access is still needed; up to %d characters.", apiv1.MaxReviewCommentLength),
				Validators:          []validator.String{validators.Text(apiv1.ReviewCommentRule)},
			},
		},
	}
}

func (a *accessReviewAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg accessReviewActionModel
	if !a.config(ctx, req, resp, &cfg) {
		return
	}
	id := cfg.GrantID.ValueString()
	progress(resp, "Recording the review of Keymate access grant %s by %s: %s", id, cfg.Reviewer.ValueString(), cfg.Decision.ValueString())
	g, err := a.data.client.ReviewAccessGrant(ctx, id, apiv1.ReviewAccessGrantRequest{
		Reviewer: cfg.Reviewer.ValueString(), Decision: cfg.Decision.ValueString(), Comment: cfg.Comment.ValueString()})
	if err != nil {
		resp.Diagnostics.Append(accessGrants.op("review").diagnostics(err, map[string]string{"reviewer": "reviewer", "decision": "decision", "comment": "comment"})...)
		return
	}
	if cfg.Decision.ValueString() == apiv1.ReviewDecisionRevoke {
		progress(resp, "Revoked Keymate access grant %s (%s %s: %s on %s)", g.ID, g.Principal.Type, g.Principal.ID, g.Role, g.Resource)
		resp.Diagnostics.AddWarning("Keymate access grant revoked",
			fmt.Sprintf("Access grant %s is revoked. If a keymate_access_grant resource manages it, remove that resource from the "+
				"configuration: its next plan would create the grant again.", g.ID))
		return
	}
	progress(resp, "Kept Keymate access grant %s; its next review is due %s", g.ID, g.NextReviewAt.UTC().Format(time.RFC3339))
}
