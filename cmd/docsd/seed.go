package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/seed"
)

func newSeedCmd(e *env) *cobra.Command {
	var filler int
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
			db, err := e.createDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			pw, err := e.passwords()
			if err != nil {
				return err
			}
			created, err := seed.Run(cmd.Context(), db, pw, time.Now())
			for _, c := range created {
				fmt.Fprintf(e.stdout, "created user %s (%s) with documents %v, password %q\n", c.User, c.Role, c.Documents, seed.Password)
			}
			if err != nil {
				return err
			}
			if len(created) == 0 && filler == 0 {
				fmt.Fprintln(e.stdout, "nothing to do: the demo users already exist")
			}
			if filler > 0 {
				first, last, err := seed.Filler(cmd.Context(), db, filler, time.Now())
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "created %d filler documents, ids %d to %d\n", filler, first, last)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&filler, "documents", 0, "also add this many generated documents")
	return cmd
}
