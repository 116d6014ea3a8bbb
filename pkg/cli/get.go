package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

type getOptions struct {
	cmdEnv
	IDs []int64
	// Version, when set, shows that version of the one document in IDs.
	Version int64
}

func newCmdGet(f *factory, runF func(*getOptions) error) *cobra.Command {
	opts := &getOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use: "get <id>... | get <id> --version <n>",
		// gh and kubectl users type these first.
		SuggestFor: []string{"show", "view"},
		Short:      "Show documents",
		Long: `Show documents: for each, its fields, a "--" line, then its body, with a
blank line between documents. -o json prints each document as a JSON
object, one after the other: the same shape for one ID as for several
(jq -s makes an array of them).

Control characters, bidirectional overrides and line separators in the
title are shown escaped (\x1b, \u202e, \u2028), and so are those in the
body on a terminal, newlines and tabs apart: a document cannot move the
cursor, clear the screen or make text read in another order. To a pipe
and with -o json the body is printed byte for byte.

With several IDs, each is shown that can be; the others are reported, and
the exit code is the most severe (the first of them in the exit code table).

--version N shows version N of one document as its history keeps it: its
fields (with who made the version), "--", then its body (see 'docs log').`,
		Example: `  docs get 7
  docs get 1 2 3 -o json
  docs get 7 --version 2`,
		Args:              someIDs,
		ValidArgsFunction: completeIDs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.IDs, err = parseIDs(args); err != nil {
				return err
			}
			if cmd.Flags().Changed("version") {
				if len(opts.IDs) != 1 || opts.Version < 1 {
					return exitcode.Usagef("--version takes one document ID and a version, 1 or more")
				}
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Version > 0 {
				return getVersion(cmd.Context(), opts)
			}
			return getRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().Int64Var(&opts.Version, "version", 0, "show version `n` of the document")
	addJSONFlags(cmd, f, getFields)
	return cmd
}

func getRun(ctx context.Context, opts *getOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	found := 0
	var errs []error
	for _, id := range opts.IDs {
		d, err := sess.Client.GetDocument(ctx, id)
		if err != nil {
			err = sess.check(err)
			if !perDocument(err) {
				return joinDocumentErrors(append(errs, err))
			}
			errs = append(errs, err)
			continue
		}
		if sess.Output == "json" {
			// One object per document, for one ID as for several, so that
			// a script reads the same shape either way (jq -s gathers them).
			err = writeJSON(opts.IO.Out, d)
		} else {
			if found > 0 {
				fmt.Fprintln(opts.IO.Out)
			}
			err = printDocument(opts.IO, d)
		}
		if err != nil {
			return err
		}
		found++
	}
	return joinDocumentErrors(errs)
}

// printDocument prints a document the way gh prints an issue when piped:
// "field:\tvalue" lines, "--", the body.
func printDocument(ios *iostreams, d *client.Document) error {
	tw := newFields(ios.Out)
	fmt.Fprintf(tw, "id:\t%d\n", d.ID)
	fmt.Fprintf(tw, "title:\t%s\n", termtext.Line(d.Title))
	fmt.Fprintf(tw, "author:\t%s\n", termtext.Line(d.Author.Username))
	fmt.Fprintf(tw, "created:\t%s\n", timestamp(d.CreatedAt))
	fmt.Fprintf(tw, "updated:\t%s\n", timestamp(d.UpdatedAt))
	fmt.Fprintf(tw, "version:\t%d\n", d.Version)
	if err := tw.Flush(); err != nil {
		return err
	}
	return printBody(ios, d.Body)
}

// printBody prints "--" and a body, escaped on a terminal.
func printBody(ios *iostreams, body string) error {
	if ios.OutTTY {
		body = termtext.Text(body)
	}
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	_, err := fmt.Fprintf(ios.Out, "--\n%s", body)
	return err
}

// parseID reads a document ID argument: a positive whole number that fits
// docsd's 64-bit IDs, in decimal digits only. Anything else is a usage
// error before any request.
func parseID(s string) (int64, error) { return parseIDOf("document", s) }

// parseIDOf parses the ID of a thing (a "document" or a "token").
func parseIDOf(thing, s string) (int64, error) {
	// strconv.ParseInt takes a leading sign; an ID is digits alone.
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, invalidIDErrorOf(thing, s)
	}
	id, err := strconv.ParseInt(s, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, exitcode.Usagef("invalid %s ID %q: too large (IDs go up to %d)", thing, s, int64(math.MaxInt64))
	case err != nil || id <= 0:
		return 0, invalidIDErrorOf(thing, s)
	}
	return id, nil
}

func invalidIDError(s string) error { return invalidIDErrorOf("document", s) }

func invalidIDErrorOf(thing, s string) error {
	return exitcode.Usagef("invalid %s ID %q: want a positive whole number", thing, s)
}
