// Package docs holds the reference pages of docsd and docs as Markdown
// (api.md, cli.md, configuration.md, operations.md, security.md,
// replicas.md, benchmarks.md). It has no code, only tests: every relative
// link in the README and these pages points at a file that exists, and at
// a heading that exists when the link names one, so a page moved or a
// heading renamed fails `go test ./...` instead of a reader; and the
// examples of output are real output (examples_test.go,
// walkthrough_test.go, curl_test.go).
package docs
