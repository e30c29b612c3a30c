package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/keymate/terraform-provider-keymate/internal/controls"
)

// policyMode is what the provider does when a planned configuration breaks
// the security guide: nothing, a warning, or an error that stops the plan.
type policyMode string

// Policy modes, as written in the provider's policy argument.
const (
	policyOff     policyMode = "off"
	policyWarn    policyMode = "warn"
	policyEnforce policyMode = "enforce"
)

// policyModes lists the valid values of the policy argument.
var policyModes = []string{string(policyOff), string(policyWarn), string(policyEnforce)}

// checkPolicy reports that the planned value of attr breaks control c. Every
// plan-time guide check goes through here, so that the provider's policy
// argument decides for all of them: no diagnostic under "off", a warning
// under "warn" (the default), an error under "enforce". The summary carries
// the control id, the same id the server's compliance report uses.
func (d *providerData) checkPolicy(diags *diag.Diagnostics, c controls.Control, attr path.Path, detail string) {
	summary := fmt.Sprintf("%s: %s", c.ID, c.Title)
	detail = fmt.Sprintf("%s\n\nRemediation: %s\n\nReported because the provider's policy is %q; "+
		"\"enforce\" makes this an error, \"off\" silences it.", detail, c.Remediation, d.policy)
	switch d.policy {
	case policyEnforce:
		diags.AddAttributeError(attr, summary, detail)
	case policyWarn:
		diags.AddAttributeWarning(attr, summary, detail)
	}
}
