package docsdcmd

import (
	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/session"
)

type openAPIOptions struct {
	cmdEnv
}

func newCmdOpenAPI(f *factory, runF func(*openAPIOptions) error) *cobra.Command {
	opts := &openAPIOptions{cmdEnv: f.env()}
	return &cobra.Command{
		Use:   "openapi",
		Short: "Print the OpenAPI 3.1 description of the API under the configured skip list",
		Long: `Print the OpenAPI 3.1 description of the API, generated from the route
table the server registers. Which routes need the session cookie follows
the skip list (auth.public_routes) of the configuration loaded, as
GET /openapi.json on a server with that configuration answers.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return openAPIRun(opts)
		},
	}
}

func openAPIRun(opts *openAPIOptions) error {
	b, err := api.OpenAPI(opts.Config().Auth.PublicRoutes, session.DefaultCookieName)
	if err != nil {
		return err
	}
	_, err = opts.IO.Out.Write(b)
	return err
}
