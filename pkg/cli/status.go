package cli

import (
	"context"
	"fmt"
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
	return &cobra.Command{
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

func statusRun(ctx context.Context, opts *statusOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	if err := sess.requireStored(); err != nil {
		return err
	}
	me, info, err := sess.Client.WhoAmI(ctx)
	if err != nil {
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
	tw := newTable(opts.IO.Out)
	fmt.Fprintf(tw, "Server:\t%s\n", sess.Server)
	fmt.Fprintf(tw, "User:\t%s\n", termtext.Line(me.Username))
	fmt.Fprintf(tw, "Role:\t%s\n", termtext.Line(string(me.Role)))
	if info != nil {
		fmt.Fprintf(tw, "Token:\t%s\n", where)
		fmt.Fprintf(tw, "Scopes:\t%s\n", scopeList(info.Scopes, ", "))
		fmt.Fprintf(tw, "Expires:\t%s\n", orNever(info.ExpiresAt))
	} else {
		fmt.Fprintf(tw, "Session:\t%s\n", where)
	}
	return tw.Flush()
}
