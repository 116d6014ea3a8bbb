package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

type loginOptions struct {
	cmdEnv
	Prompter prompter

	Username        string
	PasswordStdin   bool
	InsecureStorage bool
	PasswordFlag    bool // --password was given: refused
}

func newCmdLogin(f *factory, runF func(*loginOptions) error) *cobra.Command {
	opts := &loginOptions{cmdEnv: f.env(), Prompter: f.Prompter}
	var password string
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in and keep the session in the system keyring",
		Long: `Log in to the docs server and store the session cookie in the system
keyring (service "docs", account = the server URL).

On a terminal, docs asks for what is missing; the password is not echoed.
Without a terminal, pass --username and --password-stdin.

Logging in again ends, on the server, the session stored before (a
session in DOCS_SESSION is left alone).

Where no keyring can be reached (a headless box or CI runner), either pass
--insecure-storage to keep the session in a plain-text file (mode 0600) in
the config directory, or set DOCS_SESSION.`,
		Example: `  docs login -u alice
  printf '%s\n' "$DOCS_PASSWORD" | docs login -u alice --password-stdin`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.PasswordFlag = cmd.Flags().Changed("password")
			if runF != nil {
				return runF(opts)
			}
			return loginRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Username, "username", "u", "", "user `name`")
	cmd.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the password from standard input")
	cmd.Flags().BoolVar(&opts.InsecureStorage, "insecure-storage", false, "store the session in a plain-text file instead of the keyring")
	cmd.Flags().StringVarP(&password, "password", "p", "", "refused: use --password-stdin")
	_ = cmd.Flags().MarkHidden("password")
	return cmd
}

func loginRun(ctx context.Context, opts *loginOptions) error {
	ios := opts.IO
	if opts.PasswordFlag {
		return exitcode.Usagef("refusing --password: a password on the command line is seen by other users (ps) and kept in shell history; use --password-stdin or the prompt")
	}
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	cred, err := loginCredentials(ctx, opts)
	if err != nil {
		return err
	}
	if s.EnvSession != "" {
		fmt.Fprintln(ios.ErrOut, "Warning: DOCS_SESSION is set and wins over the session stored now; unset it to use this login.")
	}

	st := opts.Sessions(s)
	if !opts.InsecureStorage {
		// Find out before sending the password whether the session can be kept.
		if err := st.ProbeKeyring(ctx, s.Server); err != nil {
			return noKeyringError(err, st)
		}
	}

	c := opts.Client(s, replacedSession(ctx, st, s))
	user, err := c.Login(ctx, cred)
	if err != nil {
		return explainThrottle(err)
	}
	if opts.InsecureStorage {
		fmt.Fprintf(ios.ErrOut, "Warning: storing the session in plain text in %s (mode 0600): anyone who can read this file can act as %s.\n", st.filePath(), termtext.Line(user.Username))
		err = st.SaveFile(s.Server, c.Session())
	} else {
		err = st.SaveKeyring(ctx, s.Server, c.Session())
	}
	if err != nil {
		_ = c.Logout(ctx) // a session that cannot be kept should not stay valid
		var ke *keyringError
		if errors.As(err, &ke) {
			return noKeyringError(err, st)
		}
		return fmt.Errorf("store session: %w", err)
	}

	where := "the system keyring"
	if opts.InsecureStorage {
		where = st.filePath()
	}
	fmt.Fprintf(ios.ErrOut, "Logged in to %s as %s (%s). Session stored in %s.\n", s.Server, termtext.Line(user.Username), termtext.Line(string(user.Role)), where)
	if s.Output == "json" {
		return writeJSON(ios.Out, user)
	}
	return nil
}

// replacedSession returns the stored session a login replaces, to be sent
// with it: the server ends the session a login arrives with, where dropping
// it here would leave it valid until it expires. DOCS_SESSION is not
// replaced (it stays in use), so it is never sent. Finding no session, for
// whatever reason, is no reason not to log in: the keyring, when needed,
// has been asked already.
func replacedSession(ctx context.Context, st *sessionStore, s *settings) string {
	old, err := st.LookupStored(ctx, s.Server)
	if err != nil || old.Value == s.EnvSession {
		return ""
	}
	return old.Value
}

// loginCredentials takes the username and password from the flags, stdin
// or the terminal; with no terminal a missing value is a usage error.
func loginCredentials(ctx context.Context, opts *loginOptions) (client.Credentials, error) {
	cred := client.Credentials{Username: opts.Username}
	tty := opts.IO.InTTY
	if cred.Username == "" {
		if !tty || opts.PasswordStdin {
			return cred, exitcode.Usagef("--username is required when not asking on a terminal")
		}
		u, err := opts.Prompter.Input(ctx, "Username: ")
		if err != nil {
			return cred, err
		}
		cred.Username = strings.TrimSpace(u)
		if cred.Username == "" {
			return cred, exitcode.Usagef("no username given")
		}
	}
	p, err := readPassword(ctx, opts.IO.In, opts.Prompter, opts.PasswordStdin, tty)
	if err != nil {
		return cred, err
	}
	cred.Password = p
	if cred.Password == "" {
		return cred, exitcode.Usagef("the password is empty")
	}
	return cred, nil
}

// trimLineEnding removes one trailing "\n" or "\r\n", and nothing else:
// spaces and further newlines may be part of the password.
// readPassword takes a password from standard input (--password-stdin; at
// most 64 KiB are read, far more than any password docsd accepts) or, on a
// terminal, from a hidden prompt. Without either it is a usage error.
func readPassword(ctx context.Context, in io.Reader, p prompter, fromStdin, tty bool) (string, error) {
	switch {
	case fromStdin:
		b, err := readAtMost(in, 64<<10)
		if err != nil {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		return trimLineEnding(string(b)), nil
	case tty:
		return p.Password(ctx, "Password: ")
	default:
		return "", exitcode.Usagef("no password: pass --password-stdin, or run on a terminal to be asked")
	}
}

func trimLineEnding(s string) string {
	if strings.HasSuffix(s, "\r\n") {
		return s[:len(s)-2]
	}
	return strings.TrimSuffix(s, "\n")
}

// noKeyringLoginError is a login that failed because the keyring is out of
// reach; it names the ways out.
type noKeyringLoginError struct {
	err    error
	file   string
	envSet bool // DOCS_SESSION is set already
}

func (e *noKeyringLoginError) Error() string { return e.err.Error() }
func (e *noKeyringLoginError) Unwrap() error { return e.err }
func (e *noKeyringLoginError) Hint() string {
	insecure := "  docs login --insecure-storage   store the session in " + e.file + " (mode 0600) instead"
	if e.envSet {
		// Advising to set what is set already would send the person in a circle.
		return "docs does not fall back to plain text silently. DOCS_SESSION is set, and the other docs\n" +
			"commands use it without any login. To store a session anyway:\n" + insecure
	}
	return "docs does not fall back to plain text silently. Either:\n" + insecure + "\n" +
		"  export DOCS_SESSION=<cookie>    pass a session cookie value in the environment (CI)"
}

func noKeyringError(err error, st *sessionStore) error {
	return &noKeyringLoginError{err: err, file: st.filePath(), envSet: st.envSession != ""}
}
