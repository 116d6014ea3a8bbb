// Package cli is the docs command-line client: the cobra command tree,
// session storage in the OS keyring, and the mapping of errors to exit
// codes. cmd/docs only calls Main.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/version"
)

// Main runs docs with the process's arguments and streams and returns the
// exit code.
func Main() int {
	ctx, stop := interruptContext()
	defer stop()
	f := &factory{
		IO:        systemIO(),
		Getenv:    os.Getenv,
		Prompter:  terminalPrompter{in: os.Stdin, w: os.Stderr},
		Keyring:   sessionBusKeyring{keyringBackend: systemKeyring{}, getenv: os.Getenv},
		RunEditor: runEditor,
		Version:   version.String(),
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
	if f.filter != nil {
		// What the command printed before any failure is filtered too, as
		// the documents found by a get of several IDs.
		f.IO.Out = f.filter.out
		if ferr := f.filter.run(ctx); err == nil {
			err = ferr
		}
	}
	var ie *interruptedError
	if errors.As(context.Cause(ctx), &ie) {
		// Whatever was under way when Ctrl-C came ends with it, whatever it
		// returned: a prompt, a request or nothing at all.
		fmt.Fprintln(f.IO.ErrOut, "Interrupted.")
		return exitCode(ie)
	}
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

// interruptContext returns a context that ends, with an *interruptedError
// as its cause, at the first SIGINT or SIGTERM. A second one is left to
// the default action, so a docs that does not stop can still be killed.
func interruptContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-sigs:
			signal.Stop(sigs)
			cancel(&interruptedError{sig: sig.(syscall.Signal)})
		case <-ctx.Done():
		}
	}()
	return ctx, func() { signal.Stop(sigs); cancel(nil) }
}

// commandLineError returns err as a usage error when cobra refused the
// command line itself: an unknown command, or flags that exclude each
// other. cobra's errors for these have no type, so its checks are asked
// again instead of its messages being read.
func commandLineError(root, cmd *cobra.Command, args []string, err error) error {
	if _, _, ferr := root.Find(args); ferr != nil {
		// cobra ends its suggestions ("Did you mean this?") with a newline.
		return exitcode.Usagef("%s", strings.TrimRight(err.Error(), "\n"))
	}
	if cmd != nil && cmd.ValidateFlagGroups() != nil {
		return exitcode.Usagef("%v", err)
	}
	return err
}
