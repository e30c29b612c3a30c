// Command terraform-provider-keymate serves the Keymate Terraform provider.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/keymate/terraform-provider-keymate/internal/buildinfo"
	"github.com/keymate/terraform-provider-keymate/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=..." to the
// VERSION file's version (see the GNUmakefile); without it the build info's
// module version is reported (buildinfo.Version), as keymate-server does.
// Terraform and the API's User-Agent see it.
var version string

// gcPercent is the garbage collector's target (GOGC) unless the environment
// sets one. The provider's live heap stays small, a few MiB in a plan of
// 1000 objects, so at Go's default of 100 it was collected over and over:
// a third of the provider's CPU in a plan. At 400 a plan or an apply of 1000
// keys takes a third less of the provider's CPU, and a plan peaks at about
// 55 MiB of RSS instead of 33 (terraform-provider-random: about 130);
// BENCHMARKS.md has the figures.
const gcPercent = 400

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	var debugger, showVersion bool
	flag.BoolVar(&debugger, "debug", false, "run the provider with support for debuggers like delve")
	flag.BoolVar(&showVersion, "version", false, "print the version and exit")
	flag.Parse()
	if showVersion {
		fmt.Println(buildinfo.Line("terraform-provider-keymate", buildinfo.Version(version)))
		return
	}
	if !debugger { // a debugged provider writes its logs to its own terminal
		if _, err := provider.SilenceUnseenLogs(os.Getenv, os.Setenv); err != nil {
			log.Fatal(err.Error())
		}
	}

	server, err := provider.NewServer(buildinfo.Version(version))()
	if err != nil {
		log.Fatal(err.Error())
	}
	var opts []tf6server.ServeOpt
	if debugger {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if err := tf6server.Serve(provider.Address, func() tfprotov6.ProviderServer { return server }, opts...); err != nil {
		log.Fatal(err.Error())
	}
}
