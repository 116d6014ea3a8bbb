package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

type rmOptions struct {
	cmdEnv
	Prompter prompter

	IDs []int64
	Yes bool
}

func newCmdRm(f *factory, runF func(*rmOptions) error) *cobra.Command {
	opts := &rmOptions{cmdEnv: f.env(), Prompter: f.Prompter}
	cmd := &cobra.Command{
		Use:     "rm <id>...",
		Aliases: []string{"delete"},
		Short:   "Delete documents",
		Long: `Delete documents. On a terminal docs asks first, for each; without a
terminal --yes is required. Answering no deletes nothing, says "Cancelled",
and exits 1.

With several IDs, each is deleted that can be; the others are reported,
and the exit code is the most severe (the first of them in the exit code
table).`,
		Example: `  docs rm 7
  docs rm 4 5 --yes`,
		Args:              someIDs,
		ValidArgsFunction: completeIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.IDs, err = parseIDs(args); err != nil {
				return err
			}
			if !opts.Yes && !opts.IO.InTTY {
				return exitcode.Usagef("refusing to delete %s without confirmation: pass --yes (there is no terminal to ask on)", documentsNamed(opts.IDs))
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
	// Each outcome is printed as it happens, so that stderr reads in the
	// order of the IDs given: "Deleted document 6.", then 7's error.
	p := errorPrinter{w: opts.IO.ErrOut, json: sess.Output == "json", ci: sess.CI, command: "docs rm"}
	var errs []error
	for _, id := range opts.IDs {
		if err := rmOne(ctx, opts, sess, id); err != nil {
			p.print(err)
			errs = append(errs, err)
			if !perDocument(err) {
				break
			}
		}
	}
	if err := joinDocumentErrors(errs); err != nil {
		return &reportedError{err: err}
	}
	return nil
}

func rmOne(ctx context.Context, opts *rmOptions, sess *session, id int64) error {
	if !opts.Yes {
		// Show what is about to go; this also turns a wrong ID into a 404
		// before anyone is asked anything.
		d, err := sess.Client.GetDocument(ctx, id)
		if err != nil {
			return sess.check(err)
		}
		ok, err := opts.Prompter.Confirm(ctx, fmt.Sprintf("Delete document %d %q by %s?", d.ID, termtext.Line(d.Title), termtext.Line(d.Author.Username)))
		if err != nil {
			return err
		}
		if !ok {
			return &cancelledError{result: fmt.Sprintf("document %d was not deleted", id)}
		}
	}
	if err := sess.Client.DeleteDocument(ctx, id); err != nil {
		return sess.check(err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Deleted document %d.\n", id)
	return nil
}

// documentsNamed says "document 7" or "documents 4, 5".
func documentsNamed(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	if len(ids) == 1 {
		return "document " + s[0]
	}
	return "documents " + strings.Join(s, ", ")
}
