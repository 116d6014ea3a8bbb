package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

type registerOptions struct {
	cmdEnv
	Prompter prompter

	Username      string
	PasswordStdin bool
}

func newCmdRegister(f *factory, runF func(*registerOptions) error) *cobra.Command {
	opts := &registerOptions{cmdEnv: f.env(), Prompter: f.Prompter}
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Create an account on a server that allows registration",
		Long: `Create an account with the member role, on a server that allows
registration (a server that does not answers 403, exit 5). It does not log
in: run docs login afterwards.

On a terminal, docs asks for what is missing, the password twice and not
echoed. Without a terminal, pass --username and --password-stdin.`,
		Example: `  docs register -u dave
  printf '%s\n' "$PASSWORD" | docs register -u dave --password-stdin`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return registerRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Username, "username", "u", "", "user `name`")
	cmd.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the password from standard input")
	addJSONFlags(cmd, f, userFields)
	return cmd
}

func registerRun(ctx context.Context, opts *registerOptions) error {
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	cred, err := registerCredentials(ctx, opts)
	if err != nil {
		return err
	}
	u, err := opts.Client(s, "").Register(ctx, cred)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Registered %s (%s) on %s. To log in, run: docs login -u %s\n", termtext.Line(u.Username), termtext.Line(string(u.Role)), s.Server, shellQuote(u.Username))
	if s.Output == "json" {
		return writeJSON(opts.IO.Out, u)
	}
	return nil
}

// registerCredentials takes the new account's name and password from the
// flags, stdin or the terminal, checking each as docsd would before the
// next question.
func registerCredentials(ctx context.Context, opts *registerOptions) (client.Credentials, error) {
	cred := client.Credentials{Username: opts.Username}
	tty := opts.IO.InTTY && !opts.PasswordStdin
	if cred.Username == "" {
		if !tty {
			return cred, exitcode.Usagef("--username is required when not asking on a terminal")
		}
		u, err := opts.Prompter.Input(ctx, "Username: ")
		if err != nil {
			return cred, err
		}
		cred.Username = strings.TrimSpace(u)
	}
	if err := docs.ValidateUsername(cred.Username); err != nil {
		return cred, exitcode.Usagef("%v", err)
	}
	p, err := readPassword(ctx, opts.IO.In, opts.Prompter, opts.PasswordStdin, tty)
	if err != nil {
		return cred, err
	}
	cred.Password = p
	if err := docs.ValidatePassword(cred.Password); err != nil {
		return cred, exitcode.Usagef("%v", err)
	}
	if tty {
		again, err := opts.Prompter.Password(ctx, "Retype password: ")
		if err != nil {
			return cred, err
		}
		if again != cred.Password {
			return cred, exitcode.Usagef("the passwords do not match; no account was created")
		}
	}
	return cred, nil
}
