package docsdcmd

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/metrics"
)

type routesOptions struct {
	cmdEnv
}

func newCmdRoutes(f *factory, runF func(*routesOptions) error) *cobra.Command {
	opts := &routesOptions{cmdEnv: f.env()}
	return &cobra.Command{
		Use:   "routes",
		Short: "Print every route with who may call it, from the tables the server registers",
		Long: `Print every route with who may call it, from the tables the server
registers: the API's, under the configured skip list (auth.public_routes),
then the metrics listener's, served on server.metrics_addr outside the
session guard, or not at all when that is empty.`,
		Args: usageArgs(cobra.NoArgs),
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
	fmt.Fprintln(w, "NAME\tMETHOD\tPATH\tTOKEN\tACCESS")
	for _, r := range api.Routes() {
		scope := string(r.Scope)
		if r.Scope == api.SessionOnly {
			scope = "session"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Method, r.Path, scope, api.AccessFor(r, public))
	}
	access := metricsAccess(opts.Config().Server.MetricsAddr)
	for _, r := range metrics.Routes() {
		fmt.Fprintf(w, "%s\t%s\t%s\t-\t%s\n", r.Name, r.Method, r.Path, access)
	}
	return w.Flush()
}

// metricsAccess is who may call the metrics listener's routes: anyone who
// reaches server.metrics_addr, for no session guard stands in front of
// them; nobody when it is empty, for then there is no such listener.
func metricsAccess(addr string) string {
	if addr == "" {
		return "off (server.metrics_addr is empty)"
	}
	return "anyone reaching server.metrics_addr (no session guard)"
}
