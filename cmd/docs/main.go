// Command docs is the command-line client for docsd. See `docs --help`.
package main

import (
	"os"

	"github.com/docsd/docs/pkg/cli"
)

func main() { os.Exit(cli.Main()) }
