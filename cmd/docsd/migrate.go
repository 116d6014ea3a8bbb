package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newMigrateCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending schema migrations, creating the database if there is none",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := e.createStore(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			applied, err := db.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintln(e.stdout, "database is up to date")
			}
			for _, m := range applied {
				fmt.Fprintf(e.stdout, "applied %s\n", m.Name)
			}
			return nil
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "Show which migrations are applied",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := e.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			ms, err := db.Migrations(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "VERSION\tMIGRATION\tSTATE\tAPPLIED AT")
			for _, m := range ms {
				state, at := "pending", ""
				if m.Applied {
					state, at = "applied", m.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", m.Version, m.Name, state, at)
			}
			return w.Flush()
		},
	})
	return cmd
}
