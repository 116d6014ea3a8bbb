package cli

import (
	"github.com/spf13/cobra"
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
		Long: `Print a completion script for the shell. For example:

  bash:        source <(docs completion bash)
  zsh:         docs completion zsh > "${fpath[1]}/_docs"
  fish:        docs completion fish | source
  powershell:  docs completion powershell | Out-String | Invoke-Expression`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs)(cmd, args); err != nil {
				return usageErrorf("%v (want bash, zsh, fish or powershell)", err)
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
