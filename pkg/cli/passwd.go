package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

type passwdOptions struct {
	cmdEnv
	Prompter prompter

	PasswordStdin bool
}

func newCmdPasswd(f *factory, runF func(*passwdOptions) error) *cobra.Command {
	opts := &passwdOptions{cmdEnv: f.env(), Prompter: f.Prompter}
	cmd := &cobra.Command{
		Use:   "passwd",
		Short: "Change your password",
		Long: `Change the password of the user you are logged in as.

On a terminal, docs asks for the current password, then the new one twice;
nothing is echoed. Without a terminal, pass --password-stdin and write the
current password and the new one on standard input, one per line
("current\nnew\n"); only the line endings are removed.

The server logs out every other session of yours (other machines, CI
tokens taken from DOCS_SESSION) and renews this one, which docs stores in
place of the old one. A wrong current password exits 5 and counts as a
failed login: after too many, logins are paused for a while (exit 1, with
the server's message).`,
		Example: `  docs passwd
  printf '%s\n%s\n' "$OLD_PASSWORD" "$NEW_PASSWORD" | docs passwd --password-stdin`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !opts.PasswordStdin && !opts.IO.InTTY {
				return exitcode.Usagef("no terminal to ask for the passwords on: pass --password-stdin with the current and the new password on two lines")
			}
			if runF != nil {
				return runF(opts)
			}
			return passwdRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the current and the new password from standard input, one per line")
	addJSONFlags(cmd, f, userFields)
	return cmd
}

func passwdRun(ctx context.Context, opts *passwdOptions) error {
	ios := opts.IO
	// Find out before asking for passwords that there is a session to use
	// (a token cannot change a password).
	sess, err := opts.loginSession(ctx)
	if err != nil {
		return err
	}
	if sess.Stored.Source == sourceEnv {
		// The server renews the session, so the value in DOCS_SESSION would
		// stop working with nowhere for docs to put the new one.
		return exitcode.Usagef("docs passwd renews the session, and the one in DOCS_SESSION cannot be replaced: unset DOCS_SESSION, run docs login, then docs passwd")
	}
	current, password, err := passwdInput(ctx, opts)
	if err != nil {
		return err
	}

	user, err := sess.Client.ChangePassword(ctx, current, password)
	if err != nil {
		return explainThrottle(sess.check(err))
	}
	// The old session has ended on the server; keep the new one where the
	// old one was.
	renewed := sess.Client.Session()
	if sess.Stored.Source == sourceFile {
		err = sess.Store.SaveFile(sess.Server, renewed)
	} else {
		err = sess.Store.SaveKeyring(ctx, sess.Server, renewed)
	}
	if err != nil {
		return &hintedError{
			err:  fmt.Errorf("the password was changed, but the renewed session could not be stored: %w", err),
			hint: "The session stored before has ended. Log in again with the new password: docs login",
		}
	}
	fmt.Fprintf(ios.ErrOut, "Password changed for %s. Your other sessions were logged out; this one was renewed and stored in the %s.\n",
		termtext.Line(user.Username), sess.Store.describe(sess.Stored, sess.Server))
	if sess.Output == "json" {
		return writeJSON(ios.Out, user)
	}
	return nil
}

// passwdInput reads the current and the new password from standard input
// or, on a terminal, from hidden prompts with the new one asked twice.
func passwdInput(ctx context.Context, opts *passwdOptions) (current, password string, err error) {
	if opts.PasswordStdin {
		b, err := readAtMost(opts.IO.In, 64<<10)
		if err != nil {
			return "", "", fmt.Errorf("read passwords from stdin: %w", err)
		}
		return splitPasswords(string(b))
	}
	if current, err = opts.Prompter.Password(ctx, "Current password: "); err != nil {
		return "", "", err
	}
	if current == "" {
		return "", "", exitcode.Usagef("the current password is empty")
	}
	for try := 1; ; try++ {
		if password, err = opts.Prompter.Password(ctx, "New password: "); err != nil {
			return "", "", err
		}
		problem := newPasswordProblem(password)
		if problem == "" {
			// Said before the retype, not after it was typed twice.
			again, err := opts.Prompter.Password(ctx, "Retype new password: ")
			if err != nil {
				return "", "", err
			}
			if again == password {
				return current, password, nil
			}
			problem = "the new passwords do not match"
		}
		// As passwd(1) does: the current password was typed already, so
		// a slip in the new one costs a retry, not the whole command.
		if try == maxNewPasswordTries {
			return "", "", exitcode.Usagef("%s; nothing was changed", problem)
		}
		fmt.Fprintf(opts.IO.ErrOut, "%s%s; try again.\n", strings.ToUpper(problem[:1]), problem[1:])
	}
}

// maxNewPasswordTries is how often docs passwd asks for the new password.
const maxNewPasswordTries = 3

// newPasswordProblem says what the server would refuse in a new password,
// or "".
func newPasswordProblem(password string) string {
	if password == "" {
		return "the new password is empty"
	}
	if err := docs.ValidatePassword(password); err != nil {
		return "the new " + err.Error()
	}
	return ""
}

// splitPasswords reads "current\nnew\n" (or with \r\n): exactly two
// non-empty lines, the final line ending optional. A password may hold
// spaces but no line break, so there is nothing else to trim.
func splitPasswords(s string) (current, password string, err error) {
	lines := strings.Split(trimLineEnding(s), "\n")
	if len(lines) != 2 {
		return "", "", exitcode.Usagef("--password-stdin wants two lines, the current password and the new one; got %d", len(lines))
	}
	current = strings.TrimSuffix(lines[0], "\r")
	password = strings.TrimSuffix(lines[1], "\r")
	switch {
	case current == "":
		return "", "", exitcode.Usagef("the current password (first line) is empty")
	case password == "":
		return "", "", exitcode.Usagef("the new password (second line) is empty")
	}
	return current, password, nil
}
