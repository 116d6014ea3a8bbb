package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

type rmOptions struct {
	cmdEnv
	Prompter prompter

	ID  int64
	Yes bool
}

func newCmdRm(f *factory, runF func(*rmOptions) error) *cobra.Command {
	opts := &rmOptions{cmdEnv: f.env(), Prompter: f.Prompter}
	cmd := &cobra.Command{
		Use:     "rm <id>",
		Aliases: []string{"delete"},
		Short:   "Delete a document",
		Long: `Delete a document. On a terminal docs asks first; without a terminal
--yes is required. Answering no deletes nothing, says "Cancelled", and
exits 1.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ID, err = parseID(args[0]); err != nil {
				return err
			}
			if !opts.Yes && !opts.IO.InTTY {
				return usageErrorf("refusing to delete document %d without confirmation: pass --yes (there is no terminal to ask on)", opts.ID)
			}
			if runF != nil {
				return runF(opts)
			}
			return rmRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	return cmd
}

func rmRun(ctx context.Context, opts *rmOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	if !opts.Yes {
		// Show what is about to go; this also turns a wrong ID into a 404
		// before anyone is asked anything.
		d, err := sess.Client.GetDocument(ctx, opts.ID)
		if err != nil {
			return sess.check(err)
		}
		ok, err := opts.Prompter.Confirm(fmt.Sprintf("Delete document %d %q by %s?", d.ID, clean(d.Title), clean(d.Author.Username)))
		if err != nil {
			return err
		}
		if !ok {
			return &cancelledError{result: fmt.Sprintf("document %d was not deleted", opts.ID)}
		}
	}
	if err := sess.Client.DeleteDocument(ctx, opts.ID); err != nil {
		return sess.check(err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Deleted document %d.\n", opts.ID)
	return nil
}
