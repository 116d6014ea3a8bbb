package docsdcmd

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

// tokenJSON is a token as `docsd user tokens -o json` prints it: as the
// API sends one (GET /tokens), so the two read alike. A time not set is
// null.
type tokenJSON struct {
	ID           int64        `json:"id"`
	Name         string       `json:"name"`
	Scopes       []docs.Scope `json:"scopes"`
	CreatedAt    time.Time    `json:"created_at"`
	ExpiresAt    *time.Time   `json:"expires_at"`
	LastUsedAt   *time.Time   `json:"last_used_at"`
	LastUsedFrom string       `json:"last_used_from"`
}

type userTokensOptions struct {
	cmdEnv

	Name   string
	Output string // table or json
	// Revoke is the ID of the token to revoke; 0 lists them instead.
	Revoke int64
}

func newCmdUserTokens(f *factory, runF func(*userTokensOptions) error) *cobra.Command {
	opts := &userTokensOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "tokens NAME [-o table|json] [--revoke ID]",
		Short: "List a user's personal access tokens, or revoke one with --revoke ID",
		Long: `List a user's personal access tokens, oldest first: the ID, name and
scopes of each, when it expires, and when it was last used (recorded at
most once a minute; -o json adds the client address). The secrets are
not stored, so they cannot be shown.

With --revoke ID, revoke the user's token with that ID instead: it is
refused from its next request on every docsd serving the database.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(opts.Output); err != nil {
				return err
			}
			if cmd.Flags().Changed("revoke") {
				if opts.Revoke <= 0 {
					return exitcode.Usagef("--revoke takes a token's ID, a positive number, not %d", opts.Revoke)
				}
				if cmd.Flags().Changed("output") {
					return exitcode.Usagef("--output is for the list; --revoke prints one line")
				}
			}
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return userTokensRun(cmd.Context(), opts)
		},
	}
	outputFlag(cmd, &opts.Output)
	cmd.Flags().Int64Var(&opts.Revoke, "revoke", 0, "revoke the user's token with this `ID`")
	return cmd
}

func userTokensRun(ctx context.Context, opts *userTokensOptions) error {
	return opts.withUser(ctx, opts.Name, func(db userDB, u *docs.User) error {
		list, err := db.UserTokens(ctx, u.ID)
		if err != nil {
			return err
		}
		if opts.Revoke != 0 {
			return revokeToken(ctx, opts, db, u, list)
		}
		if opts.Output == "json" {
			out := make([]tokenJSON, len(list))
			for i, t := range list {
				out[i] = tokenJSON{ID: t.ID, Name: t.Name, Scopes: t.Scopes, CreatedAt: t.CreatedAt,
					ExpiresAt: timeOrNull(t.ExpiresAt), LastUsedAt: timeOrNull(t.LastUsedAt), LastUsedFrom: t.LastUsedFrom}
			}
			return writeJSON(opts.IO.Out, out)
		}
		if len(list) == 0 {
			fmt.Fprintf(opts.IO.ErrOut, "%s has no tokens\n", u.Username)
			return nil
		}
		// A token's name is its user's choice: escaped like a user agent.
		w := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tSCOPES\tEXPIRES\tLAST USED")
		for _, t := range list {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", t.ID, termtext.Line(t.Name), docs.JoinScopes(t.Scopes),
				timeOr(t.ExpiresAt, "never"), timeOr(t.LastUsedAt, "never"))
		}
		return w.Flush()
	})
}

// revokeToken revokes u's token opts.Revoke, found in list (u's tokens),
// and names it.
func revokeToken(ctx context.Context, opts *userTokensOptions, db userDB, u *docs.User, list []*docs.Token) error {
	for _, t := range list {
		if t.ID != opts.Revoke {
			continue
		}
		if err := db.DeleteToken(ctx, u.ID, t.ID); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Out, "revoked token %d (%s) of %s\n", t.ID, termtext.Line(t.Name), u.Username)
		return nil
	}
	ids := make([]string, len(list))
	for i, t := range list {
		ids[i] = fmt.Sprint(t.ID)
	}
	if len(ids) == 0 {
		return fmt.Errorf("%s has no token %d: they have no tokens", u.Username, opts.Revoke)
	}
	return fmt.Errorf("%s has no token %d; theirs are %s", u.Username, opts.Revoke, strings.Join(ids, ", "))
}

// timeOr is t in RFC 3339, or unset for the zero time.
func timeOr(t time.Time, unset string) string {
	if t.IsZero() {
		return unset
	}
	return t.Format(time.RFC3339)
}

// timeOrNull is t, or nil (null in JSON) for the zero time.
func timeOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
