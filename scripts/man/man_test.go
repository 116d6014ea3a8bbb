package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestManShWritesWhereTheCallerSays runs scripts/man.sh with a relative
// DIR from another directory: the pages go there, not under the
// repository, where the script runs go.
func TestManShWritesWhereTheCallerSays(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script, err := filepath.Abs(filepath.Join("..", "man.sh"))
	if err != nil {
		t.Fatal(err)
	}
	caller := t.TempDir()
	cmd := exec.Command("bash", script, "pages")
	cmd.Dir = caller
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("man.sh pages: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(caller, "pages", "docs-get.1")); err != nil {
		t.Errorf("man.sh pages run in %s: %v; want the pages in its pages/", caller, err)
	}
	if _, err := os.Stat(filepath.Join("..", "..", "pages")); err == nil {
		os.RemoveAll(filepath.Join("..", "..", "pages"))
		t.Errorf("man.sh pages wrote under the repository")
	}
}
