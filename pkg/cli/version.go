package cli

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/termtext"
)

// serverVersionTimeout bounds the question docs version asks the server:
// the answer is a courtesy, never worth a wait.
const serverVersionTimeout = 2 * time.Second

type versionOptions struct {
	cmdEnv
	Version string
}

func newCmdVersion(f *factory, runF func(*versionOptions) error) *cobra.Command {
	opts := &versionOptions{cmdEnv: f.env(), Version: f.Version}
	return &cobra.Command{
		Use:   "version",
		Short: "Show the docs version, and the server's when it answers",
		Long: `Show the version of docs (the module version, or the VCS revision it
was built from) and, when the server answers within 2 seconds, the
version of docsd there.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(cmd.Context(), opts)
		},
	}
}

func versionRun(ctx context.Context, opts *versionOptions) error {
	if _, err := fmt.Fprintf(opts.IO.Out, "docs version %s (%s %s/%s)\n", opts.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH); err != nil {
		return err
	}
	s, err := opts.Settings()
	if err != nil {
		return nil // the server is an extra; a bad setting is for other commands to report
	}
	ctx, cancel := context.WithTimeout(ctx, serverVersionTimeout)
	defer cancel()
	v, err := opts.Client(s, "").ServerVersion(ctx)
	if err != nil || v == "" {
		return nil
	}
	_, err = fmt.Fprintf(opts.IO.Out, "docsd version %s at %s\n", termtext.Line(v), s.Server)
	return err
}
