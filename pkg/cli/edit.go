package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

type editOptions struct {
	cmdEnv
	RunEditor editorFunc

	ID       int64
	Title    string
	TitleSet bool
	Body     string
	BodySet  bool
	BodyFile string
	Version  int64 // --version: the version the change is made over; 0 for the one read now
}

func newCmdEdit(f *factory, runF func(*editOptions) error) *cobra.Command {
	opts := &editOptions{cmdEnv: f.env(), RunEditor: f.RunEditor}
	cmd := &cobra.Command{
		Use:   "edit <id> [--title <title>] [--body <text> | --body-file <file>]",
		Short: "Change a document",
		Long: `Change a document. With flags, the given fields are replaced, over the
version docs reads first, or over --version N, which a script read before
(docs get ID -o json): a document changed in between is not overwritten,
and docs exits 7. With no flags, the body opens in $DOCS_EDITOR, $VISUAL,
$EDITOR or vi, as kubectl edit does; it is saved only over the version you
opened. Either way the version is sent as If-Match.

An unchanged text sends nothing; an emptied one aborts. If the save fails,
for example because someone else changed the document meanwhile (exit 7),
your text is kept in a file whose path is printed, with the command that
retries from it.`,
		Example: `  docs edit 7
  docs edit 7 --title "New title"
  docs edit 7 --body-file notes.md
  docs edit 7 --body-file notes.md --version 3`,
		Args:              oneID,
		ValidArgsFunction: completeIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ID, err = parseID(args[0]); err != nil {
				return err
			}
			opts.TitleSet = cmd.Flags().Changed("title")
			opts.BodySet = cmd.Flags().Changed("body")
			if opts.TitleSet && strings.TrimSpace(opts.Title) == "" {
				return exitcode.Usagef("--title must not be empty")
			}
			if err := checkTitle(opts.Title); err != nil {
				return err
			}
			if cmd.Flags().Changed("version") && opts.Version < 1 {
				return exitcode.Usagef("--version must be 1 or more, the version the change is made over")
			}
			if opts.Version != 0 && !opts.TitleSet && !opts.BodySet && opts.BodyFile == "" {
				return exitcode.Usagef("--version goes with --title, --body or --body-file: the editor saves over the version it opened")
			}
			if runF != nil {
				return runF(opts)
			}
			return editRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Title, "title", "t", "", "new `title`")
	cmd.Flags().StringVarP(&opts.Body, "body", "b", "", "new body `text`")
	cmd.Flags().StringVarP(&opts.BodyFile, "body-file", "F", "", "read the new body from `file` (- for standard input)")
	cmd.Flags().Int64Var(&opts.Version, "version", 0, "change the document only if it is still at version `N` (exit 7 if not)")
	cmd.MarkFlagsMutuallyExclusive("body", "body-file")
	addJSONFlags(cmd, f, documentFields)
	return cmd
}

func editRun(ctx context.Context, opts *editOptions) error {
	if opts.TitleSet || opts.BodySet || opts.BodyFile != "" {
		return editFromFlags(ctx, opts)
	}
	return editInEditor(ctx, opts)
}

// editFromFlags replaces the fields given, over --version or, without it,
// over the version read first: sent as If-Match, so that a change made in
// between by someone else is a 412 (exit 7), never overwritten.
func editFromFlags(ctx context.Context, opts *editOptions) error {
	body, hasBody, err := readBody(opts.IO, opts.Body, opts.BodySet, opts.BodyFile)
	if err != nil {
		return err
	}
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	var patch client.DocumentPatch
	if opts.TitleSet {
		patch.Title = &opts.Title
	}
	if hasBody {
		patch.Body = &body
	}
	version := opts.Version
	if version == 0 {
		cur, err := sess.Client.GetDocument(ctx, opts.ID)
		if err != nil {
			return sess.check(err)
		}
		version = cur.Version
	}
	d, err := sess.Client.UpdateDocument(ctx, opts.ID, patch, client.UpdateOptions{IfMatch: client.VersionETag(version)})
	if err != nil {
		if client.StatusCode(err) == http.StatusPreconditionFailed {
			err = &hintedError{err: err, hint: fmt.Sprintf("Document %d is no longer at version %d; nothing was changed.", opts.ID, version)}
		}
		err = sess.check(err)
		// Text from stdin exists nowhere else: keep it.
		if hasBody && opts.BodyFile == "-" {
			if p, serr := saveToFile(fmt.Sprintf("docs-edit-%d-*.md", opts.ID), body); serr == nil {
				return keepText(err, p, retryEdit(opts.ID, p), conflictAdvice(err, opts.ID))
			}
		}
		return err
	}
	removeKeptText(opts.IO, opts.BodyFile, fmt.Sprintf("docs-edit-%d-*.md", opts.ID))
	return reportUpdated(opts.IO, sess, d)
}

