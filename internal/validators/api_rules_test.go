package validators

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

// Email accepts bare addresses and rejects display names, missing parts,
// domains without a dot (as the API does), lists and invisible characters.
func TestEmail(t *testing.T) {
	v := Email()
	for _, ok := range []string{"oncall@example.com", "first.last+alerts@sub.example.co.uk"} {
		if diags := runString(v, types.StringValue(ok)); diags.HasError() {
			t.Errorf("%q: unexpected error %v", ok, diags)
		}
	}
	for _, bad := range []string{"oncall", "root@localhost", "oncall@", "@example.com", "On Call <oncall@example.com>", "<oncall@example.com>",
		"a@example.com, b@example.com", " oncall@example.com"} {
		requireOneError(t, runString(v, types.StringValue(bad)), "must be a bare email address")
	}
	requireOneError(t, runString(v, types.StringValue("on\u202ecall@example.com")), "U+202E")
	if diags := runString(v, types.StringUnknown()); diags.HasError() {
		t.Errorf("unknown values must be skipped, got %v", diags)
	}
}

// Resource patterns follow the server's rule: everything, a whole
// collection, or one object of a known collection.
func TestResourcePattern(t *testing.T) {
	v := ResourcePattern()
	for _, ok := range []string{"*", "api-keys/*", "alert-rules/ar_123", "backup-schedules/bs_0a1.b-2", "access-grants/*"} {
		if diags := runString(v, types.StringValue(ok)); diags.HasError() {
			t.Errorf("%q: unexpected error %v", ok, diags)
		}
	}
	for bad, want := range map[string]string{
		"api-keys":         `must be "*", "<collection>/*" or "<collection>/<id>"`,
		"widgets/*":        `unknown collection "widgets"`,
		"api-keys/a b":     "must be 1 or more letters",
		"api-keys/":        "must be 1 or more letters",
		"api-keys/key_1/x": "must be 1 or more letters",
		"**":               `must be "*"`,
	} {
		requireOneError(t, runString(v, types.StringValue(bad)), want)
	}
	if diags := runString(v, types.StringNull()); diags.HasError() {
		t.Errorf("null values must be skipped, got %v", diags)
	}
}

// Text applies a name and text rule, naming the attribute and the problem.
func TestText(t *testing.T) {
	v := Text(apiv1.NameRule)
	if diags := runString(v, types.StringValue("Équipe SRE")); diags.HasError() {
		t.Errorf("unexpected error %v", diags)
	}
	requireOneError(t, runString(v, types.StringValue("  ")), "attr: must not be empty")
	requireOneError(t, runString(v, types.StringValue("a\u202eb")), "U+202E")
	if diags := runString(v, types.StringUnknown()); diags.HasError() {
		t.Errorf("unknown values must be skipped, got %v", diags)
	}
}

// Backup destinations are directories relative to the server's backup root.
func TestBackupDestination(t *testing.T) {
	v := BackupDestination()
	for _, ok := range []string{".", "nightly", "prod/nightly", "a..b"} {
		if diags := runString(v, types.StringValue(ok)); diags.HasError() {
			t.Errorf("%q: unexpected error %v", ok, diags)
		}
	}
	for bad, want := range map[string]string{
		"/var/backups":   "not an absolute path",
		"../elsewhere":   `no ".." step`,
		"nightly/../../": `no ".." step`,
		`C:\backups`:     `separate directories with "/"`,
		"":               "must not be empty",
	} {
		requireOneError(t, runString(v, types.StringValue(bad)), want)
	}
}

// Header names ignore case, so a map of headers that names one header twice
// in two cases is refused at plan time, as the API refuses it.
func TestDistinctHeaderNames(t *testing.T) {
	v := DistinctHeaderNames()
	run := func(m map[string]string) diag.Diagnostics {
		value, diags := types.MapValueFrom(context.Background(), types.StringType, m)
		if diags.HasError() {
			t.Fatal(diags)
		}
		resp := &validator.MapResponse{}
		v.ValidateMap(context.Background(), validator.MapRequest{Path: path.Root("attr"), ConfigValue: value}, resp)
		return resp.Diagnostics
	}
	if diags := run(map[string]string{"X-Team": "a", "X-Env": "b"}); diags.HasError() {
		t.Errorf("distinct names: unexpected error %v", diags)
	}
	requireOneError(t, run(map[string]string{"X-Team": "a", "x-team": "b"}), `"X-Team" and "x-team" name the same header`)
}
