package cli

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/termtext"
)

type statusOptions struct {
	cmdEnv
}

func newCmdStatus(f *factory, runF func(*statusOptions) error) *cobra.Command {
	opts := &statusOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:     "status",
		Aliases: []string{"whoami"},
		Short:   "Show the server, who you are logged in as, and which credential docs uses",
		Long: `Show the server, the user and role the credential belongs to, and which
credential docs uses: a token (from DOCS_TOKEN, or stored by docs login
--with-token), with its scopes and expiry as the server reports them, or a
session (from DOCS_SESSION, or stored by docs login). Exits 4 when not
logged in.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	addJSONFlags(cmd, f, statusFields)
	return cmd
}

// statusJSON is the -o json form of docs status: session or token says
// where the credential came from (env, keyring or file).
type statusJSON struct {
	Server  string           `json:"server"`
	User    *client.User     `json:"user"`
	Session string           `json:"session,omitempty"`
	Token   *tokenStatusJSON `json:"token,omitempty"`
}

type tokenStatusJSON struct {
	Source    string         `json:"source"`
	Scopes    []client.Scope `json:"scopes"`
	ExpiresAt *time.Time     `json:"expires_at"` // null: never
}

// unreadableToken reports whether WhoAmI failed only because the token has
// no read scope: the server knows it, and said what it is.
func unreadableToken(info *client.TokenInfo, err error) bool {
	return info != nil && client.StatusCode(err) == http.StatusForbidden
}

// noReadScope says why a token's user is not shown.
const noReadScope = "The token's scopes do not include read, which GET /me needs, so docs cannot say whose it is."

func statusRun(ctx context.Context, opts *statusOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	if err := sess.requireStored(); err != nil {
		return err
	}
	me, info, err := sess.Client.WhoAmI(ctx)
	if me == nil && !unreadableToken(info, err) {
		return sess.check(err)
	}
	where := sess.Store.describe(sess.Stored, sess.Server)
	if sess.Output == "json" {
		out := statusJSON{Server: sess.Server, User: me}
		if info != nil {
			out.Token = &tokenStatusJSON{Source: string(sess.Stored.Source), Scopes: info.Scopes, ExpiresAt: info.ExpiresAt}
		} else {
			out.Session = string(sess.Stored.Source)
		}
		return writeJSON(opts.IO.Out, out)
	}
	tw := newFields(opts.IO.Out)
	fmt.Fprintf(tw, "Server:\t%s\n", sess.Server)
	if me != nil {
		fmt.Fprintf(tw, "User:\t%s\n", termtext.Line(me.Username))
		fmt.Fprintf(tw, "Role:\t%s\n", termtext.Line(string(me.Role)))
	}
	if info != nil {
		fmt.Fprintf(tw, "Token:\t%s\n", where)
		fmt.Fprintf(tw, "Scopes:\t%s\n", scopeList(info.Scopes, ", "))
		fmt.Fprintf(tw, "Expires:\t%s\n", orNever(info.ExpiresAt))
	} else {
		fmt.Fprintf(tw, "Session:\t%s\n", where)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if me == nil {
		fmt.Fprintln(opts.IO.ErrOut, noReadScope)
	}
	return nil
}
