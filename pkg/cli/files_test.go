package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFilesName(t *testing.T) {
	for _, c := range []struct {
		title string
		want  string
	}{
		{"Release notes", "7-release-notes.md"},
		{"  Carol's ideas: v2!  ", "7-carol-s-ideas-v2.md"},
		{"Ünïcode Straße", "7-n-code-stra-e.md"},
		{"日本語のタイトル 🎉", "7.md"},
		{"a very long title that goes on and on well past what a file name should hold", "7-a-very-long-title-that-goes-on-and-on-well-past.md"},
	} {
		if got := fileName(7, c.title); got != c.want {
			t.Errorf("fileName(7, %q) = %q; want %q", c.title, got, c.want)
		}
	}
}

func TestFilesFormat(t *testing.T) {
	t.Run("a file reads back as it was written, the body byte for byte", func(t *testing.T) {
		for _, body := range []string{"", "no final newline", "line\n", "---\nlooks like front matter\n---\n", "\r\n\ttabs and CRLF\r\n"} {
			f := docFile{ID: 7, Title: `Quotes "and" \ backslash: colon`, Author: "alice", Version: 3, Updated: time.Date(2026, 12, 6, 21, 2, 1, 123456789, time.UTC), Body: body}
			got, err := parseDocFile(f.marshal())
			if err != nil || got != f {
				t.Errorf("parseDocFile(marshal(%+v)) = %+v, %v; want it back", f, got, err)
			}
		}
	})
	t.Run("a file written by hand needs only a title, plain or quoted", func(t *testing.T) {
		got, err := parseDocFile([]byte("---\ntitle: My new note\n# a comment\ntags: ignored\n---\nText.\n"))
		if err != nil || got.ID != 0 || got.Title != "My new note" || got.Body != "Text.\n" {
			t.Errorf("parseDocFile(hand-written) = %+v, %v; want a new document titled My new note", got, err)
		}
	})
	t.Run("what is not a document file is refused", func(t *testing.T) {
		for _, in := range []string{"# README\n", "---\ntitle: x\n", "---\nid: -1\n---\n", "---\nno colon\n---\n", "---\ntitle: \"open\n---\n"} {
			if _, err := parseDocFile([]byte(in)); err == nil {
				t.Errorf("parseDocFile(%q) succeeded; want an error", in)
			}
		}
	})
}

func TestFilesDiff(t *testing.T) {
	h, dir := pulled(t)
	path := filepath.Join(dir, "2-admin-handbook.md")
	t.Run("the same: nothing, exit 0", func(t *testing.T) {
		wantExit(t, h, h.run(t, "diff", "2", path), exitOK, "diff 2", path)
		if h.out.Len() != 0 {
			t.Errorf("diff of an unchanged file printed %q; want nothing", h.out)
		}
	})
	t.Run("a file changed: the diff from the server to it, exit 1", func(t *testing.T) {
		change(t, path, "change roles.", "change roles. Mine.")
		wantExit(t, h, h.run(t, "diff", "2", path), 1, "diff 2", path)
		want := "--- document 2 version 1\n+++ " + path + "\n@@ -1,3 +1,3 @@\n Admin handbook\n \n-Admins may delete any document and change roles.\n+Admins may delete any document and change roles. Mine.\n"
		if h.out.String() != want {
			t.Errorf("diff 2 %s printed %q; want %q", path, h.out, want)
		}
	})
	t.Run("with no file, the one pulled into the current directory", func(t *testing.T) {
		t.Chdir(dir)
		wantExit(t, h, h.run(t, "diff", "2"), 1, "diff 2 in", dir)
		if !strings.Contains(h.out.String(), "+++ 2-admin-handbook.md\n") {
			t.Errorf("diff 2 printed %q; want the diff to 2-admin-handbook.md", h.out)
		}
		wantExit(t, h, h.run(t, "diff", "99"), exitUsage, "diff 99 in", dir)
	})
	t.Run("coloured on a terminal, unless NO_COLOR", func(t *testing.T) {
		h.f.IO.OutTTY = true
		defer func() { h.f.IO.OutTTY = false }()
		wantExit(t, h, h.run(t, "diff", "2", path), 1, "diff on a terminal")
		if !strings.Contains(h.out.String(), "\x1b[32m+Admins may delete any document and change roles. Mine.\x1b[m\n") {
			t.Errorf("diff on a terminal printed %q; want the added line green", h.out)
		}
		h.env["NO_COLOR"] = "1"
		defer delete(h.env, "NO_COLOR")
		wantExit(t, h, h.run(t, "diff", "2", path), 1, "diff with NO_COLOR")
		if strings.Contains(h.out.String(), "\x1b[") {
			t.Errorf("diff with NO_COLOR printed %q; want no colour", h.out)
		}
	})
	t.Run("a file and --version together are a usage error", func(t *testing.T) {
		wantExit(t, h, h.run(t, "diff", "2", path, "--version", "1"), exitUsage, "diff with a file and --version")
	})
}
