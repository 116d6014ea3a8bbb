package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
	"github.com/docsd/docs/pkg/token"
)

type loginOptions struct {
	cmdEnv
	Prompter prompter

	Username        string
	PasswordStdin   bool
	WithToken       bool
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
Logged in already, it first says as whom.
Without a terminal, pass --username and --password-stdin.

Logging in again ends, on the server, the session stored before (a
session in DOCS_SESSION is left alone).

--with-token stores a personal access token (made with docs token create)
instead of a session: docs reads it from standard input, or asks for it on
a terminal, checks its checksum offline (a mistyped or truncated token
exits 2, and nothing is sent), then asks the server who it belongs to (a
token the server refuses exits 4) before storing it. A token stored before
is not revoked by a login that replaces it.

Where no keyring can be reached (a headless box or CI runner), either pass
--insecure-storage to keep the session in a plain-text file (mode 0600) in
the config directory, or set DOCS_TOKEN to a token made with docs token
create.`,
		Example: `  docs login -u alice
  printf '%s\n' "$DOCS_PASSWORD" | docs login -u alice --password-stdin
  docs login --with-token < token.txt`,
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
	cmd.Flags().BoolVar(&opts.WithToken, "with-token", false, "store a personal access token, read from standard input, instead of a session")
	cmd.Flags().BoolVar(&opts.InsecureStorage, "insecure-storage", false, "store the session in a plain-text file instead of the keyring")
	cmd.Flags().StringVarP(&password, "password", "p", "", "refused: use --password-stdin")
	_ = cmd.Flags().MarkHidden("password")
	cmd.MarkFlagsMutuallyExclusive("with-token", "username")
	cmd.MarkFlagsMutuallyExclusive("with-token", "password-stdin")
	addJSONFlags(cmd, f, userFields)
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
	if opts.IO.InTTY && !opts.PasswordStdin {
		sayLoggedIn(ctx, opts, s)
	}
	if opts.WithToken {
		return loginTokenRun(ctx, opts, s)
	}
	cred, err := loginCredentials(ctx, opts)
	if err != nil {
		return err
	}
	warnEnvWins(ios.ErrOut, s, "session")

	st := opts.Sessions(s)
	if !opts.InsecureStorage {
		// Find out before sending the password whether the session can be kept.
		if err := st.ProbeKeyring(ctx, s.Server); err != nil {
			return noKeyringError(err, st, s)
		}
	}

	// The server ends the session a login arrives with, where dropping it
	// here would leave it valid until it expires. A token cannot be sent
	// with a login (the server refuses it there), nor ended by one.
	old := replacedCredential(ctx, st, s)
	sent := ""
	if !old.Token {
		sent = old.Value
	}
	c := opts.Client(s, sent)
	user, err := c.Login(ctx, cred)
	if err != nil {
		return explainThrottle(err)
	}
	if opts.InsecureStorage {
		fmt.Fprintf(ios.ErrOut, "Warning: storing the session in plain text in %s (mode 0600): anyone who can read this file can act as %s.\n", st.filePath(), termtext.Line(user.Username))
	}
	if err := store(ctx, st, s, c.Session(), opts.InsecureStorage); err != nil {
		_ = c.Logout(ctx) // a session that cannot be kept should not stay valid
		return err
	}
	fmt.Fprintf(ios.ErrOut, "Logged in to %s as %s (%s). Session stored in %s.\n", s.Server, termtext.Line(user.Username), termtext.Line(string(user.Role)), storedWhere(st, opts.InsecureStorage))
	if old.Token {
		fmt.Fprintln(ios.ErrOut, "The token stored before was replaced here. "+tokenStaysValid)
	}
	if s.Output == "json" {
		return writeJSON(ios.Out, user)
	}
	return nil
}

// loginTokenRun is docs login --with-token.
func loginTokenRun(ctx context.Context, opts *loginOptions, s *settings) error {
	ios := opts.IO
	tok, err := readToken(ctx, opts)
	if err != nil {
		return err
	}
	warnEnvWins(ios.ErrOut, s, "token")
	st := opts.Sessions(s)
	if !opts.InsecureStorage {
		if err := st.ProbeKeyring(ctx, s.Server); err != nil {
			return noKeyringError(err, st, s)
		}
	}
	user, info, err := opts.Client(s, tok).WhoAmI(ctx)
	switch {
	case client.StatusCode(err) == http.StatusUnauthorized:
		return &hintedError{
			err:  fmt.Errorf("the server did not accept the token, so it was not stored: %w", err),
			hint: "Make a new one with 'docs token create' (logged in with a password).",
		}
	case user == nil && !unreadableToken(info, err):
		return err
	}
	who := "you"
	as := ""
	if user != nil {
		who = termtext.Line(user.Username)
		as = fmt.Sprintf(" as %s (%s)", who, termtext.Line(string(user.Role)))
	}
	old := replacedCredential(ctx, st, s)
	if opts.InsecureStorage {
		fmt.Fprintf(ios.ErrOut, "Warning: storing the token in plain text in %s (mode 0600): anyone who can read this file can act as %s, within the token's scopes.\n", st.filePath(), who)
	}
	if err := store(ctx, st, s, tok, opts.InsecureStorage); err != nil {
		return err
	}
	fmt.Fprintf(ios.ErrOut, "Logged in to %s%s with a token (scopes %s; expires %s). Token stored in %s.\n",
		s.Server, as, scopeList(info.Scopes, ", "), orNever(info.ExpiresAt), storedWhere(st, opts.InsecureStorage))
	if user == nil {
		fmt.Fprintln(ios.ErrOut, noReadScope)
	}
	switch {
	case old.Token && old.Value != tok:
		fmt.Fprintln(ios.ErrOut, "The token stored before was replaced here. "+tokenStaysValid)
	case old.Value != "" && !old.Token:
		// As a password login does, end the session this one replaces.
		if err := opts.Client(s, old.Value).Logout(ctx); err != nil && client.StatusCode(err) != http.StatusUnauthorized {
			fmt.Fprintf(ios.ErrOut, "Warning: the session stored before could not be ended on the server (%v); it stays valid until it expires.\n", err)
		}
	}
	if s.Output == "json" && user != nil {
		return writeJSON(ios.Out, user)
	}
	return nil
}

// sayLoggedIn tells a person about to be asked for a password or token
// as whom they are logged in already, so that a login meant for another
// user, or not needed at all, can be stopped. A stored credential the
// server no longer accepts, or a server out of reach, says nothing here:
// the login that follows needs no warning for it.
func sayLoggedIn(ctx context.Context, opts *loginOptions, s *settings) {
	old := replacedCredential(ctx, opts.Sessions(s), s)
	if old.Value == "" {
		return
	}
	user, _, err := opts.Client(s, old.Value).WhoAmI(ctx)
	if err != nil || user == nil {
		return
	}
	with := "a session"
	if old.Token {
		with = "a token"
	}
	fmt.Fprintf(opts.IO.ErrOut, "Already logged in to %s as %s (%s) with %s; logging in again replaces it.\n", s.Server, termtext.Line(user.Username), termtext.Line(string(user.Role)), with)
}

// tokenStaysValid is what forgetting a token here leaves undone.
const tokenStaysValid = "It stays valid on the server until it expires or is revoked (a token cannot revoke itself): to revoke it, run docs token list and docs token revoke ID, logged in with a password."

// readToken takes a token from standard input or, on a terminal, from a
// hidden prompt, and checks it offline: a token mistyped or cut short is a
// usage error, like an ID docsd cannot take, and is never sent.
func readToken(ctx context.Context, opts *loginOptions) (string, error) {
	var tok string
	if opts.IO.InTTY {
		t, err := opts.Prompter.Password(ctx, "Token: ")
		if err != nil {
			return "", err
		}
		tok = t
	} else {
		b, err := readAtMost(opts.IO.In, 4<<10)
		if err != nil {
			return "", fmt.Errorf("read token from stdin: %w", err)
		}
		tok = string(b)
	}
	// A token has no spaces: whatever surrounds it came with the copy.
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", exitcode.Usagef("no token given: pipe one to docs login --with-token (docs token create makes one)")
	}
	if err := token.Check(tok); err != nil {
		return "", &hintedError{
			err:  exitcode.Usagef("%v; nothing was stored", err),
			hint: "Copy the token again, whole, as 'docs token create' printed it.",
		}
	}
	return tok, nil
}

// warnEnvWins warns when a variable wins over the credential (kind: a
// "session" or "token") that a login stores.
func warnEnvWins(w io.Writer, s *settings, kind string) {
	if env := s.envCredential(); env != "" {
		fmt.Fprintf(w, "Warning: %s is set and wins over the %s stored now; unset it to use this login.\n", env, kind)
	}
}

// store keeps a credential in the keyring, or in the file with
// --insecure-storage.
func store(ctx context.Context, st *sessionStore, s *settings, value string, insecure bool) error {
	var err error
	if insecure {
		err = st.SaveFile(s.Server, value)
	} else {
		err = st.SaveKeyring(ctx, s.Server, value)
	}
	var ke *keyringError
	switch {
	case errors.As(err, &ke):
		return noKeyringError(err, st, s)
	case err != nil:
		return fmt.Errorf("store the credential: %w", err)
	}
	return nil
}

// storedWhere names where store put a credential.
func storedWhere(st *sessionStore, insecure bool) string {
	if insecure {
		return st.filePath()
	}
	return "the system keyring"
}

// replacedCredential returns the stored credential a login replaces, or
// nothing when it is the one in DOCS_SESSION or DOCS_TOKEN, which is not
// replaced (it stays in use). Finding nothing, for whatever reason, is no
// reason not to log in: the keyring, when needed, has been asked already.
func replacedCredential(ctx context.Context, st *sessionStore, s *settings) storedSession {
	old, err := st.LookupStored(ctx, s.Server)
	if err != nil || old.Value == s.EnvSession || old.Value == s.EnvToken {
		return storedSession{}
	}
	return old
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
	err  error
	file string
	env  string // the variable set already, DOCS_TOKEN or DOCS_SESSION, or ""
}

func (e *noKeyringLoginError) Error() string { return e.err.Error() }
func (e *noKeyringLoginError) Unwrap() error { return e.err }
func (e *noKeyringLoginError) Hint() string {
	insecure := "  docs login --insecure-storage   store the session in " + e.file + " (mode 0600) instead"
	if e.env != "" {
		// Advising to set what is set already would send the person in a circle.
		return "docs does not fall back to plain text silently. " + e.env + " is set, and the other docs\n" +
			"commands use it without any login. To store a session anyway:\n" + insecure
	}
	return "docs does not fall back to plain text silently. Either:\n" + insecure + "\n" +
		"  export DOCS_TOKEN=<token>       pass a token made with docs token create in the environment (CI)"
}

func noKeyringError(err error, st *sessionStore, s *settings) error {
	return &noKeyringLoginError{err: err, file: st.filePath(), env: s.envCredential()}
}
