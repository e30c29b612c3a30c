package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// fakePrivate is private data held in a map.
type fakePrivate map[string][]byte

func (p fakePrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return p[key], nil
}

func (p fakePrivate) SetKey(_ context.Context, key string, v []byte) diag.Diagnostics {
	p[key] = v
	return nil
}

// TestPrivateStateThatCannotBeReadIsAnError proves that private state the
// provider did not write (here, not JSON) is an error naming the entry and
// what to do, not silently nothing: drift detection of secrets depends on
// it. An entry that is absent (an imported or older object) is no error.
func TestPrivateStateThatCannotBeReadIsAnError(t *testing.T) {
	ctx := t.Context()
	var applied map[string]string
	found, diags := getPrivateJSON(ctx, fakePrivate{}, privateChannelFingerprintsKey, &applied)
	if found || diags.HasError() {
		t.Fatalf("absent entry: found %t, %v; want nothing and no error", found, diags)
	}
	private := fakePrivate{}
	if d := setPrivateJSON(ctx, private, privateChannelFingerprintsKey, map[string]string{secretSlackWebhookURL: "sha256:0123"}); d.HasError() {
		t.Fatal(d)
	}
	if found, diags = getPrivateJSON(ctx, private, privateChannelFingerprintsKey, &applied); !found || diags.HasError() ||
		applied[secretSlackWebhookURL] != "sha256:0123" {
		t.Fatalf("round trip: found %t, %v, %v", found, applied, diags)
	}
	private[privateChannelFingerprintsKey] = []byte(`{"slack.webhook_url":`)
	found, diags = getPrivateJSON(ctx, private, privateChannelFingerprintsKey, &applied)
	if found || !diags.HasError() || !strings.Contains(diags[0].Summary(), privateChannelFingerprintsKey) ||
		!strings.Contains(diags[0].Detail(), "terraform state rm") {
		t.Fatalf("corrupt entry: found %t, %v; want an error naming the entry and the remedy", found, diags)
	}
}
