package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteManPages(t *testing.T) {
	dir := t.TempDir()
	if err := WriteManPages(dir); err != nil {
		t.Fatalf("WriteManPages = %v", err)
	}
	for page, want := range map[string]string{
		"docs.1":                "docs - Work with documents on a docsd server",
		"docs-get.1":            "docs-get - Show documents",
		"docs-users-set-role.1": "docs-users-set-role - Give a user the role member, editor or admin",
	} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: %v; want a page naming %q", page, err, want)
		}
	}
	// The placeholders the help shows, which Markdown would drop as tags.
	b, _ := os.ReadFile(filepath.Join(dir, "docs-get.1"))
	if want := `\fBdocs get <id>\&... | get <id> --version <n> [flags]\fP`; !strings.Contains(string(b), want) {
		t.Errorf("docs-get.1 = %q; want the SYNOPSIS %q", b, want)
	}
}
