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
	Local bool
}

func newCmdLogout(f *factory, runF func(*logoutOptions) error) *cobra.Command {
	opts := &logoutOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "End the session and remove it from where it is stored",
		Long: `End the session on the server and remove it from the keyring (or the
--insecure-storage file). Logging out when not logged in succeeds.

A token stored by docs login --with-token is forgotten here only: it
cannot end itself, and stays valid on the server until it expires or is
revoked (docs token revoke, logged in with a password).

When the server cannot end the session (it is down or unreachable), the
stored session is kept, so that logging out can be retried, and docs
exits 1. --local forgets it without asking the server: the session then
stays valid on the server until it expires.

DOCS_TOKEN and DOCS_SESSION are not touched: unset them yourself.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return logoutRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Local, "local", false, "forget the stored session without ending it on the server")
	return cmd
}

func logoutRun(ctx context.Context, opts *logoutOptions) error {
	ios := opts.IO
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	if env := s.envCredential(); env != "" {
		fmt.Fprintf(ios.ErrOut, "Warning: %s is set; it stays in use until you unset it. Removing the stored credential only.\n", env)
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

	if stored.Token {
		if err := st.Remove(ctx, s.Server); err != nil {
			return err
		}
		fmt.Fprintf(ios.ErrOut, "Forgot the token stored for %s. %s\n", s.Server, tokenStaysValid)
		return nil
	}
	if opts.Local {
		if err := st.Remove(ctx, s.Server); err != nil {
			return err
		}
		fmt.Fprintf(ios.ErrOut, "Forgot the session stored for %s. It was not ended on the server, where it stays valid until it expires.\n", s.Server)
		return nil
	}
	// End the session on the server first; only then forget it here. A
	// session forgotten while the server could not end it could never be
	// ended (short of a password change).
	serverErr := opts.Client(s, stored.Value).Logout(ctx)
	if client.StatusCode(serverErr) == http.StatusUnauthorized {
		serverErr = nil // already ended or expired on the server
	}
	if serverErr != nil {
		return &hintedError{
			err:  fmt.Errorf("could not end the session on the server, so it is still stored here: %w", serverErr),
			hint: "Run docs logout again when the server can be reached, or forget the session here only with: docs logout --local",
		}
	}
	if err := st.Remove(ctx, s.Server); err != nil {
		return err
	}
	fmt.Fprintf(ios.ErrOut, "Logged out of %s.\n", s.Server)
	return nil
}
