package cli

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/docsd/docs/pkg/exitcode"
)

// newCmdRoot builds the command tree.
func newCmdRoot(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "docs <command>",
		Short: "Work with documents on a docsd server",
		Long: `docs works with documents on a docsd server: log in once, then list,
read, create, edit and delete documents. The session is kept in the
system keyring. Scripts and CI use a personal access token instead (docs
token create; DOCS_TOKEN).

Data goes to standard output; messages and errors to standard error.

Environment:
  DOCS_SERVER           server URL (default ` + defaultServer + `)
  DOCS_OUTPUT           output format: table, json or yaml
  DOCS_TOKEN            a personal access token; wins over DOCS_SESSION and anything stored
  DOCS_SESSION          a session cookie value; wins over anything stored
  DOCS_CONFIG_DIR       config directory (default $XDG_CONFIG_HOME/docs or ~/.config/docs)
  DOCS_KEYRING_TIMEOUT  limit for each keyring call (default 3s, 30s on a terminal)
  DOCS_EDITOR, VISUAL, EDITOR  editor for create and edit (default vi)
  CI                    when set, a 401 suggests DOCS_TOKEN instead of docs login

` + exitCodeHelp,
		Version:       f.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetVersionTemplate("docs version {{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	pf := root.PersistentFlags()
	pf.StringVar(&f.global.server, "server", defaultServer, "docsd server `URL` (env DOCS_SERVER, config server)")
	pf.StringVarP(&f.global.output, "output", "o", "table", "output `format`: table, json or yaml (env DOCS_OUTPUT)")
	pf.StringVarP(&f.global.jq, "jq", "q", "", "filter the JSON output with a jq `expression` (implies -o json)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		jsonSet := cmd.Flags().Changed("json")
		if jsonSet && strings.TrimSpace(f.global.json) == "" {
			return jsonFieldsError(cmd)
		}
		if f.global.jq == "" && !jsonSet {
			return nil
		}
		if !printsJSON(cmd) {
			return exitcode.Usagef("--jq: %s prints no JSON to filter", cmd.CommandPath())
		}
		filter, err := newOutputFilter(f.global.json, jsonFields(cmd), f.global.jq, f.IO.Out)
		if err != nil {
			return err
		}
		f.filter, f.IO.Out = filter, &filter.buf
		return nil
	}
	f.global.set = pf
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"table", "json", "yaml"}, cobra.ShellCompDirectiveNoFileComp))

	root.AddCommand(
		newCmdLogin(f, nil),
		newCmdLogout(f, nil),
		newCmdStatus(f, nil),
		newCmdPasswd(f, nil),
		newCmdList(f, nil),
		newCmdSearch(f, nil),
		newCmdGet(f, nil),
		newCmdCreate(f, nil),
		newCmdEdit(f, nil),
		newCmdRm(f, nil),
		newCmdLog(f, nil),
		newCmdDiff(f, nil),
		newCmdRevert(f, nil),
		newCmdRestore(f, nil),
		newCmdPull(f, nil),
		newCmdPush(f, nil),
		newCmdRegister(f, nil),
		newCmdUsers(f),
		newCmdAPI(f, nil),
		newCmdToken(f, nil),
		newCmdCompletion(f, nil),
		newCmdVersion(f, nil),
	)
	return root
}

// flagError makes a flag parsing error a usage error; --json with no
// fields lists the command's. A negative number
// where a command takes an ID ("docs get -1") reaches pflag as the unknown
// shorthand -1; it is reported as the bad ID it is.
func flagError(cmd *cobra.Command, err error) error {
	var vr *pflag.ValueRequiredError
	if errors.As(err, &vr) && vr.GetFlag().Name == "json" {
		return jsonFieldsError(cmd)
	}
	var ne *pflag.NotExistError
	if errors.As(err, &ne) && strings.Contains(cmd.Use, "<id>") {
		if s := ne.GetSpecifiedShortnames(); s != "" && s[0] >= '0' && s[0] <= '9' {
			return invalidIDError("-" + s)
		}
	}
	return exitcode.Usagef("%v", err)
}

// exactArgs is cobra.ExactArgs reporting a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return exitcode.Usagef("%v", err)
		}
		return nil
	}
}

// oneID is the positional rule of a command that takes one document ID: a
// missing ID is named as such, with the command line that wants it.
func oneID(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return exitcode.Usagef("missing the document ID: %s <id>", cmd.CommandPath())
	case len(args) > 1:
		return exitcode.Usagef("%s takes one document ID; got %d arguments", cmd.CommandPath(), len(args))
	}
	return nil
}

// someIDs is the positional rule of a command that acts on one or more
// document IDs.
func someIDs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return exitcode.Usagef("missing the document ID: %s <id>...", cmd.CommandPath())
	}
	return nil
}

// parseIDs parses every argument as a document ID; the first bad one is a
// usage error, before any request.
func parseIDs(args []string) ([]int64, error) {
	ids := make([]int64, len(args))
	for i, a := range args {
		id, err := parseID(a)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}
