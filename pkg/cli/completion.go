package cli

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

type completionOptions struct {
	IO    *iostreams
	Shell string
	Root  *cobra.Command
}

func newCmdCompletion(f *factory, runF func(*completionOptions) error) *cobra.Command {
	opts := &completionOptions{IO: f.IO}
	return &cobra.Command{
		Use:   "completion {bash|zsh|fish|powershell}",
		Short: "Print a shell completion script",
		Long: `Print a completion script for the shell. docs get, edit and rm complete
document IDs with their titles, from the server's first page of documents.
For example:

  bash:        source <(docs completion bash)   (needs the bash-completion package)
  zsh:         docs completion zsh > "${fpath[1]}/_docs"
  fish:        docs completion fish | source
  powershell:  docs completion powershell | Out-String | Invoke-Expression`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs)(cmd, args); err != nil {
				return exitcode.Usagef("%v (want bash, zsh, fish or powershell)", err)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Shell, opts.Root = args[0], cmd.Root()
			if runF != nil {
				return runF(opts)
			}
			return completionRun(opts)
		},
	}
}

func completionRun(opts *completionOptions) error {
	w := opts.IO.Out
	switch opts.Shell {
	case "bash":
		return opts.Root.GenBashCompletionV2(w, true)
	case "zsh":
		return opts.Root.GenZshCompletion(w)
	case "fish":
		return opts.Root.GenFishCompletion(w, true)
	default:
		return opts.Root.GenPowerShellCompletionWithDesc(w)
	}
}

// completeTimeout bounds the list request behind a completion: a shell
// waiting on a TAB is worse than no suggestions.
const completeTimeout = time.Second

// completeIDs completes document IDs with their titles as descriptions,
// from the first page of the public list. Any error, or no answer within
// completeTimeout, gives no suggestions and no message: completion runs
// inside the person's shell. The keyring is never asked.
func completeIDs(f *factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if strings.HasPrefix(cmd.Use, "edit") && len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		s, err := loadSettings(&f.global, f.Getenv, false)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), completeTimeout)
		defer cancel()
		c := client.New(s.Server, &client.Options{HTTPClient: f.HTTPClient, UserAgent: "docs/" + f.Version})
		docs, err := c.ListDocuments(ctx, client.ListOptions{Limit: 100})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, d := range docs {
			id := strconv.FormatInt(d.ID, 10)
			if strings.HasPrefix(id, toComplete) && !slices.Contains(args, id) {
				out = append(out, cobra.CompletionWithDesc(id, termtext.Line(d.Title)))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
