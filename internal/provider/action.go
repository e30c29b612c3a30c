package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Actions (Terraform 1.14 and later) carry out the security guide's one-off
// operations: rotate a key now, test a channel, run a backup, review a
// grant. They change the account, never the Terraform state; each page says
// what the next plan of the resources involved then shows.

// actionNote ends every action's description.
const actionNote = "\n\nRequires Terraform 1.14 or later. Run it on its own with `terraform apply -invoke=action.%s.<name>` " +
	"(nothing else is planned or applied), or from a resource's `lifecycle { action_trigger { ... } }`. The action fails the " +
	"run, naming the cause, when the operation fails."

// actionBase is embedded by every action: it holds the action's type name
// after the provider's ("api_key_rotate") and the provider's data, and gives
// the action its Metadata and Configure.
type actionBase struct {
	typeName string
	data     *providerData
}

func (a *actionBase) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + a.typeName
}

func (a *actionBase) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// config reads the action's configuration into cfg and reports whether the
// action can run: the configuration was read and the provider is configured
// (an error says when it is not: an action can only run with a configured
// provider).
func (a *actionBase) config(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse, cfg any) bool {
	resp.Diagnostics.Append(req.Config.Get(ctx, cfg)...)
	if resp.Diagnostics.HasError() {
		return false
	}
	if a.data == nil {
		resp.Diagnostics.AddError("Keymate provider not configured",
			"The action needs the provider's endpoint and API key: set them in the provider block or in the "+
				envEndpoint+" and "+envAPIKey+" environment variables.")
	}
	return a.data != nil
}

// progress sends a progress message to Terraform, which shows it while the
// action runs.
func progress(resp *action.InvokeResponse, format string, args ...any) {
	if resp.SendProgress != nil {
		resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf(format, args...)})
	}
}

// idAttribute is an action's required argument naming an object of kind k
// by its id.
func idAttribute[T any](k objectKind[T]) schema.StringAttribute {
	return schema.StringAttribute{
		Required:            true,
		MarkdownDescription: "Id of the " + k.object + ", such as `" + k.exampleID() + "`.",
		Validators: []validator.String{stringvalidator.RegexMatches(k.idPattern(),
			"must be an id starting with "+k.idPrefix+" (the id of the "+k.object+")")},
	}
}
