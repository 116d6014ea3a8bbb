package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/suggest"
	"github.com/docsd/docs/pkg/termtext"
)

type tokenOptions struct {
	cmdEnv
}

func newCmdToken(f *factory, runF func(*tokenOptions) error) *cobra.Command {
	opts := &tokenOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "token [<command>]",
		Short: "Print the credential docs uses; create, list and revoke personal access tokens",
		Long: `With no command, print the credential docs uses for the server, for a CI
step or another tool: the token in DOCS_TOKEN, else the session in
DOCS_SESSION, else the stored one (a session cookie value, or a token
stored by docs login --with-token).

  curl -b "docs_session=$(docs token)" http://127.0.0.1:5555/me        # a session
  curl -H "Authorization: Bearer $(docs token)" http://127.0.0.1:5555/me  # a token

It is a secret: whoever holds it acts as you until it expires or you log
out (a session) or it is revoked (a token). Exits 4 when nothing is stored.

Personal access tokens are for scripts and CI: each has a name, scopes
(read for the GET routes, write for document writes, admin for user
administration) and an expiry, and is sent as "Authorization: Bearer".
Set DOCS_TOKEN to one and every docs command uses it. Creating, listing and
revoking tokens needs a session (docs login with a password): a token
cannot make more tokens.`,
		Example: `  export DOCS_TOKEN=$(docs token create --name ci --scope read,write --expires 30d)
  docs token list
  docs token revoke 3`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return exitcode.Usagef("unknown command %q for %q: create, list or revoke", args[0], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return tokenRun(cmd.Context(), opts)
		},
	}
	cmd.AddCommand(newCmdTokenCreate(f, nil), newCmdTokenList(f, nil), newCmdTokenRevoke(f, nil))
	return cmd
}

func tokenRun(ctx context.Context, opts *tokenOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	if err := sess.requireStored(); err != nil {
		return err
	}
	if opts.IO.OutTTY {
		if sess.Stored.Token {
			fmt.Fprintln(opts.IO.ErrOut, "This is a secret: anyone who has it can act as you, within its scopes, until it expires or is revoked.")
		} else {
			fmt.Fprintln(opts.IO.ErrOut, "This is a secret: anyone who has it can act as you until it expires or you log out.")
		}
	}
	_, err = fmt.Fprintln(opts.IO.Out, sess.Stored.Value)
	return err
}

type tokenCreateOptions struct {
	cmdEnv
	Name    string
	Scopes  []client.Scope
	Expires string // "" leaves it to the server
}

func newCmdTokenCreate(f *factory, runF func(*tokenCreateOptions) error) *cobra.Command {
	opts := &tokenCreateOptions{cmdEnv: f.env()}
	var scopes []string
	cmd := &cobra.Command{
		Use:   "create --name NAME --scope SCOPE[,SCOPE] [--expires DURATION]",
		Short: "Create a personal access token and print it",
		Long: `Create a personal access token and print it, and only it, on standard
output, so that $(docs token create ...) is the token; what it is and when
it expires go to standard error. The server shows a token once: keep it
now (a CI secret, or docs login --with-token).

--scope is one or more of read (the GET routes), write (document writes)
and admin (user administration, for admins only), comma-separated or
repeated. --expires is a duration such as 30d, 12h or 90m; the server
takes at least 1m and at most 365d, defaults to 30d, and allows never only
when its configuration says so.

It needs a session (docs login with a password): DOCS_TOKEN is passed over,
since a token cannot make more tokens. -o json prints the token's record,
the token among it.`,
		Example: `  docs token create --name ci --scope read,write --expires 30d
  export DOCS_TOKEN=$(docs token create --name nightly --scope read)`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Name == "" {
				return exitcode.Usagef("--name is required: a label for the token, such as ci")
			}
			var err error
			if opts.Scopes, err = parseScopes(scopes); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return tokenCreateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "the token's `name`, unique among your tokens")
	cmd.Flags().StringSliceVar(&scopes, "scope", nil, "what the token may do: read, write, admin (comma-separated)")
	cmd.Flags().StringVar(&opts.Expires, "expires", "", "how long it lasts: a `duration` such as 30d, 12h (the server's default is 30d)")
	_ = cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions(scopeNames(), cobra.ShellCompDirectiveNoFileComp))
	addJSONFlags(cmd, f, tokenCreateFields)
	return cmd
}

// scopeNames are the scopes docsd knows, in the order they are shown.
func scopeNames() []string {
	return []string{string(client.ScopeRead), string(client.ScopeWrite), string(client.ScopeAdmin)}
}

// parseScopes checks --scope before any request: an unknown scope is a
// usage error that names the nearest known one. A scope given twice is
// sent once.
func parseScopes(args []string) ([]client.Scope, error) {
	if len(args) == 0 {
		return nil, exitcode.Usagef("--scope is required: read, write or admin, comma-separated")
	}
	var out []client.Scope
	for _, a := range args {
		name := strings.ToLower(strings.TrimSpace(a))
		if !slices.Contains(scopeNames(), name) {
			return nil, exitcode.Usagef("invalid scope %q: want read, write or admin (nearest: %s)", a, suggest.Nearest(name, scopeNames()))
		}
		if !slices.Contains(out, client.Scope(name)) {
			out = append(out, client.Scope(name))
		}
	}
	return out, nil
}

