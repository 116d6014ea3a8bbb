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
