package docsdcmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/config"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/version"
)

// newCmdRoot returns the docsd command tree.
func newCmdRoot(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "docsd",
		Short: "docsd serves documents over a JSON API where every route is private unless named on a skip list",
		Long: `docsd serves documents over a JSON API. Every route needs a logged-in
session unless its name is on the skip list (auth.public_routes); roles and
authorship decide the rest. 401 means "log in", 403 means "not allowed".

Configuration: flags, then DOCSD_* environment variables, then the config
file (--config, default configs/docsd.yaml when present), then defaults.`,
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// Runnable, so that cobra hands an unknown command to Args (typed)
		// rather than failing in its own untyped way.
		Args: unknownCommand,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			c, err := config.Load(cmd.Flags(), f.Environ)
			f.cfg = c
			return err
		},
	}
	root.SetVersionTemplate("docsd version {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitcode.Usagef("%v", err) })
	config.AddConfigFlag(root.PersistentFlags())
	config.AddDatabaseFlag(root.PersistentFlags())
	root.AddCommand(
		newCmdServe(f, nil),
		newCmdMigrate(f, nil),
		newCmdSeed(f, nil),
		newCmdUser(f),
		newCmdRoutes(f, nil),
		newCmdBackup(f, nil),
		newCmdOpenAPI(f, nil),
	)
	return root
}

// usageArgs is v reporting a usage error (exit 2). cobra's argument errors
// have no type, so every command's Args goes through it.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return exitcode.Usagef("%v (see docsd --help)", err)
		}
		return nil
	}
}

// unknownCommand is the root's argument check: any argument left once
// cobra has found no subcommand in it is an unknown command.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	hint := ""
	// Left at 0, the distance suggests prefixes only, and "users" finds no
	// "user"; cobra's own default, 2, would offer "seed or user" for "serv".
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 1
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		hint = "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return exitcode.Usagef("unknown command %q for %q%s (see docsd --help)", args[0], cmd.CommandPath(), hint)
}
