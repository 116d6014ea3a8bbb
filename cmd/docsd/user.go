package main

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

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

func newUserCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage users",
		// Runnable like the root, so that an unknown subcommand is a usage
		// error (exit 2) rather than help and exit 0.
		Args: unknownCommand,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newUserAddCmd(e), newUserSetRoleCmd(e), newUserListCmd(e), newUserPasswdCmd(e), newUserRmCmd(e),
		newUserSessionsCmd(e), newUserLogoutCmd(e), newUserUnlockCmd(e))
	return cmd
}

func newUserAddCmd(e *env) *cobra.Command {
	var (
		role          string
		passwordStdin bool
	)
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a user; the password comes from a hidden prompt or --password-stdin",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if !docs.Role(role).Valid() {
				return exitcode.Usagef("--role must be member, editor or admin, not %q", role)
			}
			if err := docs.ValidateUsername(name); err != nil {
				return exitcode.Usagef("%v", err)
			}
			hash, err := e.newPasswordHash(passwordStdin)
			if err != nil {
				return err
			}
			db, err := e.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			u := &docs.User{Username: name, Role: docs.Role(role), PasswordHash: hash, CreatedAt: time.Now().UTC()}
			if err := db.CreateUser(cmd.Context(), u); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "created user %s (%s) with id %d\n", u.Username, u.Role, u.ID)
			return nil
		},
	}
	cmd.Flags().StringVar(&role, "role", string(docs.RoleMember), "member, editor or admin")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
	return cmd
}

// newPasswordHash reads a new password (see readPassword), checks its
// length and hashes it at the configured cost.
func (e *env) newPasswordHash(fromStdin bool) ([]byte, error) {
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
func (e *env) readPassword(fromStdin bool) (string, error) {
	if fromStdin {
		b, err := io.ReadAll(bufio.NewReader(e.stdin))
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		s := strings.TrimSuffix(string(b), "\n")
		return strings.TrimSuffix(s, "\r"), nil
	}
	if e.ttyFD < 0 {
		return "", exitcode.Usagef("no terminal to prompt for a password; pipe it in with --password-stdin")
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(e.ttyFD)
		fmt.Fprintln(e.stderr)
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

func newUserSetRoleCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "set-role NAME ROLE",
		Short: "Change a user's role (member, editor or admin); it applies at their next request",
		Args:  usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			role := docs.Role(args[1])
			if !role.Valid() {
				return exitcode.Usagef("role must be member, editor or admin, not %q", args[1])
			}
			return e.withUser(cmd.Context(), args[0], func(db docs.UserStore, u *docs.User) error {
				u, err := db.SetRole(cmd.Context(), u.ID, role)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%s is now %s\n", u.Username, u.Role)
				return nil
			})
		},
	}
}

func newUserPasswdCmd(e *env) *cobra.Command {
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Set a user's password and end every session of theirs",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withUser(cmd.Context(), args[0], func(db docs.UserStore, u *docs.User) error {
				hash, err := e.newPasswordHash(passwordStdin)
				if err != nil {
					return err
				}
				if err := db.SetPassword(cmd.Context(), u.ID, hash); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "changed the password of %s and ended all their sessions\n", u.Username)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
	return cmd
}

func newUserRmCmd(e *env) *cobra.Command {
	var (
		reassignTo string
		yes        bool
	)
	cmd := &cobra.Command{
		Use:   "rm NAME [--reassign-to OTHER] [--yes]",
		Short: "Remove a user and end their sessions; their documents move to --reassign-to",
		Long: `Remove a user and end every session of theirs. A user who owns documents
is removed only with --reassign-to, which gives the documents to another
user: documents are never deleted with their author. Asks for confirmation
on a terminal; without one, --yes is required.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withUser(cmd.Context(), args[0], func(db docs.UserStore, u *docs.User) error {
				var to *docs.User
				if reassignTo != "" {
					var err error
					to, err = db.UserByName(cmd.Context(), reassignTo)
					if docs.IsNotFound(err) {
						return fmt.Errorf("no user named %q to reassign documents to", reassignTo)
					}
					if err != nil {
						return err
					}
				}
				if !yes {
					ok, err := e.confirm(fmt.Sprintf("Remove user %s? [y/N] ", u.Username))
					if err != nil {
						return err
					}
					if !ok {
						fmt.Fprintln(e.stderr, "nothing removed")
						return nil
					}
				}
				var toID int64
				if to != nil {
					toID = to.ID
				}
				if err := db.DeleteUser(cmd.Context(), u.ID, toID, time.Now().UTC()); err != nil {
					if docs.KindOf(err) == docs.Conflict && to == nil {
						return fmt.Errorf("%w; use --reassign-to NAME", err)
					}
					return err
				}
				if to != nil {
					fmt.Fprintf(e.stdout, "removed user %s; their documents now belong to %s\n", u.Username, to.Username)
				} else {
					fmt.Fprintf(e.stdout, "removed user %s\n", u.Username)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&reassignTo, "reassign-to", "", "give the user's documents to this user")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// confirm asks a yes/no question on a terminal; without one it is a usage
// error, so scripts must say --yes.
func (e *env) confirm(question string) (bool, error) {
	if e.ttyFD < 0 {
		return false, exitcode.Usagef("no terminal to confirm on; pass --yes")
	}
	fmt.Fprint(e.stderr, question)
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}

// withUser opens the database and finds the user called name, with a clear
// error when there is none.
func (e *env) withUser(ctx context.Context, name string, f func(docs.UserStore, *docs.User) error) error {
	return e.withUserDB(ctx, name, func(db userDB, u *docs.User) error { return f(db, u) })
}

// userDB is what the user commands use of the database.
type userDB interface {
	docs.UserStore
	docs.SessionStore
	docs.LoginFailureStore
}

// withUserDB is withUser for commands that need the user's sessions or
// login failures too.
func (e *env) withUserDB(ctx context.Context, name string, f func(userDB, *docs.User) error) error {
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

func newUserListCmd(e *env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "list [-o table|json]",
		Short: "List users",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			db, err := e.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			var all []*docs.User
			p := docs.Page{Limit: 1000}
			for {
				users, err := db.ListUsers(cmd.Context(), p)
				if err != nil {
					return err
				}
				all = append(all, users...)
				if len(users) < p.Limit {
					break
				}
				p.After = users[len(users)-1].ID
			}
			if output == "json" {
				out := make([]userJSON, len(all))
				for i, u := range all {
					out[i] = userJSON{u.ID, u.Username, string(u.Role), u.CreatedAt}
				}
				return writeJSON(e.stdout, out)
			}
			w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tUSERNAME\tROLE\tCREATED")
			for _, u := range all {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", u.ID, termtext.Line(u.Username), u.Role, u.CreatedAt.Format(time.RFC3339))
			}
			return w.Flush()
		},
	}
	outputFlag(cmd, &output)
	return cmd
}
