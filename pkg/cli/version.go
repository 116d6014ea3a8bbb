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
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show the docs version, and the server's when it answers",
		Long: `Show the version of docs (the module version, or the VCS revision it
was built from) and, when the server answers within 2 seconds, the
version of docsd there. -o json prints both as one object, "server"
left out when the server did not answer.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(cmd.Context(), opts)
		},
	}
	addJSONFlags(cmd, f, versionFields)
	return cmd
}

// versionInfo is docs version -o json.
type versionInfo struct {
	Version string         `json:"version"`
	Go      string         `json:"go"`
	OS      string         `json:"os"`
	Arch    string         `json:"arch"`
	Server  *serverVersion `json:"server,omitempty"` // absent when the server did not answer in time
}

type serverVersion struct {
	URL     string `json:"url"`
	Version string `json:"version"`
}

func versionRun(ctx context.Context, opts *versionOptions) error {
	info := versionInfo{Version: opts.Version, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	s, err := opts.Settings()
	if err != nil {
		// docs's own version is still worth printing beside a bad
		// setting; the setting fails the command, as it fails every other.
		fmt.Fprintf(opts.IO.Out, "docs version %s (%s %s/%s)\n", info.Version, info.Go, info.OS, info.Arch)
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, serverVersionTimeout)
	defer cancel()
	if v, err := opts.Client(s, "").ServerVersion(ctx); err == nil && v != "" {
		info.Server = &serverVersion{URL: s.Server, Version: v}
	}
	if s.Output == "json" {
		return writeJSON(opts.IO.Out, info)
	}
	if _, err := fmt.Fprintf(opts.IO.Out, "docs version %s (%s %s/%s)\n", info.Version, info.Go, info.OS, info.Arch); err != nil {
		return err
	}
	if info.Server == nil {
		return nil
	}
	_, err = fmt.Fprintf(opts.IO.Out, "docsd version %s at %s\n", termtext.Line(info.Server.Version), info.Server.URL)
	return err
}
