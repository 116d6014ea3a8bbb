package docsdcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

// outputFlag adds -o/--output, table or json, to cmd.
func outputFlag(cmd *cobra.Command, output *string) {
	cmd.Flags().StringVarP(output, "output", "o", "table", "table or json")
}

func checkOutput(output string) error {
	if output != "table" && output != "json" {
		return exitcode.Usagef("--output must be table or json, not %q", output)
	}
	return nil
}

// writeJSON writes v as indented JSON, with what could act on a terminal
// (a user agent's C1 controls or overrides) as JSON escapes: the same
// values.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(termtext.JSON(b.Bytes()))
	return err
}

// sessionJSON is a session as `docsd user sessions -o json` prints it.
type sessionJSON struct {
	CreatedAt     time.Time `json:"created_at"`
	LastSeen      time.Time `json:"last_seen"`
	ClientAddress string    `json:"client_address"`
	UserAgent     string    `json:"user_agent"`
}

type userSessionsOptions struct {
	cmdEnv

	Name   string
	Output string // table or json
}

func newCmdUserSessions(f *factory, runF func(*userSessionsOptions) error) *cobra.Command {
	opts := &userSessionsOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "sessions NAME [-o table|json]",
		Short: "List a user's sessions: created, last seen, client address and user agent at login",
		Long: `List a user's sessions, oldest first: when each was created, when it was
last used (recorded at most every tenth of session.idle_timeout, and at
most once a minute), and the client address and user agent of the login
that created it. Expired sessions that the sweeper has
not yet deleted are listed too, and refused when used.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(opts.Output); err != nil {
				return err
			}
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return userSessionsRun(cmd.Context(), opts)
		},
	}
	outputFlag(cmd, &opts.Output)
	return cmd
}

func userSessionsRun(ctx context.Context, opts *userSessionsOptions) error {
	return opts.withUser(ctx, opts.Name, func(db userDB, u *docs.User) error {
		list, err := db.UserSessions(ctx, u.ID)
		if err != nil {
			return err
		}
		if opts.Output == "json" {
			out := make([]sessionJSON, len(list))
			for i, s := range list {
				out[i] = sessionJSON{s.CreatedAt, s.LastSeen, s.ClientAddress, s.UserAgent}
			}
			return writeJSON(opts.IO.Out, out)
		}
		if len(list) == 0 {
			fmt.Fprintf(opts.IO.ErrOut, "%s has no sessions\n", u.Username)
			return nil
		}
		// The user agent is whatever the client sent: escaped, it
		// can neither act on the operator's terminal nor break the
		// table, whether printed to a terminal or a pipe.
		w := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CREATED\tLAST SEEN\tADDRESS\tUSER AGENT")
		for _, s := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.CreatedAt.Format(time.RFC3339), s.LastSeen.Format(time.RFC3339),
				termtext.Line(orDash(s.ClientAddress)), termtext.Line(orDash(s.UserAgent)))
		}
		return w.Flush()
	})
}

// orDash shows an unknown value (a session from before they were kept) as -.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type userLogoutOptions struct {
	cmdEnv

	Name string
}

func newCmdUserLogout(f *factory, runF func(*userLogoutOptions) error) *cobra.Command {
	opts := &userLogoutOptions{cmdEnv: f.env()}
	return &cobra.Command{
		Use:   "logout NAME",
		Short: "End every session of a user at once",
		Long: `End every session of a user at once, on every docsd serving the database:
their next request gets 401. Their password is unchanged; to lock them out,
use docsd user passwd or docsd user rm.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return userLogoutRun(cmd.Context(), opts)
		},
	}
}

func userLogoutRun(ctx context.Context, opts *userLogoutOptions) error {
	return opts.withUser(ctx, opts.Name, func(db userDB, u *docs.User) error {
		n, err := db.DeleteUserSessions(ctx, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Out, "ended %d %s of %s\n", n, plural(n, "session"), u.Username)
		return nil
	})
}

func plural(n int64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

type userUnlockOptions struct {
	cmdEnv

	Name string
}

func newCmdUserUnlock(f *factory, runF func(*userUnlockOptions) error) *cobra.Command {
	opts := &userUnlockOptions{cmdEnv: f.env()}
	return &cobra.Command{
		Use:   "unlock NAME",
		Short: "Clear a user's failed logins, ending a lockout (429) at once",
		Long: `Clear the failed logins counted against a username, so a user locked out
after too many wrong passwords (429) can log in again at once. A lockout of
a client address (auth.throttle.max_failures_per_address) is not cleared;
it ends when its window passes.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return userUnlockRun(cmd.Context(), opts)
		},
	}
}

func userUnlockRun(ctx context.Context, opts *userUnlockOptions) error {
	return opts.withUser(ctx, opts.Name, func(db userDB, u *docs.User) error {
		if err := db.ClearLoginFailures(ctx, u.Username); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Out, "cleared the failed logins of %s; they can log in again\n", u.Username)
		return nil
	})
}
