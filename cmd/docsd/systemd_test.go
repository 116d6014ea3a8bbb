package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemdUnit checks configs/docsd.service with systemd-analyze, as
// far as a machine without systemd running can: verify must pass with no
// complaint at all (it only warns about a misspelt key or system call
// group), and the offline security review must rate the sandbox's
// exposure 2.0 or lower ("OK"). verify checks that ExecStart's binary
// exists, so the copy checked runs this test binary in its place.
func TestSystemdUnit(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("DOCSD_TEST_SYSTEMD") != "" {
			t.Fatalf("DOCSD_TEST_SYSTEMD is set but systemd-analyze is missing: %v", err)
		}
		t.Skip("systemd-analyze not installed (Debian package systemd); .ci/run installs it and sets DOCSD_TEST_SYSTEMD=1")
	}
	unit, err := os.ReadFile("../../configs/docsd.service")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(unit), "ExecStart=/usr/local/bin/docsd serve") {
		t.Fatal("configs/docsd.service: ExecStart no longer runs /usr/local/bin/docsd serve; update this test and docs/operations.md")
	}
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "docsd.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(unit), "/usr/local/bin/docsd", bin)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify docsd.service: %v\n%s", err, out)
	}
	out, err = exec.Command(analyze, "security", "--offline=true", "--threshold=20", path).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze security --offline=true --threshold=20: %v\n%s", err, out)
	}
}
