package cli

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/docsd/docs/pkg/termtext"
)

func TestJQ(t *testing.T) {
	tests := []struct {
		name string
		args []string
		exit int
		want string
	}{
		{"strings print raw", []string{"list", "-o", "json", "--jq", ".[].author.username"}, exitOK, "alice\nalice\nalice\nbob\nbob\ncarol\ncarol\n"},
		{"other values print as JSON", []string{"list", "-o", "json", "-q", "[.[] | select(.author.username == \"carol\") | .id]"}, exitOK, "[6,7]\n"},
		{"docs api needs no -o json", []string{"api", "documents?limit=2", "--jq", "length"}, exitOK, "2\n"},
		{"without -o json it implies JSON", []string{"list", "-L", "2", "--jq", ".[].id"}, exitOK, "1\n2\n"},
		{"a bad expression is a usage error", []string{"list", "-o", "json", "--jq", ".[] |"}, exitUsage, ""},
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
	t.Run("get of several IDs filters what was found and keeps the exit code", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "carol")
		args := []string{"get", "6", "999", "--jq", ".title"}
		wantExit(t, h, h.run(t, args...), exitNotFound, args...)
		if h.out.String() != "Carol's ideas\n" {
			t.Errorf("stdout = %q; want document 6's title", h.out)
		}
	})
}

func TestYAMLEscapesWhatJSONEscapes(t *testing.T) {
	hostile := []string{
		"right\u202eto left",           // a bidi override
		"isolate\u2066d\u2069",         // isolates
		"red \x1b[31mtext\x1b[0m",      // ESC
		"csi \u009b31m",                // a C1 control
		"next line\u0085",              // NEL
		"line\u2028sep\u2029para",      // line and paragraph separators
		"del\x7f",                      // DEL
		"several\nlines\u202e\nbidi\n", // a text that would be a literal block
		"crlf\r\nline",
		"tab\tand plain",
	}
	for _, s := range hostile {
		t.Run(strconv.Quote(s), func(t *testing.T) {
			v := map[string]any{"title": s, s: []string{s}} // a key too
			var j bytes.Buffer
			if err := writeJSON(&j, v); err != nil {
				t.Fatal(err)
			}
			var y bytes.Buffer
			if err := writeYAML(&y, j.Bytes(), true); err != nil {
				t.Fatal(err)
			}
			if out := y.String(); termtext.Text(out) != out {
				t.Errorf("-o yaml of %q printed %q; want what acts on a terminal escaped", s, out)
			}
			var back map[string]any
			if err := yaml.Unmarshal(y.Bytes(), &back); err != nil {
				t.Fatalf("-o yaml of %q printed %q, which does not parse: %v", s, y.String(), err)
			}
			if back["title"] != s {
				t.Errorf("-o yaml of %q printed %q, which parses to %q; want the same string", s, y.String(), back["title"])
			}
			if l, ok := back[s].([]any); !ok || len(l) != 1 || l[0] != s {
				t.Errorf("-o yaml of %q printed %q, which parses to %v; want the key and value back", s, y.String(), back)
			}
		})
	}

	t.Run("docs get -o yaml of a hostile title", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "carol")
		id := createAs(t, h, "evil\u202ereversed \x1b[2J")
		args := []string{"get", itoa(id), "-o", "yaml", "--json", "title"}
		wantExit(t, h, h.run(t, args...), exitOK, args...)
		if want := "title: \"evil\\u202Ereversed \\e[2J\"\n"; h.out.String() != want {
			t.Errorf("stdout = %q; want %q", h.out, want)
		}
	})
}
