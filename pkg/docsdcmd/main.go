// Package docsdcmd is the docsd program: its cobra command tree, each
// command in the Options, NewCmd and run shape of pkg/cli, and the wiring
// of configuration, database and server. cmd/docsd only calls Main, so
// tests drive the whole program in-process through Run.
package docsdcmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/exitcode"
)

// Main runs docsd with the process's arguments, environment and streams
// and returns the exit code. SIGINT and SIGTERM end the command running,
// serve with a drain.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args[1:], os.Environ(), systemIO())
}

// Run executes one docsd command line with environ as its environment
// (as os.Environ gives it) and returns its exit code, having printed any
// error to streams.ErrOut.
func Run(ctx context.Context, args, environ []string, streams *IOStreams) int {
	// gin's debug mode prints every route at start; docsd has its own
	// `docsd routes` and request log.
	gin.SetMode(gin.ReleaseMode)
	f := &factory{IO: streams, Environ: environ}
	root := newCmdRoot(f)
	root.SetArgs(args)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	return exitCode(root.ExecuteContext(ctx), streams.ErrOut)
}

// exitCode prints err, if any, and returns the exit code for it.
func exitCode(err error, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintln(stderr, "docsd: "+err.Error())
	}
	return exitcode.Of(err)
}
