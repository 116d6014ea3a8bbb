package cli

import (
	"strings"
	"testing"
)

func TestOutputFormats(t *testing.T) {
	tests := []struct {
		name string
		args []string
		exit int
		want string
	}{
		{"--json picks fields in the order named, and implies JSON", []string{"list", "-L", "2", "--json", "title,id"}, exitOK,
			"[\n  {\n    \"title\": \"Welcome to docsd\",\n    \"id\": 1\n  },\n  {\n    \"title\": \"Admin handbook\",\n    \"id\": 2\n  }\n]\n"},
		{"--json with --jq filters the picked fields", []string{"list", "-L", "2", "--json", "id", "--jq", ".[].id"}, exitOK, "1\n2\n"},
		{"--jq implies JSON", []string{"list", "-L", "1", "--jq", ".[].title"}, exitOK, "Welcome to docsd\n"},
		{"-o yaml", []string{"list", "-L", "1", "--json", "id,title,author", "-o", "yaml"}, exitOK,
			"- id: 1\n  title: Welcome to docsd\n  author:\n    id: 1\n    username: alice\n"},
		{"an unknown --json field names those there are", []string{"list", "--json", "id,nope"}, exitUsage, ""},
		{"--jq with -o table is a usage error", []string{"list", "--jq", ".", "-o", "table"}, exitUsage, ""},
		{"--jq with -o yaml is a usage error", []string{"list", "--jq", ".", "-o", "yaml"}, exitUsage, ""},
		{"an empty --json field is a usage error", []string{"list", "--json", "id,"}, exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, false, "")
			wantExit(t, h, h.run(t, tt.args...), tt.exit, tt.args...)
			if h.out.String() != tt.want {
				t.Errorf("docs %s printed %q; want %q", strings.Join(tt.args, " "), h.out, tt.want)
			}
		})
	}
}

func TestTables(t *testing.T) {
	wide := "日本語のタイトル 🎉"
	setup := func(t *testing.T, tty bool) *harness {
		h := newHarness(t, tty, "")
		h.loginAs(t, "carol")
		createAs(t, h, wide)
		return h
	}

	t.Run("piped, a table is tab-separated", func(t *testing.T) {
		h := setup(t, false)
		wantExit(t, h, h.run(t, "list", "--author", "carol"), exitOK, "list")
		lines := strings.Split(strings.TrimSuffix(h.out.String(), "\n"), "\n")
		if lines[0] != "ID\tTITLE\tAUTHOR\tUPDATED" {
			t.Errorf("header = %q; want the columns separated by tabs", lines[0])
		}
		for _, l := range lines[1:] {
			if f := strings.Split(l, "\t"); len(f) != 4 || f[2] != "carol" {
				t.Errorf("row %q; want 4 tab-separated cells, carol's", l)
			}
		}
		if !strings.Contains(h.out.String(), "\t"+wide+"\tcarol\t") {
			t.Errorf("stdout = %q; want the title a cell of its own", h.out)
		}
	})

	t.Run("on a terminal, wide characters keep the columns in line", func(t *testing.T) {
		h := setup(t, true)
		wantExit(t, h, h.run(t, "list", "--author", "carol"), exitOK, "list")
		lines := strings.Split(strings.TrimSuffix(h.out.String(), "\n"), "\n")
		col := -1
		for _, l := range lines {
			i := strings.Index(l, "carol")
			if i < 0 {
				i = strings.Index(l, "AUTHOR")
			}
			if c := displayWidth(l[:i]); col < 0 {
				col = c
			} else if c != col {
				t.Errorf("line %q: AUTHOR column at %d; want %d, as in the other lines\n%s", l, c, col, h.out)
			}
		}
		if strings.Contains(h.out.String(), "\t") {
			t.Errorf("stdout = %q; want spaces on a terminal", h.out)
		}
	})
}

func TestDisplayWidth(t *testing.T) {
	for s, want := range map[string]int{"abc": 3, "日本語": 6, "🎉": 2, "é": 1, "e\u0301": 1, "": 0} {
		if got := displayWidth(s); got != want {
			t.Errorf("displayWidth(%q) = %d; want %d", s, got, want)
		}
	}
}
