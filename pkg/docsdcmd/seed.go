package docsdcmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/seed"
)

type seedOptions struct {
	cmdEnv

	Documents int // filler documents to add
}

func newCmdSeed(f *factory, runF func(*seedOptions) error) *cobra.Command {
	opts := &seedOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Create the demo users alice (admin), bob (editor), carol (member) and their documents",
		Long: `Create the demo users alice (admin), bob (editor) and carol (member), all
with the password "password", and a few documents by each. Users that
already exist are left alone, so running it again changes nothing.

--documents N also adds N generated documents (every run adds N more), for
load tests: a million take about 20 seconds.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return seedRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.Documents, "documents", 0, "also add this many generated documents")
	return cmd
}

func seedRun(ctx context.Context, opts *seedOptions) error {
	db, err := opts.createDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	pw, err := opts.passwords()
	if err != nil {
		return err
	}
	out := opts.IO.Out
	created, err := seed.Run(ctx, db, pw, time.Now())
	for _, c := range created {
		fmt.Fprintf(out, "created user %s (%s) with documents %v, password %q\n", c.User, c.Role, c.Documents, seed.Password)
	}
	if err != nil {
		return err
	}
	if len(created) == 0 && opts.Documents == 0 {
		fmt.Fprintln(out, "nothing to do: the demo users already exist")
	}
	if opts.Documents > 0 {
		first, last, err := seed.Filler(ctx, db, opts.Documents, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "created %d filler documents, ids %d to %d\n", opts.Documents, first, last)
	}
	return nil
}
