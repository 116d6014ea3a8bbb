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
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

type apiOptions struct {
	cmdEnv

	Path    string
	Method  string
	Fields  []string // -f key=value, strings, sent as a JSON object
	Typed   []string // -F key=value, typed as gh api -F types them, in the same object
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

-f key=value fields are sent as one JSON object, their values strings.
-F key=value fields go in the same object typed, as gh api -F does: true,
false and null are those literals, a whole number is a number, @file is
the file's text (@- standard input), anything else a string. --input
sends a file (- for standard input) as the request body, as it is.

A JSON answer is pretty-printed on a terminal and printed as it came when
piped; either way it ends with a newline. Another answer is printed as it
came, with a newline added on a terminal.

The exit code is that of the response's status, as for every command (a
404 exits 6); the body is printed to standard output in every case.`,
		Example: `  docs api me
  docs api 'documents?limit=2' -i
  docs api documents -f title=Notes -f body='first line'
  docs api -X PATCH users/3 -f role=editor
  docs api tokens -f name=ci -F expires_in_days=30
  docs api -X DELETE documents/7`,
		Annotations: map[string]string{jsonOutputKey: "true"},
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
			fields := len(opts.Fields) > 0 || len(opts.Typed) > 0
			if fields && opts.Input != "" {
				return exitcode.Usagef("-f/--raw-field or -F/--field, and --input, cannot be used together")
			}
			if !cmd.Flags().Changed("method") {
				opts.Method = http.MethodGet
				if fields || opts.Input != "" {
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
	cmd.Flags().StringArrayVarP(&opts.Fields, "raw-field", "f", nil, "add a string field `key=value` to a JSON body")
	cmd.Flags().StringArrayVarP(&opts.Typed, "field", "F", nil, "add a typed field `key=value` to a JSON body: true, false, null, a number, @file, or a string")
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
	if err := writeAPIBody(opts.IO, resp.Header.Get("Content-Type"), data); err != nil {
		return err
	}
	return sess.check(sess.Client.CheckResponse(resp, data))
}

// writeAPIBody prints an answer's body: JSON pretty-printed on a
// terminal (what could act on it escaped, as every JSON docs prints) and
// as it came when piped, then a newline if it has none; anything else as
// it came, with a newline added on a terminal only.
func writeAPIBody(ios *iostreams, contentType string, data []byte) error {
	isJSON := strings.Contains(contentType, "json") && json.Valid(data)
	if isJSON && ios.OutTTY {
		var b bytes.Buffer
		if err := json.Indent(&b, data, "", "  "); err == nil {
			data = termtext.JSON(b.Bytes())
		}
	}
	if _, err := ios.Out.Write(data); err != nil {
		return err
	}
	if len(data) > 0 && data[len(data)-1] != '\n' && (isJSON || ios.OutTTY) {
		_, err := fmt.Fprintln(ios.Out)
		return err
	}
	return nil
}

// apiBody builds the request body from -f and -F fields or --input.
func apiBody(opts *apiOptions) (io.Reader, http.Header, error) {
	switch {
	case len(opts.Fields) > 0 || len(opts.Typed) > 0:
		obj := map[string]any{}
		for _, f := range opts.Fields {
			k, v, ok := strings.Cut(f, "=")
			if !ok || k == "" {
				return nil, nil, exitcode.Usagef("invalid field %q: want key=value", f)
			}
			obj[k] = v
		}
		for _, f := range opts.Typed {
			k, v, ok := strings.Cut(f, "=")
			if !ok || k == "" {
				return nil, nil, exitcode.Usagef("invalid field %q: want key=value", f)
			}
			tv, err := typedValue(opts.IO, v)
			if err != nil {
				return nil, nil, err
			}
			obj[k] = tv
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

// typedValue is a -F value as gh api -F reads it: true, false and null
// are those literals, a whole number is a number, @file is the file's
// text (@- standard input), anything else is the string as typed.
func typedValue(ios *iostreams, v string) (any, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, nil
	}
	if name, ok := strings.CutPrefix(v, "@"); ok {
		var b []byte
		var err error
		if name == "-" {
			b, err = io.ReadAll(ios.In)
		} else {
			b, err = os.ReadFile(name) //nolint:gosec // G304: reading the file the user named is the point of @file
		}
		if err != nil {
			return nil, exitcode.Usagef("cannot read the field value %s: %v", v, err)
		}
		return string(b), nil
	}
	return v, nil
}