// editInEditor opens the current body in the editor and saves it with
// If-Match, so a change made meanwhile by someone else is not overwritten.
func editInEditor(ctx context.Context, opts *editOptions) error {
	ios := opts.IO
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	editor, err := editorFor(ios, s, "--title, --body or --body-file")
	if err != nil {
		return err
	}
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	d, err := sess.Client.GetDocument(ctx, opts.ID)
	if err != nil {
		return sess.check(err)
	}
	path, edited, err := editText(ctx, opts.RunEditor, ios, editor, fmt.Sprintf("docs-edit-%d-*.md", opts.ID), d.Body)
	if err != nil {
		if path != "" {
			return keepText(err, path, retryEdit(opts.ID, path), "")
		}
		return err
	}
	switch {
	case strings.TrimSpace(edited) == "":
		os.Remove(path)
		fmt.Fprintf(ios.ErrOut, "Aborted: the edited text is empty; document %d was not changed.\n", opts.ID)
		return nil
	case sameText(d.Body, edited):
		os.Remove(path)
		fmt.Fprintf(ios.ErrOut, "No changes made; document %d was not changed.\n", opts.ID)
		return nil
	}
	if err := checkBody("the edited text", []byte(edited)); err != nil {
		return keepText(err, path, retryEdit(opts.ID, path), "")
	}
	body := matchFinalNewline(d.Body, edited)
	updated, err := sess.Client.UpdateDocument(ctx, opts.ID, client.DocumentPatch{Body: &body}, client.UpdateOptions{IfMatch: d.ETag})
	if err != nil {
		if client.StatusCode(err) == http.StatusPreconditionFailed {
			showChangedMeanwhile(ctx, ios, sess, d)
		}
		return keepText(sess.check(err), path, retryEdit(opts.ID, path), conflictAdvice(err, opts.ID))
	}
	os.Remove(path)
	return reportUpdated(ios, sess, updated)
}

// showChangedMeanwhile prints, after a 412, what changed on the server
// since the version d the user started from: a diff to the current
// version, so the user can merge by hand with the text docs kept. It is
// advice beside the error; if the current version cannot be read, the
// error and the kept text are still there.
func showChangedMeanwhile(ctx context.Context, ios *iostreams, sess *session, d *client.Document) {
	now, err := sess.Client.GetDocument(ctx, d.ID)
	if err != nil {
		return
	}
	// Escaped as every message docs writes to stderr is: the text is
	// someone else's.
	diff := termtext.Text(diffVersions(d.ID, docVersion{d.Version, d.Title, d.Body}, docVersion{now.Version, now.Title, now.Body}))
	fmt.Fprintf(ios.ErrOut, "Document %d changed on the server since version %d, which you started from; it is now at version %d:\n%s", d.ID, d.Version, now.Version, diff)
}

func reportUpdated(ios *iostreams, sess *session, d *client.Document) error {
	fmt.Fprintf(ios.ErrOut, "Updated document %d (version %d).\n", d.ID, d.Version)
	if sess.Output == "json" {
		return writeJSON(ios.Out, d)
	}
	return nil
}

func retryEdit(id int64, path string) string {
	return fmt.Sprintf("docs edit %d --body-file %s", id, shellQuote(path))
}

// conflictAdvice explains a 412 or 409: the retry would replace someone
// else's change, so look first.
func conflictAdvice(err error, id int64) string {
	switch client.StatusCode(err) {
	case http.StatusPreconditionFailed, http.StatusConflict:
		return fmt.Sprintf("Document %d was changed by someone else since you opened it. See the current text with 'docs get %d'; the retry replaces it with yours.", id, id)
	}
	return ""
}
