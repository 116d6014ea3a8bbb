// Package cli is the docs command-line client: the cobra command tree,
// session storage in the OS keyring, and the mapping of errors to exit
// codes. cmd/docs only calls Main.
package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Main runs docs with the process's arguments and streams and returns the
// exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := &factory{
		IO:        systemIO(),
		Getenv:    os.Getenv,
		Prompter:  terminalPrompter{in: os.Stdin, w: os.Stderr},
		Keyring:   systemKeyring{},
		RunEditor: runEditor,
		Version:   version(),
	}
	return run(ctx, f, os.Args[1:])
}

// run executes one command line and returns its exit code, having printed
// any error to f.IO.ErrOut.
func run(ctx context.Context, f *factory, args []string) int {
	root := newCmdRoot(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	err = commandLineError(root, cmd, args, err)
	p := errorPrinter{w: f.IO.ErrOut, ci: f.Getenv("CI") != ""}
	if cmd != nil {
		p.command = cmd.CommandPath()
	}
	if f.settings != nil {
		p.json = f.settings.Output == "json"
	}
	p.print(err)
	return exitCode(err)
}

// commandLineError returns err as a usage error when cobra refused the
// command line itself: an unknown command, or flags that exclude each
// other. cobra's errors for these have no type, so its checks are asked
// again instead of its messages being read.
func commandLineError(root, cmd *cobra.Command, args []string, err error) error {
	if _, _, ferr := root.Find(args); ferr != nil {
		return &usageError{msg: err.Error()}
	}
	if cmd != nil && cmd.ValidateFlagGroups() != nil {
		return &usageError{msg: err.Error()}
	}
	return err
}
