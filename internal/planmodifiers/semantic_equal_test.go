package planmodifiers

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/customtypes"
)

func TestUseStateWhenSemanticallyEqual(t *testing.T) {
	m := UseStateWhenSemanticallyEqual(customtypes.DurationType{})
	tests := []struct {
		name        string
		state, plan types.String
		wantPlanned types.String
	}{
		{"equal duration keeps state", types.StringValue("24h"), types.StringValue("1440m"), types.StringValue("24h")},
		{"different duration plans the change", types.StringValue("24h"), types.StringValue("48h"), types.StringValue("48h")},
		{"create (no state) keeps the plan", types.StringNull(), types.StringValue("1440m"), types.StringValue("1440m")},
		{"unknown plan stays unknown", types.StringValue("24h"), types.StringUnknown(), types.StringUnknown()},
		{"removed value stays removed", types.StringValue("24h"), types.StringNull(), types.StringNull()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := &planmodifier.StringResponse{PlanValue: tc.plan}
			m.PlanModifyString(context.Background(), planmodifier.StringRequest{StateValue: tc.state, PlanValue: tc.plan}, resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			if !resp.PlanValue.Equal(tc.wantPlanned) {
				t.Errorf("planned %v, want %v", resp.PlanValue, tc.wantPlanned)
			}
		})
	}
}

func TestUseStateWhenSemanticallyEqualRFC3339(t *testing.T) {
	m := UseStateWhenSemanticallyEqual(customtypes.RFC3339Type{})
	state := types.StringValue("2026-06-01T00:00:00Z")
	plan := types.StringValue("2026-06-01T02:00:00+02:00")
	resp := &planmodifier.StringResponse{PlanValue: plan}
	m.PlanModifyString(context.Background(), planmodifier.StringRequest{StateValue: state, PlanValue: plan}, resp)
	if !resp.PlanValue.Equal(state) {
		t.Errorf("the same instant in another zone must keep the state value, planned %v", resp.PlanValue)
	}
}
