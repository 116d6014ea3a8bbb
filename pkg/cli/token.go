package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

type tokenOptions struct {
	cmdEnv
}

func newCmdToken(f *factory, runF func(*tokenOptions) error) *cobra.Command {
	opts := &tokenOptions{cmdEnv: f.env()}
	return &cobra.Command{
		Use:   "token",
		Short: "Print the session cookie value for the server",
		Long: `Print the value of the session cookie docs uses for the server (from
DOCS_SESSION, else the stored one), for a CI step or another tool:

  DOCS_SESSION=$(docs token)
  curl -b "docs_session=$(docs token)" http://127.0.0.1:5555/me

It is a secret: whoever holds it acts as you until it expires or you log
out. Exits 4 when no session is stored.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return tokenRun(cmd.Context(), opts)
		},
	}
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
		fmt.Fprintln(opts.IO.ErrOut, "This is a secret: anyone who has it can act as you until it expires or you log out.")
	}
	_, err = fmt.Fprintln(opts.IO.Out, sess.Stored.Value)
	return err
}
