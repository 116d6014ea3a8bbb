package main

import (
	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/session"
)

func newOpenAPICmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "openapi",
		Short: "Print the OpenAPI 3.1 description of the API under the configured skip list",
		Long: `Print the OpenAPI 3.1 description of the API, generated from the route
table the server registers. Which routes need the session cookie follows
the skip list (auth.public_routes) of the configuration loaded, as
GET /openapi.json on a server with that configuration answers.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			public := e.cfg.Auth.PublicRoutes
			b, err := api.OpenAPI(public, session.DefaultCookieName)
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(b)
			return err
		},
	}
}