func tokenCreateRun(ctx context.Context, opts *tokenCreateOptions) error {
	sess, err := opts.loginSession(ctx)
	if err != nil {
		return err
	}
	t, err := sess.Client.CreateToken(ctx, client.NewToken{Name: opts.Name, Scopes: opts.Scopes, ExpiresIn: opts.Expires})
	if err != nil {
		return sess.check(err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Created token %d %q (scopes %s; expires %s). It is shown only now: keep it somewhere safe.\n",
		t.ID, termtext.Line(t.Name), scopeList(t.Scopes, ", "), orNever(t.ExpiresAt))
	if sess.Output == "json" {
		return writeJSON(opts.IO.Out, t)
	}
	_, err = fmt.Fprintln(opts.IO.Out, t.Secret)
	return err
}

type tokenListOptions struct {
	cmdEnv
}

func newCmdTokenList(f *factory, runF func(*tokenListOptions) error) *cobra.Command {
	opts := &tokenListOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List your tokens: ID, NAME, SCOPES, EXPIRES, LAST USED",
		Long: `List your personal access tokens, oldest first: ID, NAME, SCOPES,
EXPIRES (marked "expired" once past) and LAST USED (never, for both, when
so). The tokens themselves are
never shown again. -o json prints one JSON array, with where each token was
last used from. It needs a session, as docs token create does.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return tokenListRun(cmd.Context(), opts)
		},
	}
	addJSONFlags(cmd, f, tokenFields)
	return cmd
}

func tokenListRun(ctx context.Context, opts *tokenListOptions) error {
	sess, err := opts.loginSession(ctx)
	if err != nil {
		return err
	}
	tokens, err := sess.Client.ListTokens(ctx)
	if err != nil {
		return sess.check(err)
	}
	if sess.Output == "json" {
		if tokens == nil {
			tokens = []client.Token{}
		}
		return writeJSON(opts.IO.Out, tokens)
	}
	if len(tokens) == 0 {
		fmt.Fprintln(opts.IO.ErrOut, "No tokens.")
		return nil
	}
	tw := newTable(opts.IO.Out, opts.IO.OutTTY)
	fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tEXPIRES\tLAST USED")
	for _, t := range tokens {
		expires := orNever(t.ExpiresAt)
		if t.ExpiresAt != nil && !t.ExpiresAt.After(opts.Now()) {
			expires = "expired " + expires
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, termtext.Line(t.Name), scopeList(t.Scopes, ","), expires, orNever(t.LastUsedAt))
	}
	return tw.Flush()
}

type tokenRevokeOptions struct {
	cmdEnv
	Prompter prompter

	ID  int64
	Yes bool
}

func newCmdTokenRevoke(f *factory, runF func(*tokenRevokeOptions) error) *cobra.Command {
	opts := &tokenRevokeOptions{cmdEnv: f.env(), Prompter: f.Prompter}
	cmd := &cobra.Command{
		Use:   "revoke <token-id>",
		Short: "Revoke one of your tokens",
		Long: `Revoke a personal access token (its ID is in docs token list): it stops
working at its next request, everywhere. Whatever uses it (a CI job, a
script) is refused from then on. On a terminal docs asks first, as docs rm
does; without a terminal --yes is required. Answering no revokes nothing,
says "Cancelled", and exits 1. It needs a session, as docs token create
does.`,
		Example: `  docs token revoke 3
  docs token revoke 3 --yes`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return exitcode.Usagef("%s takes one token ID (docs token list shows them); got %d arguments", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ID, err = parseIDOf("token", args[0]); err != nil {
				return err
			}
			if !opts.Yes && !opts.IO.InTTY {
				return exitcode.Usagef("refusing to revoke token %d without confirmation: pass --yes (there is no terminal to ask on)", opts.ID)
			}
			if runF != nil {
				return runF(opts)
			}
			return tokenRevokeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "revoke without asking")
	return cmd
}

func tokenRevokeRun(ctx context.Context, opts *tokenRevokeOptions) error {
	sess, err := opts.loginSession(ctx)
	if err != nil {
		return err
	}
	if !opts.Yes {
		// Show what is about to go; this also turns a wrong ID into a 404
		// before anyone is asked anything.
		tokens, err := sess.Client.ListTokens(ctx)
		if err != nil {
			return sess.check(err)
		}
		i := slices.IndexFunc(tokens, func(t client.Token) bool { return t.ID == opts.ID })
		if i < 0 {
			return tokenNotFound(opts.ID)
		}
		t := tokens[i]
		q := fmt.Sprintf("Revoke token %d %q (scopes %s; last used %s)? Whatever uses it is refused from then on.", t.ID, termtext.Line(t.Name), scopeList(t.Scopes, ", "), orNever(t.LastUsedAt))
		ok, err := opts.Prompter.Confirm(ctx, q)
		if err != nil {
			return err
		}
		if !ok {
			return &cancelledError{result: fmt.Sprintf("token %d was not revoked", opts.ID)}
		}
	}
	if err := sess.Client.RevokeToken(ctx, opts.ID); err != nil {
		return sess.check(err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Revoked token %d.\n", opts.ID)
	return nil
}

// tokenNotFound is the 404 the server gives for a token that is not the
// caller's, for an ID the list does not hold.
func tokenNotFound(id int64) error {
	detail := fmt.Sprintf("token %d not found", id)
	problem, _ := json.Marshal(map[string]any{"type": "about:blank", "title": "Not Found", "status": http.StatusNotFound, "detail": detail})
	return &client.Error{StatusCode: http.StatusNotFound, Title: "Not Found", Detail: detail, Problem: problem}
}

// scopeList joins scopes with sep: "read,write" in a table, "read, write"
// in a sentence.
func scopeList(scopes []client.Scope, sep string) string {
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = termtext.Line(string(s))
	}
	return strings.Join(names, sep)
}

// orNever formats a time a token may not have (an expiry, a last use):
// "never" when it has none.
func orNever(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return timestamp(*t)
}
