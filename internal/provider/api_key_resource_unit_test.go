package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/customtypes"
)

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		24 * time.Hour:               "24h",
		90 * time.Minute:             "1h30m",
		30 * time.Second:             "30s",
		time.Hour + 5*time.Second:    "1h0m5s",
		0:                            "0s",
		apiv1.MaxRotationGracePeriod: "720h",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func testState() apiKeyResourceModel {
	return apiKeyResourceModel{
		Secret:            types.StringValue("km_secret"),
		SecretFingerprint: types.StringValue(apiv1.Fingerprint("km_secret")),
		NextRotationAt:    types.StringValue("2026-04-01T00:00:00Z"),
		RotateWhenChanged: types.MapNull(types.StringType),
		SecretWOVersion:   types.Int64Null(),
	}
}

func TestRotationReason(t *testing.T) {
	due := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	before := due.Add(-time.Second)

	reason := func(state, plan apiKeyResourceModel, now time.Time, applied string) string {
		r, blocked := rotationReason(state, plan, now, applied, false)
		if blocked != "" {
			t.Errorf("a generated secret can always rotate, got needsNewSecret %q", blocked)
		}
		return r
	}
	state := testState()
	if r := reason(state, state, before, ""); r != "" {
		t.Errorf("nothing changed and not due: want no rotation, got %q", r)
	}
	if r := reason(state, state, due, ""); r == "" {
		t.Error("at next_rotation_at the key must rotate")
	}

	plan := testState()
	plan.RotateWhenChanged = types.MapValueMust(types.StringType, map[string]attr.Value{"release": types.StringValue("2")})
	if r := reason(state, plan, before, ""); r != "rotate_when_changed changed" {
		t.Errorf("changed rotate_when_changed: got %q", r)
	}

	plan = testState()
	plan.SecretWOVersion = types.Int64Value(2)
	if r := reason(state, plan, before, ""); r != "secret_wo_version changed" {
		t.Errorf("changed secret_wo_version: got %q", r)
	}

	drifted := testState()
	drifted.SecretFingerprint = types.StringValue("sha256:0000000000000000")
	if r := reason(drifted, drifted, before, ""); r == "" {
		t.Error("a fingerprint that no longer matches the secret in state must rotate")
	}

	supplied := testState()
	supplied.Secret = types.StringNull()
	supplied.SecretFingerprint = types.StringValue("sha256:1111111111111111")
	if r := reason(supplied, supplied, before, "sha256:1111111111111111"); r != "" {
		t.Errorf("supplied secret with matching applied fingerprint: got %q", r)
	}
	if r := reason(supplied, supplied, before, "sha256:2222222222222222"); r == "" {
		t.Error("supplied secret whose fingerprint changed outside Terraform must rotate")
	}
	if r := reason(supplied, supplied, before, ""); r != "" {
		t.Errorf("no secret and no applied fingerprint (imported): nothing to compare, got %q", r)
	}
}

// A key with a write-only secret rotates only when secret_wo_version
// changes; when it is due by the clock or was rotated outside Terraform, the
// plan says it needs a new secret instead of rotating to the same one.
func TestRotationReasonWriteOnly(t *testing.T) {
	due := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	supplied := testState()
	supplied.Secret = types.StringNull()
	supplied.SecretFingerprint = types.StringValue("sha256:1111111111111111")
	supplied.SecretWOVersion = types.Int64Value(1)

	if r, blocked := rotationReason(supplied, supplied, due, "sha256:1111111111111111", true); r != "" || !strings.Contains(blocked, "next_rotation_at") {
		t.Errorf("due by the clock: got rotate %q, needsNewSecret %q; want no rotation and the reason", r, blocked)
	}
	before := due.Add(-time.Second)
	if r, blocked := rotationReason(supplied, supplied, before, "sha256:2222222222222222", true); r != "" || !strings.Contains(blocked, "outside Terraform") {
		t.Errorf("rotated outside Terraform: got rotate %q, needsNewSecret %q", r, blocked)
	}
	bumped := supplied
	bumped.SecretWOVersion = types.Int64Value(2)
	if r, blocked := rotationReason(supplied, bumped, due, "sha256:1111111111111111", true); r != "secret_wo_version changed" || blocked != "" {
		t.Errorf("version bump: got rotate %q, needsNewSecret %q", r, blocked)
	}
	if r, blocked := rotationReason(supplied, supplied, before, "sha256:1111111111111111", true); r != "" || blocked != "" {
		t.Errorf("nothing due: got rotate %q, needsNewSecret %q", r, blocked)
	}
}

func TestUpdateRequestOnlyChangedFields(t *testing.T) {
	ctx := context.Background()
	base := func() apiKeyResourceModel {
		return apiKeyResourceModel{
			Name:                types.StringValue("ci"),
			Description:         types.StringValue(""),
			Scopes:              types.SetValueMust(types.StringType, []attr.Value{types.StringValue("keys:read"), types.StringValue("audit:read")}),
			RotationDays:        types.Int64Value(90),
			RotationGracePeriod: customtypes.NewValue[customtypes.Duration]("24h"),
			ExpiresAt:           customtypes.NewValue[customtypes.RFC3339]("2026-06-01T00:00:00Z"),
		}
	}
	state := base()

	plan := base()
	plan.RotationGracePeriod = customtypes.NewValue[customtypes.Duration]("1440m")
	plan.ExpiresAt = customtypes.NewValue[customtypes.RFC3339]("2026-06-01T02:00:00+02:00")
	plan.Scopes = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("audit:read"), types.StringValue("keys:read")})
	if _, changed, diags := updateRequest(ctx, plan, state); changed || diags.HasError() {
		t.Errorf("semantically equal values must not produce a patch (changed=%v, %v)", changed, diags)
	}

	plan = base()
	plan.Name = types.StringValue("ci-2")
	plan.ExpiresAt = customtypes.NewNull[customtypes.RFC3339]()
	patch, changed, _ := updateRequest(ctx, plan, state)
	if !changed || patch.Name == nil || *patch.Name != "ci-2" {
		t.Errorf("name change missing from patch: %+v", patch)
	}
	if !patch.ExpiresAt.Set || patch.ExpiresAt.Value != nil {
		t.Errorf("removed expires_at must be sent as null: %+v", patch.ExpiresAt)
	}
	if patch.Description != nil || patch.Scopes != nil || patch.RotationDays != nil || patch.RotationGracePeriod != nil {
		t.Errorf("unchanged fields must be absent from the merge patch: %+v", patch)
	}
}
