package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/keymate/terraform-provider-keymate/internal/clock"
)

// describedAttribute is what every schema attribute of the framework offers.
type describedAttribute interface {
	GetMarkdownDescription() string
}

// nestedAttributes returns the attributes nested in a (single or list/set)
// nested attribute, or nil.
func nestedAttributes(a any) map[string]describedAttribute {
	out := map[string]describedAttribute{}
	switch n := a.(type) {
	case rschema.SingleNestedAttribute:
		for k, v := range n.Attributes {
			out[k] = v
		}
	case rschema.ListNestedAttribute:
		for k, v := range n.NestedObject.Attributes {
			out[k] = v
		}
	case rschema.SetNestedAttribute:
		for k, v := range n.NestedObject.Attributes {
			out[k] = v
		}
	case dsschema.SingleNestedAttribute:
		for k, v := range n.Attributes {
			out[k] = v
		}
	case dsschema.ListNestedAttribute:
		for k, v := range n.NestedObject.Attributes {
			out[k] = v
		}
	case dsschema.SetNestedAttribute:
		for k, v := range n.NestedObject.Attributes {
			out[k] = v
		}
	}
	return out
}

// described returns a schema's attributes as describedAttributes.
func described[A describedAttribute](attrs map[string]A) map[string]describedAttribute {
	out := map[string]describedAttribute{}
	for k, v := range attrs {
		out[k] = v
	}
	return out
}

func checkDescribed(t *testing.T, where string, attrs map[string]describedAttribute) {
	t.Helper()
	for name, a := range attrs {
		if strings.TrimSpace(a.GetMarkdownDescription()) == "" {
			t.Errorf("%s.%s has no MarkdownDescription", where, name)
		}
		checkDescribed(t, where+"."+name, nestedAttributes(a))
	}
}

// Every attribute of every resource, data source, ephemeral and list
// resource and action, nested ones included, has a MarkdownDescription, and every resource and
// data source page says what its state holds: the docs are generated from
// these, so auditors read them.
func TestEveryAttributeIsDescribed(t *testing.T) {
	ctx := context.Background()
	p, ok := newProvider("test", clock.Real{}, func(string) string { return "" })().(provider.ProviderWithEphemeralResources)
	if !ok {
		t.Fatal("the provider must offer ephemeral resources")
	}
	var count int
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "keymate"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		if !strings.Contains(resp.Schema.MarkdownDescription, resourceStateNote) {
			t.Errorf("resource %s: description does not say what its state holds", meta.TypeName)
		}
		attrs := described(resp.Schema.Attributes)
		checkDescribed(t, meta.TypeName, attrs)
		count++
	}
	for _, newDataSource := range p.DataSources(ctx) {
		d := newDataSource()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "keymate"}, &meta)
		var resp datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &resp)
		if !strings.Contains(resp.Schema.MarkdownDescription, dataSourceStateNote) {
			t.Errorf("data source %s: description does not say what its state holds", meta.TypeName)
		}
		attrs := described(resp.Schema.Attributes)
		checkDescribed(t, "data."+meta.TypeName, attrs)
		count++
	}
	for _, newEphemeral := range p.EphemeralResources(ctx) {
		e := newEphemeral()
		var meta ephemeral.MetadataResponse
		e.Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: "keymate"}, &meta)
		var resp ephemeral.SchemaResponse
		e.Schema(ctx, ephemeral.SchemaRequest{}, &resp)
		attrs := described(resp.Schema.Attributes)
		checkDescribed(t, "ephemeral."+meta.TypeName, attrs)
		count++
	}
	lp, ok := p.(provider.ProviderWithListResources)
	if !ok {
		t.Fatal("the provider must offer list resources")
	}
	for _, newList := range lp.ListResources(ctx) {
		l := newList()
		var meta resource.MetadataResponse
		l.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "keymate"}, &meta)
		var resp list.ListResourceSchemaResponse
		l.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &resp)
		attrs := described(resp.Schema.Attributes)
		checkDescribed(t, "list."+meta.TypeName, attrs)
		count++
	}
	ap, ok := p.(provider.ProviderWithActions)
	if !ok {
		t.Fatal("the provider must offer actions")
	}
	for _, newAction := range ap.Actions(ctx) {
		a := newAction()
		var meta action.MetadataResponse
		a.Metadata(ctx, action.MetadataRequest{ProviderTypeName: "keymate"}, &meta)
		var resp action.SchemaResponse
		a.Schema(ctx, action.SchemaRequest{}, &resp)
		attrs := described(resp.Schema.Attributes)
		checkDescribed(t, "action."+meta.TypeName, attrs)
		count++
	}
	if count != 24 {
		t.Errorf("checked %d resources, data sources, ephemeral and list resources and actions, want 24: update this test when adding one", count)
	}
}
