// Command terraform-provider-keymate serves the Keymate Terraform provider.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

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

	server, err := provider.NewServer(version)()
	if err != nil {
		log.Fatal(err.Error())
	}
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if err := tf6server.Serve(provider.Address, func() tfprotov6.ProviderServer { return server }, opts...); err != nil {
		log.Fatal(err.Error())
	}
}
