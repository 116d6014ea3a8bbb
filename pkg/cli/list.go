package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

// defaultListLimit is how many documents docs list shows unless told, as
// gh lists 30 issues.
const defaultListLimit = 30

type listOptions struct {
	cmdEnv
	Limit  int // 0 for all
	Author string
}

func newCmdList(f *factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{cmdEnv: f.env()}
	var all bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List documents",
		Long: `List documents in ID order: ID, TITLE, AUTHOR, UPDATED. Works without
logging in. Shows the first 30 unless --limit or --all says otherwise, and
prints each page as it arrives, so the first lines come at once however
many documents there are (columns are aligned within a page). --author
keeps one user's documents. -o json prints one JSON array.`,
		Example: `  docs list
  docs list -L 5
  docs list --author alice
  docs list --all -o json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case all && cmd.Flags().Changed("limit"):
				return exitcode.Usagef("--limit and --all cannot be used together")
			case all:
				opts.Limit = 0
			case opts.Limit <= 0:
				return exitcode.Usagef("--limit must be at least 1 (--all lists every document)")
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVarP(&opts.Limit, "limit", "L", defaultListLimit, "list at most `N` documents")
	cmd.Flags().BoolVar(&all, "all", false, "list every document")
	cmd.Flags().StringVar(&opts.Author, "author", "", "list only the documents of the user `name`")
	addJSONFlags(cmd, f, listFields)
	return cmd
}

func listRun(ctx context.Context, opts *listOptions) error {
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	p := newListPrinter(opts.IO.Out, s.Output == "json", opts.IO.OutTTY)
	lo := client.ListOptions{Limit: opts.Limit, Author: opts.Author}
	more, err := opts.readPublic(ctx, s, func() bool { return p.n > 0 }, func(c *client.Client) (bool, error) {
		return c.ListDocumentPages(ctx, lo, p.page)
	})
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	switch {
	case p.n == 0 && !p.json:
		fmt.Fprintln(opts.IO.ErrOut, "No documents.")
	case more && opts.IO.OutTTY:
		first := fmt.Sprintf("the first %d documents", p.n)
		if p.n == 1 {
			first = "the first document"
		}
		fmt.Fprintf(opts.IO.ErrOut, "Showing %s; there are more (--limit N, or --all).\n", first)
	}
	return nil
}

// readPublic runs read against a public route (document_list): with no
// session, so no keyring is touched. A server that took the route off its
// skip list says 401; unless something was printed already, read runs
// again with the stored session.
func (e cmdEnv) readPublic(ctx context.Context, s *settings, printed func() bool, read func(*client.Client) (bool, error)) (bool, error) {
	more, err := read(e.Client(s, ""))
	if client.StatusCode(err) != http.StatusUnauthorized || printed() {
		return more, err
	}
	sess, lerr := e.login(ctx)
	if lerr != nil {
		return false, lerr
	}
	if sess.Stored.Source == "" {
		return false, sess.check(err)
	}
	more, err = read(sess.Client)
	return more, sess.check(err)
}

// writeJSONItem writes v as the nth element (from 0) of a JSON array
// written element by element; end closes it.
func writeJSONItem(w io.Writer, n int, v any) error {
	b, err := json.MarshalIndent(v, "  ", "  ")
	if err != nil {
		return err
	}
	sep := ",\n  "
	if n == 0 {
		sep = "[\n  "
	}
	_, err = fmt.Fprintf(w, "%s%s", sep, termtext.JSON(b))
	return err
}

// endJSON closes a JSON array of n elements written by writeJSONItem
// ("[]" for none).
func endJSON(w io.Writer, n int) error {
	var err error
	if n == 0 {
		_, err = fmt.Fprintln(w, "[]")
	} else {
		_, err = fmt.Fprint(w, "\n]\n")
	}
	return err
}

// listPrinter writes documents page by page: a table flushed after each
// page, or one JSON array written element by element.
type listPrinter struct {
	w    io.Writer
	json bool
	tw   *table
	n    int
}

func newListPrinter(w io.Writer, json, tty bool) *listPrinter {
	return &listPrinter{w: w, json: json, tw: newTable(w, tty)}
}

func (p *listPrinter) page(docs []client.Document) error {
	for _, d := range docs {
		if p.json {
			if err := writeJSONItem(p.w, p.n, d); err != nil {
				return err
			}
		} else {
			if p.n == 0 {
				fmt.Fprintln(p.tw, "ID\tTITLE\tAUTHOR\tUPDATED")
			}
			fmt.Fprintf(p.tw, "%d\t%s\t%s\t%s\n", d.ID, termtext.Line(d.Title), termtext.Line(d.Author.Username), timestamp(d.UpdatedAt))
		}
		p.n++
	}
	if p.json {
		return nil
	}
	return p.tw.Flush()
}

// end closes the JSON array ("[]" for none).
func (p *listPrinter) end() error {
	if !p.json {
		return nil
	}
	return endJSON(p.w, p.n)
}
