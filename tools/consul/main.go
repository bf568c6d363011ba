// Command consul is Consul's own command set, built from HashiCorp's published Go modules.
//
// No package registry reachable from Baton's machines ships a Consul binary, so the test suite builds
// this wrapper with `go build` (see scripts/consul-install.mjs). It adds nothing to Consul: it only wires
// the registered commands to a CLI runner, as Consul's own (unimportable) root package does.
package main

import (
	"fmt"
	"io"
	"log"
	"os"

	mcli "github.com/mitchellh/cli"

	"github.com/hashicorp/consul/command"
	"github.com/hashicorp/consul/command/cli"
	"github.com/hashicorp/consul/command/version"
)

func main() {
	log.SetOutput(io.Discard)
	ui := &cli.BasicUI{BasicUi: mcli.BasicUi{Writer: os.Stdout, ErrorWriter: os.Stderr}}
	commands := command.RegisteredCommands(ui)

	runner := &mcli.CLI{
		Args:        os.Args[1:],
		Commands:    commands,
		Name:        "consul",
		HelpFunc:    mcli.BasicHelpFunc("consul"),
		HelpWriter:  os.Stdout,
		ErrorWriter: os.Stderr,
	}
	if runner.IsVersion() {
		os.Exit(version.New(ui).Run(nil))
	}
	code, err := runner.Run()
	if err != nil {
		fmt.Fprintf(os.Stderr, "consul: %v\n", err)
		os.Exit(1)
	}
	os.Exit(code)
}
