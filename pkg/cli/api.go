package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/exitcode"
)

type apiOptions struct {
	cmdEnv

	Path    string
	Method  string
	Fields  []string // key=value, sent as a JSON object
	Input   string   // a file, or - for standard input
	Include bool
}

func newCmdAPI(f *factory, runF func(*apiOptions) error) *cobra.Command {
	opts := &apiOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "api <path>",
		Short: "Make a request to any docsd route",
		Long: `Send a request to a docsd route, with the credential docs uses
(DOCS_TOKEN, DOCS_SESSION or the stored one), and print the response body
as it comes. This is how a
script reaches a route no command covers; see the route table in
docs/api.md or 'docsd routes'.

The path is relative to the server URL: "documents/7" or "/me". The method
is GET, or POST when fields or --input are given; -X sets it.

-f key=value fields are sent as one JSON object of strings. --input sends
a file (- for standard input) as the request body, as it is.

The exit code is that of the response's status, as for every command (a
404 exits 6); the body is printed to standard output in every case.`,
		Example: `  docs api me
  docs api 'documents?limit=2' -i
  docs api documents -f title=Notes -f body='first line'
  docs api -X PATCH users/3 -f role=editor
  docs api -X DELETE documents/7`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return exitcode.Usagef("%s takes one path, such as documents/7; got %d arguments", cmd.CommandPath(), len(args))
			}
			// The server is --server's: a URL here would say another.
			if u, err := url.Parse(args[0]); err != nil || u.Scheme != "" || u.Host != "" {
				return exitcode.Usagef("invalid API path %q: want a path such as documents/7, relative to the server URL (--server sets the server)", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = args[0]
			if len(opts.Fields) > 0 && opts.Input != "" {
				return exitcode.Usagef("-f/--field and --input cannot be used together")
			}
			if !cmd.Flags().Changed("method") {
				opts.Method = http.MethodGet
				if len(opts.Fields) > 0 || opts.Input != "" {
					opts.Method = http.MethodPost
				}
			}
			opts.Method = strings.ToUpper(opts.Method)
			if runF != nil {
				return runF(opts)
			}
			return apiRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Method, "method", "X", "GET", "HTTP `method`")
	cmd.Flags().StringArrayVarP(&opts.Fields, "field", "f", nil, "add a string field `key=value` to a JSON body")
	cmd.Flags().StringVar(&opts.Input, "input", "", "send the body from `file` (- for standard input)")
	cmd.Flags().BoolVarP(&opts.Include, "include", "i", false, "print the status line and headers before the body")
	return cmd
}

func apiRun(ctx context.Context, opts *apiOptions) error {
	body, header, err := apiBody(opts)
	if err != nil {
		return err
	}
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	resp, err := sess.Client.Raw(ctx, opts.Method, opts.Path, body, header)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read the response: %w", err)
	}
	out := opts.IO.Out
	if opts.Include {
		fmt.Fprintf(out, "%s %s\n", resp.Proto, resp.Status)
		keys := make([]string, 0, len(resp.Header))
		for k := range resp.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range resp.Header[k] {
				fmt.Fprintf(out, "%s: %s\n", k, v)
			}
		}
		fmt.Fprintln(out)
	}
	if _, err := out.Write(data); err != nil {
		return err
	}
	if len(data) > 0 && data[len(data)-1] != '\n' && opts.IO.OutTTY {
		fmt.Fprintln(out)
	}
	return sess.check(sess.Client.CheckResponse(resp, data))
}

// apiBody builds the request body from -f fields or --input.
func apiBody(opts *apiOptions) (io.Reader, http.Header, error) {
	switch {
	case len(opts.Fields) > 0:
		obj := map[string]string{}
		for _, f := range opts.Fields {
			k, v, ok := strings.Cut(f, "=")
			if !ok || k == "" {
				return nil, nil, exitcode.Usagef("invalid field %q: want key=value", f)
			}
			obj[k] = v
		}
		b, err := json.Marshal(obj)
		if err != nil {
			return nil, nil, err
		}
		return bytes.NewReader(b), http.Header{"Content-Type": {"application/json"}}, nil
	case opts.Input == "-":
		b, err := io.ReadAll(opts.IO.In)
		if err != nil {
			return nil, nil, fmt.Errorf("read the body from stdin: %w", err)
		}
		return bytes.NewReader(b), http.Header{"Content-Type": {"application/json"}}, nil
	case opts.Input != "":
		b, err := os.ReadFile(opts.Input)
		if err != nil {
			return nil, nil, exitcode.Usagef("cannot read --input: %v", err)
		}
		return bytes.NewReader(b), http.Header{"Content-Type": {"application/json"}}, nil
	}
	return nil, nil, nil
}
