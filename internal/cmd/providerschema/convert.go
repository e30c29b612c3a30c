package main

import (
	"fmt"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
)

// convert turns the provider's protocol schemas into Terraform's JSON form.
func convert(s *tfprotov6.GetProviderSchemaResponse, ids *tfprotov6.GetResourceIdentitySchemasResponse) (*tfjson.ProviderSchema, error) {
	var c converter
	p := &tfjson.ProviderSchema{
		ConfigSchema:             c.schema(s.Provider),
		ResourceSchemas:          c.schemas(s.ResourceSchemas),
		DataSourceSchemas:        c.schemas(s.DataSourceSchemas),
		EphemeralResourceSchemas: c.schemas(s.EphemeralResourceSchemas),
		ListResourceSchemas:      c.schemas(s.ListResourceSchemas),
		ActionSchemas:            map[string]*tfjson.ActionSchema{},
		Functions:                map[string]*tfjson.FunctionSignature{},
		ResourceIdentitySchemas:  map[string]*tfjson.IdentitySchema{},
	}
	for name, a := range s.ActionSchemas {
		p.ActionSchemas[name] = &tfjson.ActionSchema{Block: c.block(a.Schema.Block)}
	}
	for name, f := range s.Functions {
		sig := &tfjson.FunctionSignature{Description: f.Description, Summary: f.Summary,
			DeprecationMessage: f.DeprecationMessage, ReturnType: c.typ(f.Return.Type)}
		for _, param := range f.Parameters {
			sig.Parameters = append(sig.Parameters, c.parameter(param))
		}
		if f.VariadicParameter != nil {
			sig.VariadicParameter = c.parameter(f.VariadicParameter)
		}
		p.Functions[name] = sig
	}
	for name, id := range ids.IdentitySchemas {
		is := &tfjson.IdentitySchema{Version: uint64(id.Version), Attributes: map[string]*tfjson.IdentityAttribute{}} //nolint:gosec // versions are small and never negative
		for _, a := range id.IdentityAttributes {
			is.Attributes[a.Name] = &tfjson.IdentityAttribute{IdentityType: c.typ(a.Type), Description: a.Description,
				RequiredForImport: a.RequiredForImport, OptionalForImport: a.OptionalForImport}
		}
		p.ResourceIdentitySchemas[name] = is
	}
	return p, c.err
}

// converter converts schema parts, remembering the first error.
type converter struct{ err error }

func (c *converter) schemas(in map[string]*tfprotov6.Schema) map[string]*tfjson.Schema {
	out := map[string]*tfjson.Schema{}
	for name, s := range in {
		out[name] = c.schema(s)
	}
	return out
}

func (c *converter) schema(s *tfprotov6.Schema) *tfjson.Schema {
	if s == nil {
		return nil
	}
	return &tfjson.Schema{Version: uint64(s.Version), Block: c.block(s.Block)} //nolint:gosec // versions are small and never negative
}

func (c *converter) block(b *tfprotov6.SchemaBlock) *tfjson.SchemaBlock {
	out := &tfjson.SchemaBlock{Description: b.Description, DescriptionKind: kind(b.DescriptionKind), Deprecated: b.Deprecated}
	if len(b.Attributes) > 0 {
		out.Attributes = c.attributes(b.Attributes)
	}
	for _, nb := range b.BlockTypes {
		if out.NestedBlocks == nil {
			out.NestedBlocks = map[string]*tfjson.SchemaBlockType{}
		}
		out.NestedBlocks[nb.TypeName] = &tfjson.SchemaBlockType{NestingMode: blockNesting[nb.Nesting], Block: c.block(nb.Block),
			MinItems: uint64(nb.MinItems), MaxItems: uint64(nb.MaxItems)} //nolint:gosec // item counts are never negative
	}
	return out
}

