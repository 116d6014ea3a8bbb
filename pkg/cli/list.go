package cli

import (
	"context"
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
)

type listOptions struct {
	cmdEnv
	Limit int
}

func newCmdList(f *factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List documents",
		Long: `List documents in ID order: ID, TITLE, AUTHOR, UPDATED. Works without
logging in. Follows the server's pages to the end, or stops after
--limit documents; -o json prints one JSON array.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Limit < 0 {
				return usageErrorf("--limit must not be negative")
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVarP(&opts.Limit, "limit", "L", 0, "list at most `N` documents (0 for all)")
	return cmd
}

func listRun(ctx context.Context, opts *listOptions) error {
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	// A public route by default: no session is read, so no keyring is
	// touched. A server that took document_list off its skip list says 401;
	// then the stored session is sent.
	lo := client.ListOptions{Limit: opts.Limit}
	docs, err := opts.Client(s, "").ListDocuments(ctx, lo)
	if client.StatusCode(err) == http.StatusUnauthorized {
		sess, lerr := opts.login(ctx)
		if lerr != nil {
			return lerr
		}
		if sess.Stored.Source == "" {
			return sess.check(err)
		}
		docs, err = sess.Client.ListDocuments(ctx, lo)
		err = sess.check(err)
	}
	if err != nil {
		return err
	}
	if s.Output == "json" {
		if docs == nil {
			docs = []client.Document{}
		}
		return writeJSON(opts.IO.Out, docs)
	}
	if len(docs) == 0 {
		fmt.Fprintln(opts.IO.ErrOut, "No documents.")
		return nil
	}
	tw := newTable(opts.IO.Out)
	fmt.Fprintln(tw, "ID\tTITLE\tAUTHOR\tUPDATED")
	for _, d := range docs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", d.ID, clean(d.Title), clean(d.Author.Username), timestamp(d.UpdatedAt))
	}
	return tw.Flush()
}
