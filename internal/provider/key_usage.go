package provider

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/controls"
)

// keyUsage keeps what the API last said of each key's use (its scopes,
// creation and scope_last_used_at), recorded by the keymate_api_key
// resource's Read for its ModifyPlan: Terraform refreshes and plans an
// object in one provider process, so the plan judges scopes by use
// (KM-KEY-005) with no request of its own, and use stays out of state,
// where it would rewrite state at every refresh.
type keyUsage struct {
	mu   sync.Mutex
	keys map[string]keyUse // by key id
}

type keyUse struct {
	scopes     []string
	createdAt  time.Time
	lastNeeded map[string]time.Time
}

func newKeyUsage() *keyUsage { return &keyUsage{keys: map[string]keyUse{}} }

// record keeps what key says of its use.
func (u *keyUsage) record(key *apiv1.APIKey) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.keys[key.ID] = keyUse{scopes: key.Scopes, createdAt: key.CreatedAt, lastNeeded: key.ScopeLastUsedAt}
}

// get returns the use recorded for key id; false when this run has not
// read the key (a plan with -refresh=false).
func (u *keyUsage) get(id string) (keyUse, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	use, ok := u.keys[id]
	return use, ok
}

// checkScopeUse holds the planned scopes of key id to KM-KEY-005 by its use
// as this run's refresh read it, at now: the planned scopes that no request
// made with the key needed in controls.MaxUnusedAge, on a key older than
// that. Those the key holds already are a warning (under "enforce" too: the
// plan does not cause them); those the configuration adds follow the policy,
// so that "enforce" fails a plan that grants a key what it has not needed
// (a request refused for a scope records that the key needed it).
func (d *providerData) checkScopeUse(id string, planned func() ([]string, diag.Diagnostics), now time.Time, diags *diag.Diagnostics) {
	use, ok := d.keyUsage.get(id)
	if !ok || now.Sub(use.createdAt) < controls.MaxUnusedAge {
		return
	}
	scopes, convDiags := planned()
	if diags.Append(convDiags...); convDiags.HasError() {
		return
	}
	unneeded := controls.UnneededScopes(scopes, use.lastNeeded, use.createdAt, now)
	var held, added []string
	for _, s := range unneeded {
		if slices.Contains(use.scopes, s) {
			held = append(held, s)
		} else {
			added = append(added, s)
		}
	}
	days := int(controls.MaxUnusedAge.Hours() / 24)
	if len(added) > 0 {
		d.checkPolicy(diags, controls.KeyScopeNotNeeded, path.Root("scopes"), fmt.Sprintf("scopes adds %s to API key %s, which no "+
			"request made with the key has needed in %d days. Least privilege grants a key what it needs: a request refused for "+
			"lacking a scope records that the key needed it, so deploy the caller first and add the scope once it asks for it.",
			strings.Join(added, ", "), id, days))
	}
	if len(held) > 0 {
		d.advisePolicy(diags, controls.KeyScopeNotNeeded, path.Root("scopes"), fmt.Sprintf("scopes holds scopes that no request "+
			"made with API key %s has needed in %d days; remove from scopes: %s.", id, days, strings.Join(held, ", ")))
	}
}
