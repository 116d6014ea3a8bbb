package cli

import (
	"strings"
	"testing"
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
