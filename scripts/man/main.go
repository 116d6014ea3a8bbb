// Command man writes the docs man pages (docs.1, docs-login.1, ...) into
// the directory given, from the cobra command tree: `go run ./scripts/man
// DIR`, as scripts/man.sh does.
package main

import (
	"fmt"
	"os"

	"github.com/docsd/docs/pkg/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/man DIR")
		os.Exit(2)
	}
	if err := cli.WriteManPages(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "man:", err)
		os.Exit(1)
	}
}
