package docsdcmd

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/api"
)

type routesOptions struct {
	cmdEnv
}

func newCmdRoutes(f *factory, runF func(*routesOptions) error) *cobra.Command {
	opts := &routesOptions{cmdEnv: f.env()}
	return &cobra.Command{
		Use:   "routes",
		Short: "Print every route with who may call it, from the table the server registers",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return routesRun(opts)
		},
	}
}

func routesRun(opts *routesOptions) error {
	public := opts.Config().Auth.PublicRoutes
	w := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tMETHOD\tPATH\tACCESS")
	for _, r := range api.Routes() {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.Name, r.Method, r.Path, api.AccessFor(r, public))
	}
	return w.Flush()
}
