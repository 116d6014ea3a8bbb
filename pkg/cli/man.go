package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra/doc"

	"github.com/docsd/docs/pkg/version"
)

// WriteManPages writes a man page (section 1) for docs and each of its
// commands into dir, which is created if need be.
func WriteManPages(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f := &factory{IO: systemIO(), Getenv: os.Getenv, Version: version.String()}
	root := newCmdRoot(f)
	root.DisableAutoGenTag = true // no date: pages regenerated unchanged are unchanged
	header := &doc.GenManHeader{Title: "DOCS", Section: "1", Source: "docs " + f.Version, Manual: "docs manual"}
	return doc.GenManTree(root, header, dir)
}
