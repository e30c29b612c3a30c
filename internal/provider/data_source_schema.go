package provider

import "github.com/hashicorp/terraform-plugin-framework/datasource/schema"

// computedString returns a data source's computed string attribute with the
// description desc.
func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
}
