package cli

import (
	"context"
	"fmt"

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
		Short:   "Show the server, who you are logged in as, and where the session is stored",
		Long: `Show the server, the user and role the session belongs to, and where
the session is stored. Exits 4 when not logged in.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
}

// statusJSON is the -o json form of docs status.
type statusJSON struct {
	Server  string       `json:"server"`
	User    *client.User `json:"user"`
	Session string       `json:"session"` // env, keyring or file
}

func statusRun(ctx context.Context, opts *statusOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	if err := sess.requireStored(); err != nil {
		return err
	}
	me, err := sess.Client.Me(ctx)
	if err != nil {
		return sess.check(err)
	}
	if sess.Output == "json" {
		return writeJSON(opts.IO.Out, statusJSON{Server: sess.Server, User: me, Session: string(sess.Stored.Source)})
	}
	tw := newTable(opts.IO.Out)
	fmt.Fprintf(tw, "Server:\t%s\n", sess.Server)
	fmt.Fprintf(tw, "User:\t%s\n", termtext.Line(me.Username))
	fmt.Fprintf(tw, "Role:\t%s\n", termtext.Line(string(me.Role)))
	fmt.Fprintf(tw, "Session:\t%s\n", sess.Store.describe(sess.Stored.Source, sess.Server))
	return tw.Flush()
}
