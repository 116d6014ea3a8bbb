package cli

import (
	"context"
	"fmt"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

type logOptions struct {
	cmdEnv
	ID    int64
	Limit int
}

func newCmdLog(f *factory, runF func(*logOptions) error) *cobra.Command {
	opts := &logOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "log <id>",
		Short: "Show the history of a document",
		Long: `Show the versions of a document, newest first: each one's number, title,
who made it and when. BY is "-" for a change no user made: the move of a
removed user's documents by 'docsd user rm --reassign-to', or the version a
document had when the server began to keep history. The server may keep
only the newest versions (documents.keep_revisions).

A deleted document's history is shown to its author and to admins.`,
		Example: `  docs log 7
  docs log 7 -L 5 -o json`,
		Args:              oneID,
		ValidArgsFunction: completeIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ID, err = parseID(args[0]); err != nil {
				return err
			}
			if opts.Limit < 0 {
				return exitcode.Usagef("invalid --limit %d: want 0 (all) or more", opts.Limit)
			}
			if runF != nil {
				return runF(opts)
			}
			return logRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVarP(&opts.Limit, "limit", "L", 0, "show at most the newest `N` versions (0: all)")
	addJSONFlags(cmd, f, revisionFields)
	return cmd
}

func logRun(ctx context.Context, opts *logOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	list, err := sess.Client.ListRevisions(ctx, opts.ID, opts.Limit)
	if err != nil {
		return sess.check(err)
	}
	if sess.Output == "json" {
		if list == nil {
			list = []client.Revision{}
		}
		return writeJSON(opts.IO.Out, list)
	}
	tw := newTable(opts.IO.Out, opts.IO.OutTTY)
	fmt.Fprintln(tw, "VERSION\tTITLE\tBY\tWHEN")
	for _, r := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", r.Version, termtext.Line(r.Title), byName(r.By), timestamp(r.CreatedAt))
	}
	return tw.Flush()
}

// byName is who made a revision, "-" for no user.
func byName(by *client.Author) string {
	if by == nil {
		return "-"
	}
	return termtext.Line(by.Username)
}

// getVersion prints one version of a document for `docs get --version`.
func getVersion(ctx context.Context, opts *getOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	r, err := sess.Client.GetRevision(ctx, opts.IDs[0], opts.Version)
	if err != nil {
		return sess.check(err)
	}
	if sess.Output == "json" {
		return writeJSON(opts.IO.Out, r)
	}
	tw := newFields(opts.IO.Out)
	fmt.Fprintf(tw, "id:\t%d\n", r.DocumentID)
	fmt.Fprintf(tw, "version:\t%d\n", r.Version)
	fmt.Fprintf(tw, "title:\t%s\n", termtext.Line(r.Title))
	fmt.Fprintf(tw, "author:\t%s\n", termtext.Line(r.Author.Username))
	fmt.Fprintf(tw, "by:\t%s\n", byName(r.By))
	fmt.Fprintf(tw, "created:\t%s\n", timestamp(r.CreatedAt))
	if err := tw.Flush(); err != nil {
		return err
	}
	return printBody(opts.IO, r.Body)
}

type diffOptions struct {
	cmdEnv
	ID          int64
	Version, To int64
	File        string // compare the current version with this file
	Color       bool   // colour the diff: a terminal, and no NO_COLOR
}

