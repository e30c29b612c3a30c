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
	summary, detail := policyMessage(c, detail, fmt.Sprintf("Reported because the provider's policy is %q; "+
		"\"enforce\" makes this an error, \"off\" silences it.", d.policy))
	switch d.policy {
	case policyEnforce:
		diags.AddAttributeError(attr, summary, detail)
	case policyWarn:
		diags.AddAttributeWarning(attr, summary, detail)
	}
}

// advisePolicy reports, as checkPolicy does, a breach of control c that a
// plan must not fail for, because the configuration does not cause it (what
// a key already holds, KM-KEY-005): a warning under "warn" and "enforce",
// nothing under "off".
func (d *providerData) advisePolicy(diags *diag.Diagnostics, c controls.Control, attr path.Path, detail string) {
	if d.policy == policyOff {
		return
	}
	summary, detail := policyMessage(c, detail, fmt.Sprintf("Reported because the provider's policy is %q, "+
		"a warning even under \"enforce\", as the configuration does not add it; \"off\" silences it.", d.policy))
	diags.AddAttributeWarning(attr, summary, detail)
}

// policyMessage is the summary (with the control id, the same id the
// server's compliance report uses) and the detail of a policy diagnostic.
func policyMessage(c controls.Control, detail, why string) (string, string) {
	return fmt.Sprintf("%s: %s", c.ID, c.Title), fmt.Sprintf("%s\n\nRemediation: %s\n\n%s", detail, c.Remediation, why)
}
