// Command providerschema prints the provider's schemas as JSON in the format
// of `terraform providers schema -json`, read from the provider in process.
// `make docs` hands it to tfplugindocs (--providers-schema), so that the
// generated documentation does not depend on the Terraform CLI at hand:
// resource identities, list resources and actions are in the CLI's output
// only from Terraform 1.14. TestProviderSchemaMatchesTerraform compares the
// output with the CLI's.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/keymate/terraform-provider-keymate/internal/provider"
)

func main() {
	out, err := schemaJSON(context.Background(), providerserver.NewProtocol6(provider.New("docs")())())
	if err != nil {
		fmt.Fprintln(os.Stderr, "providerschema:", err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}

// schemaJSON returns the schemas of the provider served by server, under the
// key "keymate" (the name tfplugindocs looks up).
func schemaJSON(ctx context.Context, server tfprotov6.ProviderServer) ([]byte, error) {
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	identities, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return nil, err
	}
	for _, d := range append(schemas.Diagnostics, identities.Diagnostics...) {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return nil, fmt.Errorf("%s: %s", d.Summary, d.Detail)
		}
	}
	p, err := convert(schemas, identities)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(tfjson.ProviderSchemas{FormatVersion: "1.0", Schemas: map[string]*tfjson.ProviderSchema{"keymate": p}}, "", "  ")
}
