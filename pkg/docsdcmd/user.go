package docsdcmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

func newCmdUser(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage users",
		// Runnable like the root, so that an unknown subcommand is a usage
		// error (exit 2) rather than help and exit 0.
		Args: unknownCommand,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCmdUserAdd(f, nil), newCmdUserSetRole(f, nil), newCmdUserList(f, nil), newCmdUserPasswd(f, nil),
		newCmdUserRm(f, nil), newCmdUserSessions(f, nil), newCmdUserLogout(f, nil), newCmdUserUnlock(f, nil),
		newCmdUserTokens(f, nil))
	return cmd
}

// roleList names every role, as "member, editor or admin".
func roleList() string {
	roles := docs.Roles()
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

type userAddOptions struct {
	cmdEnv

	Name          string
	Role          string
	PasswordStdin bool
}

func newCmdUserAdd(f *factory, runF func(*userAddOptions) error) *cobra.Command {
	opts := &userAddOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a user; the password comes from a hidden prompt or --password-stdin",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if !docs.Role(opts.Role).Valid() {
				return exitcode.Usagef("--role must be %s, not %q", roleList(), opts.Role)
			}
			if err := docs.ValidateUsername(opts.Name); err != nil {
				return exitcode.Usagef("%v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return userAddRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Role, "role", string(docs.RoleMember), roleList())
	cmd.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the password from standard input")
	return cmd
}

func userAddRun(ctx context.Context, opts *userAddOptions) error {
	hash, err := opts.newPasswordHash(opts.PasswordStdin)
	if err != nil {
		return err
	}
	db, err := opts.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u := &docs.User{Username: opts.Name, Role: docs.Role(opts.Role), PasswordHash: hash, CreatedAt: time.Now().UTC()}
	if err := db.CreateUser(ctx, u); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "created user %s (%s) with id %d\n", u.Username, u.Role, u.ID)
	return nil
}

// newPasswordHash reads a new password (see readPassword), checks its
// length and hashes it at the configured cost.
func (e cmdEnv) newPasswordHash(fromStdin bool) ([]byte, error) {
	password, err := e.readPassword(fromStdin)
	if err != nil {
		return nil, err
	}
	if err := docs.ValidatePassword(password); err != nil {
		return nil, err
	}
	pw, err := e.passwords()
	if err != nil {
		return nil, err
	}
	return pw.Hash(password)
}

// readPassword reads a password from stdin (only the one trailing line
// ending is removed) or, on a terminal, from a hidden prompt asked twice.
func (e cmdEnv) readPassword(fromStdin bool) (string, error) {
	if fromStdin {
		b, err := io.ReadAll(bufio.NewReader(e.IO.In))
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		s := strings.TrimSuffix(string(b), "\n")
		return strings.TrimSuffix(s, "\r"), nil
	}
	if e.IO.TTY < 0 {
		return "", exitcode.Usagef("no terminal to prompt for a password; pipe it in with --password-stdin")
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(e.IO.ErrOut, prompt)
		b, err := term.ReadPassword(e.IO.TTY)
		fmt.Fprintln(e.IO.ErrOut)
		return string(b), err
	}
	p1, err := ask("Password: ")
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	p2, err := ask("Password again: ")
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if p1 != p2 {
		return "", errors.New("the passwords do not match")
	}
	return p1, nil
}

type userSetRoleOptions struct {
	cmdEnv

	Name string
	Role docs.Role
}

func newCmdUserSetRole(f *factory, runF func(*userSetRoleOptions) error) *cobra.Command {
	opts := &userSetRoleOptions{cmdEnv: f.env()}
	return &cobra.Command{
		Use:   "set-role NAME ROLE",
		Short: "Change a user's role (" + roleList() + "); it applies at their next request",
		Args:  usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name, opts.Role = args[0], docs.Role(args[1])
			if !opts.Role.Valid() {
				return exitcode.Usagef("role must be %s, not %q", roleList(), args[1])
			}
			if runF != nil {
				return runF(opts)
			}
			return userSetRoleRun(cmd.Context(), opts)
		},
	}
}

func userSetRoleRun(ctx context.Context, opts *userSetRoleOptions) error {
	return opts.withUser(ctx, opts.Name, func(db userDB, u *docs.User) error {
		u, err := db.SetRole(ctx, u.ID, opts.Role)
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Out, "%s is now %s\n", u.Username, u.Role)
		return nil
	})
}

type userPasswdOptions struct {
	cmdEnv

	Name          string
	PasswordStdin bool
}

func newCmdUserPasswd(f *factory, runF func(*userPasswdOptions) error) *cobra.Command {
	opts := &userPasswdOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Set a user's password and end every session of theirs",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return userPasswdRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the password from standard input")
	return cmd
}

