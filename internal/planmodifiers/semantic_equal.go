// Package planmodifiers holds plan modifiers shared by the provider's
// resources.
package planmodifiers

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

var _ planmodifier.String = useStateWhenSemanticallyEqual{}

type useStateWhenSemanticallyEqual struct {
	typ basetypes.StringTypable
}

// UseStateWhenSemanticallyEqual keeps the prior state value in the plan when
// the planned value is semantically equal to it under typ (a custom type
// whose values implement basetypes.StringValuableWithSemanticEquals), so
// that writing "1440m" where state holds "24h" plans no change. Terraform
// accepts a planned value equal to the prior state as equivalent to the
// configuration.
func UseStateWhenSemanticallyEqual(typ basetypes.StringTypable) planmodifier.String {
	return useStateWhenSemanticallyEqual{typ: typ}
}

func (m useStateWhenSemanticallyEqual) Description(context.Context) string {
	return "a value equal to the current one but written differently does not plan a change"
}

func (m useStateWhenSemanticallyEqual) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m useStateWhenSemanticallyEqual) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() ||
		req.PlanValue.Equal(req.StateValue) {
		return
	}
	prior, diags := m.typ.ValueFromString(ctx, req.StateValue)
	resp.Diagnostics.Append(diags...)
	planned, diags := m.typ.ValueFromString(ctx, req.PlanValue)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	semantic, ok := prior.(basetypes.StringValuableWithSemanticEquals)
	if !ok {
		return
	}
	equal, diags := semantic.StringSemanticEquals(ctx, planned)
	resp.Diagnostics.Append(diags...)
	if equal {
		resp.PlanValue = req.StateValue
	}
}
