// Command docsd is the docs document server. See README.md; the program
// itself is pkg/docsdcmd.
package main

import (
	"os"

	"github.com/docsd/docs/pkg/docsdcmd"
)

func main() { os.Exit(docsdcmd.Main()) }
