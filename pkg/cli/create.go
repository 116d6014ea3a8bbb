package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
)

type createOptions struct {
	cmdEnv
	RunEditor editorFunc

	Title    string
	Body     string
	BodySet  bool
	BodyFile string
}

func newCmdCreate(f *factory, runF func(*createOptions) error) *cobra.Command {
	opts := &createOptions{cmdEnv: f.env(), RunEditor: f.RunEditor}
	cmd := &cobra.Command{
		Use:   "create --title <title> [--body <text> | --body-file <file>]",
		Short: "Create a document",
		Long: `Create a document and print its ID. With no --body or --body-file, the
body is written in $VISUAL, $EDITOR or vi (on a terminal, or wherever
DOCS_EDITOR, VISUAL or EDITOR is set); an empty body aborts.`,
		Example: `  docs create --title "Meeting notes" --body-file notes.md
  echo hello | docs create --title Greeting --body-file -`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.BodySet = cmd.Flags().Changed("body")
			switch {
			case !cmd.Flags().Changed("title"):
				return exitcode.Usagef("--title is required")
			case strings.TrimSpace(opts.Title) == "":
				return exitcode.Usagef("--title must not be empty")
			}
			if err := checkTitle(opts.Title); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Title, "title", "t", "", "document `title`")
	cmd.Flags().StringVarP(&opts.Body, "body", "b", "", "document body `text`")
	cmd.Flags().StringVarP(&opts.BodyFile, "body-file", "F", "", "read the body from `file` (- for standard input)")
	cmd.MarkFlagsMutuallyExclusive("body", "body-file")
	addJSONFlags(cmd, f, documentFields)
	return cmd
}

func createRun(ctx context.Context, opts *createOptions) error {
	ios := opts.IO
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	body, ok, err := readBody(ios, opts.Body, opts.BodySet, opts.BodyFile)
	if err != nil {
		return err
	}
	var editor string
	if !ok {
		if editor, err = editorFor(ios, s, "body"); err != nil {
			return err
		}
	}
	// Log in before the editor opens, so no one writes a text to be told
	// afterwards that they are not logged in.
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	if !ok {
		if err := sess.requireStored(); err != nil {
			return err
		}
	}
	retry := func(path string) string {
		return fmt.Sprintf("docs create --title %s --body-file %s", shellQuote(opts.Title), shellQuote(path))
	}

	path := "" // the file that holds the text, if any
	if !ok {
		var edited string
		path, edited, err = editText(ctx, opts.RunEditor, ios, editor, "docs-create-*.md", "")
		if err != nil {
			if path != "" {
				return keepText(err, path, retry(path), "")
			}
			return err
		}
		if strings.TrimSpace(edited) == "" {
			os.Remove(path)
			fmt.Fprintln(ios.ErrOut, "Aborted: the body is empty; no document was created.")
			return nil
		}
		if err := checkBody("the edited text", []byte(edited)); err != nil {
			return keepText(err, path, retry(path), "")
		}
		body = edited
	}

	d, err := sess.Client.CreateDocument(ctx, client.NewDocument{Title: opts.Title, Body: body})
	if err != nil {
		err = sess.check(err)
		// Text from the editor or stdin exists nowhere else: keep it.
		switch {
		case path != "":
			return keepText(err, path, retry(path), "")
		case opts.BodyFile == "-":
			if p, serr := saveToFile("docs-create-*.md", body); serr == nil {
				return keepText(err, p, retry(p), "")
			}
		}
		return err
	}
	if path != "" {
		os.Remove(path)
	}
	removeKeptText(ios, opts.BodyFile, "docs-create-*.md")
	fmt.Fprintf(ios.ErrOut, "Created document %d.\n", d.ID)
	if sess.Output == "json" {
		return writeJSON(ios.Out, d)
	}
	_, err = fmt.Fprintln(ios.Out, d.ID)
	return err
}
