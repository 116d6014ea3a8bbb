package docsdcmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/exitcode"
)

// TestUserAddParsing checks what `docsd user add` takes from its command
// line, through runF: nothing is opened or written.
func TestUserAddParsing(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want *userAddOptions // nil: a usage error
	}{
		{"a name and the default role", []string{"dave"}, &userAddOptions{Name: "dave", Role: "member"}},
		{"a role and --password-stdin", []string{"dave", "--role", "editor", "--password-stdin"}, &userAddOptions{Name: "dave", Role: "editor", PasswordStdin: true}},
		{"an unknown role is a usage error", []string{"dave", "--role", "root"}, nil},
		{"an invalid name is a usage error", []string{"no spaces allowed"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseArgs(newCmdUserAdd, tc.args)
			if tc.want == nil {
				if !exitcode.IsUsage(err) {
					t.Errorf("user add %v = %v; want a usage error", tc.args, err)
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("user add %v = %v; want it parsed", tc.args, err)
			}
			if got.Name != tc.want.Name || got.Role != tc.want.Role || got.PasswordStdin != tc.want.PasswordStdin {
				t.Errorf("user add %v parsed name %q role %q stdin %v; want %q %q %v", tc.args,
					got.Name, got.Role, got.PasswordStdin, tc.want.Name, tc.want.Role, tc.want.PasswordStdin)
			}
		})
	}
}

// TestPromptsNeedATerminal: with no terminal, a password or a
// confirmation is never read from a pipe meant for something else; it is
// a usage error naming the flag that replaces it.
func TestPromptsNeedATerminal(t *testing.T) {
	e := cmdEnv{IO: &IOStreams{In: strings.NewReader("y\n"), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}, TTY: -1}}
	if _, err := e.confirm("Remove user bob? [y/N] "); !exitcode.IsUsage(err) || !strings.Contains(err.Error(), "--yes") {
		t.Errorf("confirm with no terminal = %v; want a usage error naming --yes", err)
	}
	if _, err := e.readPassword(false); !exitcode.IsUsage(err) || !strings.Contains(err.Error(), "--password-stdin") {
		t.Errorf("readPassword with no terminal = %v; want a usage error naming --password-stdin", err)
	}
	if got, err := e.readPassword(true); err != nil || got != "y" {
		t.Errorf("readPassword(--password-stdin) = %q, %v; want the line without its ending", got, err)
	}
}

func TestRoleListNamesEveryRole(t *testing.T) {
	got := roleList()
	for _, r := range docs.Roles() {
		if !strings.Contains(got, string(r)) {
			t.Errorf("roleList() = %q; want it to name %s", got, r)
		}
	}
	if want := "member, editor or admin"; got != want {
		t.Errorf("roleList() = %q; want %q", got, want)
	}
}

// parseArgs runs the command newCmd makes on args with a run function that
// only keeps the options parsed, and returns them (nil when the command
// never ran) and what Execute returned.
func parseArgs[O any](newCmd func(*factory, func(*O) error) *cobra.Command, args []string) (*O, error) {
	var got *O
	cmd := newCmd(&factory{IO: &IOStreams{TTY: -1}}, func(o *O) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	return got, cmd.Execute()
}
