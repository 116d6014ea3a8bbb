package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
)

type logoutOptions struct {
	cmdEnv
}

func newCmdLogout(f *factory, runF func(*logoutOptions) error) *cobra.Command {
	opts := &logoutOptions{cmdEnv: f.env()}
	return &cobra.Command{
		Use:   "logout",
		Short: "End the session and remove it from where it is stored",
		Long: `End the session on the server and remove it from the keyring (or the
--insecure-storage file). Logging out when not logged in succeeds.

DOCS_SESSION is not touched: unset it yourself.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return logoutRun(cmd.Context(), opts)
		},
	}
}

func logoutRun(ctx context.Context, opts *logoutOptions) error {
	ios := opts.IO
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	if s.EnvSession != "" {
		fmt.Fprintln(ios.ErrOut, "Warning: DOCS_SESSION is set; it stays in use until you unset it. Removing the stored session only.")
	}
	st := opts.Sessions(s)
	stored, err := st.LookupStored(ctx, s.Server)
	var nl *notLoggedInError
	if errors.As(err, &nl) {
		fmt.Fprintf(ios.ErrOut, "Not logged in to %s; nothing to do.\n", s.Server)
		return nil
	}
	if err != nil {
		return err
	}

	// End the session on the server first, but remove the local copy
	// whatever the server says: the user asked for it to be gone.
	serverErr := opts.Client(s, stored.Value).Logout(ctx)
	if client.StatusCode(serverErr) == http.StatusUnauthorized {
		serverErr = nil // already ended or expired on the server
	}
	if err := st.Remove(ctx, s.Server); err != nil {
		return err
	}
	if serverErr != nil {
		return fmt.Errorf("removed the stored session, but could not end it on the server: %w", serverErr)
	}
	fmt.Fprintf(ios.ErrOut, "Logged out of %s.\n", s.Server)
	return nil
}
