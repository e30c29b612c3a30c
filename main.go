// Command terraform-provider-keymate serves the Keymate Terraform provider.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/keymate/terraform-provider-keymate/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=..." to the
// VERSION file's version (see the GNUmakefile); Terraform and the API's
// User-Agent see it.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	if !debug { // a debugged provider writes its logs to its own terminal
		if _, err := provider.SilenceUnseenLogs(os.Getenv, os.Setenv); err != nil {
			log.Fatal(err.Error())
		}
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/keymate/keymate",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
