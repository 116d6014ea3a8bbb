// Package docs holds the reference pages of docsd and docs as Markdown
// (api.md, cli.md, configuration.md, operations.md, security.md,
// replicas.md, benchmarks.md). It has no code: its test keeps every
// relative link in the README and these pages pointing at a file that
// exists, and at a heading that exists when the link names one, so a page
// moved or a heading renamed fails `go test ./...` instead of a reader.
package docs