func userPasswdRun(ctx context.Context, opts *userPasswdOptions) error {
	return opts.withUser(ctx, opts.Name, func(db userDB, u *docs.User) error {
		hash, err := opts.newPasswordHash(opts.PasswordStdin)
		if err != nil {
			return err
		}
		if err := db.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Out, "changed the password of %s and ended all their sessions\n", u.Username)
		return nil
	})
}

type userRmOptions struct {
	cmdEnv

	Name       string
	ReassignTo string
	Yes        bool
}

func newCmdUserRm(f *factory, runF func(*userRmOptions) error) *cobra.Command {
	opts := &userRmOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "rm NAME [--reassign-to OTHER] [--yes]",
		Short: "Remove a user and end their sessions; their documents move to --reassign-to",
		Long: `Remove a user and end every session of theirs. A user who owns documents
is removed only with --reassign-to, which gives the documents to another
user: documents are never deleted with their author. Each moved document
gets a new version, whose revision names no user (this command is not run
as one). Their deleted documents move too, so the new author may restore
them; without --reassign-to those keep their history but can no longer be
restored. Asks for confirmation on a terminal; without one, --yes is
required.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return userRmRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.ReassignTo, "reassign-to", "", "give the user's documents to this user")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func userRmRun(ctx context.Context, opts *userRmOptions) error {
	return opts.withUser(ctx, opts.Name, func(db userDB, u *docs.User) error {
		var to *docs.User
		if opts.ReassignTo != "" {
			var err error
			to, err = db.UserByName(ctx, opts.ReassignTo)
			if docs.IsNotFound(err) {
				return fmt.Errorf("no user named %q to reassign documents to", opts.ReassignTo)
			}
			if err != nil {
				return err
			}
		}
		if !opts.Yes {
			ok, err := opts.confirm(fmt.Sprintf("Remove user %s? [y/N] ", u.Username))
			if err != nil {
				return err
			}
			if !ok {
				fmt.Fprintln(opts.IO.ErrOut, "nothing removed")
				return nil
			}
		}
		var toID int64
		if to != nil {
			toID = to.ID
		}
		if err := db.DeleteUser(ctx, u.ID, toID, time.Now().UTC()); err != nil {
			if docs.KindOf(err) == docs.Conflict && to == nil {
				return fmt.Errorf("%w; use --reassign-to NAME", err)
			}
			return err
		}
		if to != nil {
			fmt.Fprintf(opts.IO.Out, "removed user %s; their documents now belong to %s\n", u.Username, to.Username)
		} else {
			fmt.Fprintf(opts.IO.Out, "removed user %s\n", u.Username)
		}
		return nil
	})
}

// confirm asks a yes/no question on a terminal; without one it is a usage
// error, so scripts must say --yes.
func (e cmdEnv) confirm(question string) (bool, error) {
	if e.IO.TTY < 0 {
		return false, exitcode.Usagef("no terminal to confirm on; pass --yes")
	}
	fmt.Fprint(e.IO.ErrOut, question)
	line, err := bufio.NewReader(e.IO.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}

// userDB is what the user commands use of the database.
type userDB interface {
	docs.UserStore
	docs.SessionStore
	docs.TokenStore
	docs.LoginFailureStore
}

// withUser opens the database and finds the user called name, with a clear
// error when there is none.
func (e cmdEnv) withUser(ctx context.Context, name string, f func(userDB, *docs.User) error) error {
	db, err := e.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByName(ctx, name)
	if docs.IsNotFound(err) {
		return fmt.Errorf("no user named %q", name)
	}
	if err != nil {
		return err
	}
	return f(db, u)
}

type userListOptions struct {
	cmdEnv

	Output string // table or json
}

func newCmdUserList(f *factory, runF func(*userListOptions) error) *cobra.Command {
	opts := &userListOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "list [-o table|json]",
		Short: "List users",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return userListRun(cmd.Context(), opts)
		},
	}
	outputFlag(cmd, &opts.Output)
	return cmd
}

func userListRun(ctx context.Context, opts *userListOptions) error {
	db, err := opts.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var all []*docs.User
	p := docs.Page{Limit: 1000}
	for {
		users, err := db.ListUsers(ctx, p)
		if err != nil {
			return err
		}
		all = append(all, users...)
		if len(users) < p.Limit {
			break
		}
		p.After = users[len(users)-1].ID
	}
	if opts.Output == "json" {
		// As the API sends a user, so the two read alike.
		out := make([]client.User, len(all))
		for i, u := range all {
			out[i] = client.User{ID: u.ID, Username: u.Username, Role: client.Role(u.Role), CreatedAt: u.CreatedAt}
		}
		return writeJSON(opts.IO.Out, out)
	}
	w := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tUSERNAME\tROLE\tCREATED")
	for _, u := range all {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", u.ID, termtext.Line(u.Username), u.Role, u.CreatedAt.Format(time.RFC3339))
	}
	return w.Flush()
}
