package docsdcmd

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

type migrateOptions struct {
	cmdEnv
}

func newCmdMigrate(f *factory, runF func(*migrateOptions) error) *cobra.Command {
	opts := &migrateOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending schema migrations, creating the database if there is none",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return migrateRun(cmd.Context(), opts)
		},
	}
	cmd.AddCommand(newCmdMigrateStatus(f, nil))
	return cmd
}

func migrateRun(ctx context.Context, opts *migrateOptions) error {
	db, err := opts.createStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(opts.IO.Out, "database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintf(opts.IO.Out, "applied %s\n", m.Name)
	}
	return nil
}

type migrateStatusOptions struct {
	cmdEnv
}

func newCmdMigrateStatus(f *factory, runF func(*migrateStatusOptions) error) *cobra.Command {
	opts := &migrateStatusOptions{cmdEnv: f.env()}
	return &cobra.Command{
		Use:   "status",
		Short: "Show which migrations are applied",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return migrateStatusRun(cmd.Context(), opts)
		},
	}
}

func migrateStatusRun(ctx context.Context, opts *migrateStatusOptions) error {
	db, err := opts.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	ms, err := db.Migrations(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tMIGRATION\tSTATE\tAPPLIED AT")
	for _, m := range ms {
		state, at := "pending", ""
		if m.Applied {
			state, at = "applied", m.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", m.Version, m.Name, state, at)
	}
	return w.Flush()
}
