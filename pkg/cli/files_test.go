package cli

import (
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