func newCmdDiff(f *factory, runF func(*diffOptions) error) *cobra.Command {
	opts := &diffOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "diff <id> [<file> | --version <n> [--to <m>]]",
		Short: "Compare two versions of a document, or a document and its file",
		Long: `Print a unified diff from version --version of a document to version --to,
by default its current version. Each side is the title, a blank line, then
the body.

Without --version, the diff is from the document's current version to a
file written by docs pull (its title and body; the front matter's other
fields are not compared): the file given, or else the one docs pull wrote
for the document into the current directory. That is what docs push would
send.

The exit code is that of kubectl diff and diff(1): 0 when the versions are
the same, 1 when they differ, and more than 1 when docs could not compare
them. A failure that any other command exits 1 for (the network, a server
error) exits 3 here, so that it is never read as "different"; the other
codes are those of the table in 'docs --help'. On a terminal the diff is
coloured, unless NO_COLOR is set.`,
		Example: `  docs diff 7 --version 2
  docs diff 7 --version 2 --to 5
  docs diff 7 notes/7-release-notes.md
  docs diff 7`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 2 {
				return nil
			}
			return oneID(cmd, args)
		},
		ValidArgsFunction: completeIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ID, err = parseID(args[0]); err != nil {
				return err
			}
			versionSet := cmd.Flags().Changed("version")
			if len(args) == 2 {
				opts.File = args[1]
				if versionSet || cmd.Flags().Changed("to") {
					return exitcode.Usagef("compare with a file or with --version, not both")
				}
			}
			if versionSet && opts.Version < 1 {
				return exitcode.Usagef("invalid --version %d: want the version to compare from, 1 or more", opts.Version)
			}
			if cmd.Flags().Changed("to") && !versionSet {
				return exitcode.Usagef("--to needs --version: the version to compare from")
			}
			if cmd.Flags().Changed("to") && opts.To < 1 {
				return exitcode.Usagef("invalid --to %d: want a version, 1 or more", opts.To)
			}
			opts.Color = opts.IO.OutTTY && f.Getenv("NO_COLOR") == ""
			if runF != nil {
				return runF(opts)
			}
			if !versionSet {
				return diffFailed(diffFileRun(cmd.Context(), opts))
			}
			return diffFailed(diffRun(cmd.Context(), opts))
		},
	}
	cmd.Flags().Int64Var(&opts.Version, "version", 0, "compare from version `n`")
	cmd.Flags().Int64Var(&opts.To, "to", 0, "compare to version `m` (default: the current version)")
	return cmd
}

func diffRun(ctx context.Context, opts *diffOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	from, err := sess.Client.GetRevision(ctx, opts.ID, opts.Version)
	if err != nil {
		return sess.check(err)
	}
	var to docVersion
	if opts.To > 0 {
		r, err := sess.Client.GetRevision(ctx, opts.ID, opts.To)
		if err != nil {
			return sess.check(err)
		}
		to = docVersion{r.Version, r.Title, r.Body}
	} else {
		d, err := sess.Client.GetDocument(ctx, opts.ID)
		if err != nil {
			return sess.check(err)
		}
		to = docVersion{d.Version, d.Title, d.Body}
	}
	return printDiff(opts, diffVersions(opts.ID, docVersion{from.Version, from.Title, from.Body}, to))
}

// printDiff prints a diff, escaped and coloured on a terminal, and
// returns errDifferent unless it is empty.
func printDiff(opts *diffOptions, d string) error {
	if d == "" {
		return nil
	}
	if opts.IO.OutTTY {
		d = termtext.Text(d)
	}
	if opts.Color {
		d = colorDiff(d)
	}
	fmt.Fprint(opts.IO.Out, d)
	return errDifferent
}

// colorDiff colours a unified diff as git does: removed lines red, added
// green, hunk headers cyan, file headers bold.
func colorDiff(d string) string {
	lines := strings.SplitAfter(d, "\n")
	for i, l := range lines {
		var c string
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
			c = "1"
		case strings.HasPrefix(l, "@@"):
			c = "36"
		case strings.HasPrefix(l, "-"):
			c = "31"
		case strings.HasPrefix(l, "+"):
			c = "32"
		default:
			continue
		}
		text, nl := strings.CutSuffix(l, "\n")
		lines[i] = "\x1b[" + c + "m" + text + "\x1b[m"
		if nl {
			lines[i] += "\n"
		}
	}
	return strings.Join(lines, "")
}

// docVersion is what diffVersions compares of a document at one version.
type docVersion struct {
	n           int64
	title, body string
}

