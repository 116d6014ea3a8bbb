package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

type searchOptions struct {
	cmdEnv
	Query  string
	Limit  int
	Author string
	// Highlight marks matches in the table: on a terminal, unless
	// NO_COLOR is set.
	Highlight bool
}

func newCmdSearch(f *factory, runF func(*searchOptions) error) *cobra.Command {
	opts := &searchOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Search documents",
		Long: `Search documents: ID, TITLE, AUTHOR and a snippet of the body around the
first match, matches highlighted on a terminal (not with NO_COLOR, nor when
piped). Documents whose title matches come first, then the newest. Shows
the first 30 unless --limit says otherwise. Works without logging in.

The query: every word must match; "a phrase" matches its words adjacent
and in order; -word excludes; a OR b matches either; word* matches words
that start with it. Case and diacritics do not matter (cafe finds Café),
and what is typed as one thing, such as user_id, docsd.conf, a path, a URL
or v1.2.3, matches where its words are adjacent. Several arguments are
one query.

Finding nothing is no error: docs exits 0 and says so on stderr.`,
		Example: `  docs search handbook
  docs search user_id --author alice
  docs search '"release checklist" -draft'
  docs search 'config* OR settings' -L 5 -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return exitcode.Usagef("docs search needs a query, as in: docs search handbook")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Limit <= 0 {
				return exitcode.Usagef("--limit must be at least 1")
			}
			opts.Query = strings.Join(args, " ")
			opts.Highlight = opts.IO.OutTTY && f.Getenv("NO_COLOR") == ""
			if runF != nil {
				return runF(opts)
			}
			return searchRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVarP(&opts.Limit, "limit", "L", defaultListLimit, "show at most `N` documents")
	cmd.Flags().StringVar(&opts.Author, "author", "", "search only the documents of the user `name`")
	addJSONFlags(cmd, f, searchFields)
	return cmd
}

func searchRun(ctx context.Context, opts *searchOptions) error {
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	p := &searchPrinter{w: opts.IO.Out, json: s.Output == "json", tw: newTable(opts.IO.Out, opts.IO.OutTTY), highlight: opts.Highlight}
	so := client.SearchOptions{Query: opts.Query, Limit: opts.Limit, Author: opts.Author}
	more, err := opts.readPublic(ctx, s, func() bool { return p.n > 0 }, func(c *client.Client) (bool, error) {
		return c.SearchDocumentPages(ctx, so, p.page)
	})
	if err != nil {
		return err
	}
	if p.json {
		if err := endJSON(p.w, p.n); err != nil {
			return err
		}
	}
	switch {
	case p.n == 0:
		fmt.Fprintf(opts.IO.ErrOut, "no documents match %s\n", termtext.Line(opts.Query))
	case more && opts.IO.OutTTY:
		fmt.Fprintf(opts.IO.ErrOut, "Showing the first %d matches; there are more (--limit N).\n", p.n)
	}
	return nil
}

// searchPrinter writes search results page by page, as listPrinter does.
type searchPrinter struct {
	w         io.Writer
	json      bool
	tw        *table
	highlight bool
	n         int
}

// Highlighting is bold yellow, as grep --color and gh search show
// matches; the snippet is the last column, so the escapes, which
// the table would count as width, misalign nothing.
const (
	highlightOn  = "\x1b[1;33m"
	highlightOff = "\x1b[0m"
)

func (p *searchPrinter) page(found []client.Found) error {
	for _, f := range found {
		if p.json {
			if err := writeJSONItem(p.w, p.n, f); err != nil {
				return err
			}
		} else {
			if p.n == 0 {
				fmt.Fprintln(p.tw, "ID\tTITLE\tAUTHOR\tSNIPPET")
			}
			fmt.Fprintf(p.tw, "%d\t%s\t%s\t%s\n", f.ID, termtext.Line(f.Title), termtext.Line(f.Author.Username), p.snippet(f.Snippet))
		}
		p.n++
	}
	if p.json {
		return nil
	}
	return p.tw.Flush()
}

// snippet writes a snippet on one line, its text escaped as every text
// from the server is (termtext), its matches highlighted when asked.
func (p *searchPrinter) snippet(segs []client.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		text := termtext.Line(s.Text)
		if s.Match && p.highlight {
			text = highlightOn + text + highlightOff
		}
		b.WriteString(text)
	}
	return b.String()
}
