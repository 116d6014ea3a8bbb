package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/docsd/docs/pkg/version"
)

// WriteManPages writes a man page (section 1) for docs and each of its
// commands into dir, which is created if need be.
func WriteManPages(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f := &factory{IO: systemIO(), Getenv: os.Getenv, Version: version.String()}
	root := newCmdRoot(f)
	root.DisableAutoGenTag = true // no date: pages regenerated unchanged are unchanged
	keepPlaceholders(root)
	header := &doc.GenManHeader{Title: "DOCS", Section: "1", Source: "docs " + f.Version, Manual: "docs manual"}
	return doc.GenManTree(root, header, dir)
}

// keepPlaceholders escapes the <id> and <title> of every command's usage
// and description for the Markdown the man pages are made from, which
// would otherwise take them for HTML tags and drop them: the SYNOPSIS of
// docs get read "docs get ... | get  --version".
func keepPlaceholders(cmd *cobra.Command) {
	esc := strings.NewReplacer("<", `\<`, ">", `\>`)
	cmd.Use = esc.Replace(cmd.Use)
	cmd.Long = esc.Replace(cmd.Long)
	for _, c := range cmd.Commands() {
		keepPlaceholders(c)
	}
}