// diffVersions is the unified diff from a to b of document id, each side
// its title, a blank line and its body; "" when they are the same.
func diffVersions(id int64, a, b docVersion) string {
	return udiff.Unified(fmt.Sprintf("document %d version %d", id, a.n), fmt.Sprintf("document %d version %d", id, b.n), a.text(), b.text())
}

// text is what a diff shows of a version: its title, a blank line and its
// body, ending with a newline.
func (v docVersion) text() string {
	s := v.title + "\n\n" + v.body
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

type revertOptions struct {
	cmdEnv
	Prompter prompter
	ID, To   int64
	Yes      bool
}

func newCmdRevert(f *factory, runF func(*revertOptions) error) *cobra.Command {
	opts := &revertOptions{cmdEnv: f.env(), Prompter: f.Prompter}
	cmd := &cobra.Command{
		Use:   "revert <id> --to <n>",
		Short: "Make an earlier version of a document current again",
		Long: `Save the title and body of version --to as the document's next version;
the versions in between stay in its history. On a terminal docs shows the
version the document is at and asks first, then reverts only if it is
still at that version; without a terminal --yes is required, and the
document is reverted whatever version it is at. Answering no changes
nothing, says "Cancelled", and exits 1.

The same users may revert a document as may edit it.`,
		Example: `  docs revert 7 --to 2
  docs revert 7 --to 2 --yes`,
		Args:              oneID,
		ValidArgsFunction: completeIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ID, err = parseID(args[0]); err != nil {
				return err
			}
			if opts.To < 1 {
				return exitcode.Usagef("--to is required: the version to bring back, 1 or more")
			}
			if !opts.Yes && !opts.IO.InTTY {
				return exitcode.Usagef("refusing to revert document %d without confirmation: pass --yes (there is no terminal to ask on)", opts.ID)
			}
			if runF != nil {
				return runF(opts)
			}
			return revertRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().Int64Var(&opts.To, "to", 0, "bring back version `n`")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "revert without asking")
	addJSONFlags(cmd, f, documentFields)
	return cmd
}

func revertRun(ctx context.Context, opts *revertOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	var uo client.UpdateOptions
	if !opts.Yes {
		d, err := sess.Client.GetDocument(ctx, opts.ID)
		if err != nil {
			return sess.check(err)
		}
		ok, err := opts.Prompter.Confirm(ctx, fmt.Sprintf("Revert document %d %q (version %d) to version %d?", d.ID, termtext.Line(d.Title), d.Version, opts.To))
		if err != nil {
			return err
		}
		if !ok {
			return &cancelledError{result: fmt.Sprintf("document %d was not reverted", opts.ID)}
		}
		// What was confirmed is a revert of this version, not of one
		// someone saves meanwhile.
		uo.IfMatch = d.ETag
	}
	d, err := sess.Client.RevertDocument(ctx, opts.ID, opts.To, uo)
	if err != nil {
		return sess.check(err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Reverted document %d to version %d, as version %d.\n", d.ID, opts.To, d.Version)
	if sess.Output == "json" {
		return writeJSON(opts.IO.Out, d)
	}
	return nil
}

type restoreOptions struct {
	cmdEnv
	ID int64
}

func newCmdRestore(f *factory, runF func(*restoreOptions) error) *cobra.Command {
	opts := &restoreOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "restore <id>",
		Short: "Bring back a deleted document",
		Long: `Bring back a deleted document under its ID, with the title and body it had
when it was deleted, as its next version. Its author or an admin may.`,
		Example:           `  docs restore 7`,
		Args:              oneID,
		ValidArgsFunction: completeIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ID, err = parseID(args[0]); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return restoreRun(cmd.Context(), opts)
		},
	}
	addJSONFlags(cmd, f, documentFields)
	return cmd
}

func restoreRun(ctx context.Context, opts *restoreOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	d, err := sess.Client.RestoreDocument(ctx, opts.ID)
	if err != nil {
		return sess.check(err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Restored document %d (version %d).\n", d.ID, d.Version)
	if sess.Output == "json" {
		return writeJSON(opts.IO.Out, d)
	}
	return nil
}
