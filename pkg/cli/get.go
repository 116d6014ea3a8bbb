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
)

type getOptions struct {
	cmdEnv
	ID int64
}

func newCmdGet(f *factory, runF func(*getOptions) error) *cobra.Command {
	opts := &getOptions{cmdEnv: f.env()}
	return &cobra.Command{
		Use:   "get <id>",
		Short: "Show a document",
		Long:  `Show a document: its fields, a "--" line, then its body. -o json prints its JSON.`,
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ID, err = parseID(args[0]); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return getRun(cmd.Context(), opts)
		},
	}
}

func getRun(ctx context.Context, opts *getOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	d, err := sess.Client.GetDocument(ctx, opts.ID)
	if err != nil {
		return sess.check(err)
	}
	if sess.Output == "json" {
		return writeJSON(opts.IO.Out, d)
	}
	return printDocument(opts.IO, d)
}

// printDocument prints a document the way gh prints an issue when piped:
// "field:\tvalue" lines, "--", the body.
func printDocument(ios *iostreams, d *client.Document) error {
	tw := newTable(ios.Out)
	fmt.Fprintf(tw, "id:\t%d\n", d.ID)
	fmt.Fprintf(tw, "title:\t%s\n", clean(d.Title))
	fmt.Fprintf(tw, "author:\t%s\n", clean(d.Author.Username))
	fmt.Fprintf(tw, "created:\t%s\n", timestamp(d.CreatedAt))
	fmt.Fprintf(tw, "updated:\t%s\n", timestamp(d.UpdatedAt))
	fmt.Fprintf(tw, "version:\t%d\n", d.Version)
	if err := tw.Flush(); err != nil {
		return err
	}
	body := d.Body
	if ios.OutTTY {
		body = cleanBody(body)
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
func parseID(s string) (int64, error) {
	// strconv.ParseInt takes a leading sign; an ID is digits alone.
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, invalidIDError(s)
	}
	id, err := strconv.ParseInt(s, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, usageErrorf("invalid document ID %q: too large (IDs go up to %d)", s, int64(math.MaxInt64))
	case err != nil || id <= 0:
		return 0, invalidIDError(s)
	}
	return id, nil
}

func invalidIDError(s string) error {
	return usageErrorf("invalid document ID %q: want a positive whole number", s)
}