func (c *converter) attributes(in []*tfprotov6.SchemaAttribute) map[string]*tfjson.SchemaAttribute {
	out := map[string]*tfjson.SchemaAttribute{}
	for _, a := range in {
		attr := &tfjson.SchemaAttribute{Description: a.Description, DescriptionKind: kind(a.DescriptionKind),
			Deprecated: a.Deprecated, Required: a.Required, Optional: a.Optional, Computed: a.Computed,
			Sensitive: a.Sensitive, WriteOnly: a.WriteOnly}
		if a.NestedType != nil {
			attr.AttributeNestedType = &tfjson.SchemaNestedAttributeType{Attributes: c.attributes(a.NestedType.Attributes),
				NestingMode: objectNesting[a.NestedType.Nesting]}
		} else {
			attr.AttributeType = c.typ(a.Type)
		}
		out[a.Name] = attr
	}
	return out
}

func (c *converter) parameter(p *tfprotov6.FunctionParameter) *tfjson.FunctionParameter {
	return &tfjson.FunctionParameter{Name: p.Name, Description: p.Description, IsNullable: p.AllowNullValue, Type: c.typ(p.Type)}
}

// typ converts a protocol type to the cty type Terraform uses.
func (c *converter) typ(t tftypes.Type) cty.Type {
	switch {
	case t.Is(tftypes.String):
		return cty.String
	case t.Is(tftypes.Number):
		return cty.Number
	case t.Is(tftypes.Bool):
		return cty.Bool
	case t.Is(tftypes.DynamicPseudoType):
		return cty.DynamicPseudoType
	}
	switch t := t.(type) {
	case tftypes.List:
		return cty.List(c.typ(t.ElementType))
	case tftypes.Set:
		return cty.Set(c.typ(t.ElementType))
	case tftypes.Map:
		return cty.Map(c.typ(t.ElementType))
	case tftypes.Tuple:
		elems := make([]cty.Type, len(t.ElementTypes))
		for i, e := range t.ElementTypes {
			elems[i] = c.typ(e)
		}
		return cty.Tuple(elems)
	case tftypes.Object:
		attrs := map[string]cty.Type{}
		var optional []string
		for name, a := range t.AttributeTypes {
			attrs[name] = c.typ(a)
			if _, ok := t.OptionalAttributes[name]; ok {
				optional = append(optional, name)
			}
		}
		if len(optional) > 0 {
			return cty.ObjectWithOptionalAttrs(attrs, optional)
		}
		return cty.Object(attrs)
	}
	if c.err == nil {
		c.err = fmt.Errorf("unknown type %s", t)
	}
	return cty.DynamicPseudoType
}

func kind(k tfprotov6.StringKind) tfjson.SchemaDescriptionKind {
	if k == tfprotov6.StringKindMarkdown {
		return tfjson.SchemaDescriptionKindMarkdown
	}
	return tfjson.SchemaDescriptionKindPlain
}

var blockNesting = map[tfprotov6.SchemaNestedBlockNestingMode]tfjson.SchemaNestingMode{
	tfprotov6.SchemaNestedBlockNestingModeSingle: tfjson.SchemaNestingModeSingle,
	tfprotov6.SchemaNestedBlockNestingModeList:   tfjson.SchemaNestingModeList,
	tfprotov6.SchemaNestedBlockNestingModeSet:    tfjson.SchemaNestingModeSet,
	tfprotov6.SchemaNestedBlockNestingModeMap:    tfjson.SchemaNestingModeMap,
	tfprotov6.SchemaNestedBlockNestingModeGroup:  tfjson.SchemaNestingModeGroup,
}

var objectNesting = map[tfprotov6.SchemaObjectNestingMode]tfjson.SchemaNestingMode{
	tfprotov6.SchemaObjectNestingModeSingle: tfjson.SchemaNestingModeSingle,
	tfprotov6.SchemaObjectNestingModeList:   tfjson.SchemaNestingModeList,
	tfprotov6.SchemaObjectNestingModeSet:    tfjson.SchemaNestingModeSet,
	tfprotov6.SchemaObjectNestingModeMap:    tfjson.SchemaNestingModeMap,
}
