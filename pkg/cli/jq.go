package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

// outputFilter holds the JSON a command printed and, once it is done,
// turns it into what was asked for: only the --json fields, the results
// of a --jq expression (as gh does: a string result is printed as it is,
// anything else as JSON), or YAML with -o yaml. Every command prints JSON
// the one way; these are applied to it here, in this order.
type outputFilter struct {
	fields []string     // --json: the members kept, in this order; nil for all
	code   *gojq.Code   // --jq, or nil
	yaml   bool         // -o yaml
	buf    bytes.Buffer // the command's JSON output
	out    io.Writer    // where the results go
}

// jsonFieldsKey is the annotation that holds the fields a command's JSON
// output carries, comma-separated, as gh's help:json-fields does.
const jsonFieldsKey = "docs:json-fields"

// jsonOutputKey marks a command that prints JSON it names no fields of
// (docs api, whose JSON is the server's): --jq filters it, though it
// takes no --json. --jq on a command with neither is a usage error: it
// prints no JSON to filter.
const jsonOutputKey = "docs:json-output"

// printsJSON reports whether cmd's output is JSON that --jq can filter.
func printsJSON(cmd *cobra.Command) bool {
	return cmd.Annotations[jsonFieldsKey] != "" || cmd.Annotations[jsonOutputKey] != ""
}

// addJSONFlags gives cmd --json, for the fields its JSON output carries
// (the members of its objects). root's PersistentPreRunE checks the names
// asked for against these before the command runs, so that a typo sends
// nothing and prompts for nothing; TestJSONFieldsAreTheOutputsKeys runs
// each command and holds the list to its real output.
func addJSONFlags(cmd *cobra.Command, f *factory, fields []string) {
	fields = slices.Sorted(slices.Values(fields))
	cmd.Flags().StringVar(&f.global.json, "json", "", "print JSON with only these comma-separated `fields` (implies -o json): "+strings.Join(fields, ", "))
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[jsonFieldsKey] = strings.Join(fields, ",")
	_ = cmd.RegisterFlagCompletionFunc("json", func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		prefix := toComplete[:strings.LastIndexByte(toComplete, ',')+1]
		var out []string
		for _, name := range fields {
			if strings.HasPrefix(prefix+name, toComplete) {
				out = append(out, prefix+name)
			}
		}
		return out, cobra.ShellCompDirectiveNoSpace
	})
}

// jsonFields returns the fields cmd declared with addJSONFlags, sorted;
// none when it offers no --json.
func jsonFields(cmd *cobra.Command) []string {
	if s := cmd.Annotations[jsonFieldsKey]; s != "" {
		return strings.Split(s, ",")
	}
	return nil
}

// jsonFieldsError is --json given no fields: the usage error lists those
// the command has, as gh does.
func jsonFieldsError(cmd *cobra.Command) error {
	return exitcode.Usagef("Specify one or more comma-separated fields for --json:\n  %s", strings.Join(jsonFields(cmd), "\n  "))
}

// newOutputFilter parses --json fields, each of which must be one of
// declared, and compiles a --jq expression; either one malformed is a
// usage error.
func newOutputFilter(fields string, declared []string, expr string, out io.Writer) (*outputFilter, error) {
	f := &outputFilter{out: out}
	if fields != "" {
		for _, name := range strings.Split(fields, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				return nil, exitcode.Usagef("invalid --json %q: want field names separated by commas, such as id,title", fields)
			}
			if !slices.Contains(declared, name) {
				return nil, exitcode.Usagef("unknown --json field %q; available fields:\n  %s", name, strings.Join(declared, "\n  "))
			}
			f.fields = append(f.fields, name)
		}
	}
	if expr != "" {
		q, err := gojq.Parse(expr)
		if err != nil {
			return nil, exitcode.Usagef("invalid --jq expression: %v", err)
		}
		if f.code, err = gojq.Compile(q); err != nil {
			return nil, exitcode.Usagef("invalid --jq expression: %v", err)
		}
	}
	return f, nil
}

// run filters what the command wrote. Nothing written (a command that
// failed before printing) gives nothing.
func (f *outputFilter) run(ctx context.Context) error {
	if len(bytes.TrimSpace(f.buf.Bytes())) == 0 {
		return nil
	}
	dec := json.NewDecoder(&f.buf)
	for first := true; ; first = false {
		var raw json.RawMessage
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("the output is not JSON: %w", err)
		}
		if f.fields != nil {
			var err error
			if raw, err = pickFields(raw, f.fields); err != nil {
				return err
			}
		}
		var err error
		switch {
		case f.code != nil:
			err = f.jq(ctx, raw)
		case f.yaml:
			err = writeYAML(f.out, raw, first)
		default:
			err = writeJSON(f.out, raw)
		}
		if err != nil {
			return err
		}
	}
}

// jq runs the expression over one JSON value.
func (f *outputFilter) jq(ctx context.Context, raw json.RawMessage) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("--jq: the output is not JSON: %w", err)
	}
	iter := f.code.RunWithContext(ctx, jqValue(v))
	for {
		r, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, ok := r.(error); ok {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return nil
			}
			return fmt.Errorf("--jq: %w", err)
		}
		if s, ok := r.(string); ok {
			fmt.Fprintln(f.out, s)
			continue
		}
		b, err := gojq.Marshal(r)
		if err != nil {
			return fmt.Errorf("--jq: %w", err)
		}
		fmt.Fprintf(f.out, "%s\n", b)
	}
}

// pickFields keeps the named members of an object, or of each object in
// an array, in the order named; a member an object lacks (one left out
// when empty) is null there. The names were checked against the
// command's fields before it ran.
func pickFields(raw json.RawMessage, fields []string) (json.RawMessage, error) {
	var objs []map[string]json.RawMessage
	array := bytes.HasPrefix(bytes.TrimSpace(raw), []byte("["))
	if array {
		if err := json.Unmarshal(raw, &objs); err != nil {
			return nil, exitcode.Usagef("--json picks fields of objects, and this output is not a list of them")
		}
	} else {
		var o map[string]json.RawMessage
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, exitcode.Usagef("--json picks fields of objects, and this output is not one")
		}
		objs = []map[string]json.RawMessage{o}
	}
	var b bytes.Buffer
	pick := func(o map[string]json.RawMessage) {
		b.WriteByte('{')
		for i, name := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(name)
			b.Write(k)
			b.WriteByte(':')
			if v, ok := o[name]; ok {
				b.Write(v)
			} else {
				b.WriteString("null")
			}
		}
		b.WriteByte('}')
	}
	if !array {
		pick(objs[0])
		return b.Bytes(), nil
	}
	b.WriteByte('[')
	for i, o := range objs {
		if i > 0 {
			b.WriteByte(',')
		}
		pick(o)
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// writeYAML writes one JSON value as a YAML document, members in the
// order the JSON has them; documents after the first start with "---".
// YAML is a superset of JSON, so the value is read as YAML and written
// back in block style.
func writeYAML(w io.Writer, raw json.RawMessage, first bool) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("-o yaml: %w", err)
	}
	blockStyle(&doc)
	var b bytes.Buffer
	if !first {
		b.WriteString("---\n")
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("-o yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("-o yaml: %w", err)
	}
	_, err := w.Write(escapeYAML(b.Bytes()))
	return err
}

// blockStyle drops the flow style and quotes that the JSON came with: the
// encoder quotes again the strings that need it, and writes a text of
// several lines as a literal block. A string holding what could act on a
// terminal (termtext's list: controls, bidirectional overrides, line
// separators) is double-quoted, the one YAML style with escapes, so that
// escapeYAML can write it as -o json does.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	switch {
	case n.Kind != yaml.ScalarNode:
	case termtext.Text(n.Value) != n.Value:
		n.Style = yaml.DoubleQuotedStyle
	case n.Tag == "!!str" && strings.Contains(n.Value, "\n"):
		n.Style = yaml.LiteralStyle
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// escapeYAML writes as \u escapes the characters termtext escapes that the
// encoder leaves raw in a double-quoted scalar, because YAML counts them
// printable: the bidirectional overrides, embeddings and isolates. The
// encoder escapes the controls itself (\e, \x9B, \L). blockStyle put every
// string holding one in double quotes, where \u202E is the same character.
func escapeYAML(b []byte) []byte {
	if termtext.Text(string(b)) == string(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for _, r := range string(b) {
		if r >= 0x80 && termtext.Line(string(r)) != string(r) {
			out = fmt.Appendf(out, "\\u%04X", r)
			continue
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// jqValue turns json.Number into the int or float64 gojq works with.
func jqValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = jqValue(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = jqValue(x[k])
		}
	}
	return v
}

// The fields of each kind of JSON output, for addJSONFlags.
var (
	userFields     = []string{"id", "username", "role", "created_at"}
	documentFields = []string{"id", "title", "body", "author", "created_at", "updated_at", "version"}
	// listFields are a document's but the body, which a list leaves out.
	listFields   = []string{"id", "title", "author", "created_at", "updated_at", "version"}
	searchFields = []string{"id", "title", "author", "created_at", "updated_at", "version", "snippet"}
	// revisionFields are those of docs log: a list leaves out the body.
	revisionFields = []string{"document_id", "version", "title", "author", "by", "created_at"}
	// getFields are a document's, and a revision's for get --version.
	getFields   = []string{"id", "document_id", "title", "body", "author", "by", "created_at", "updated_at", "version"}
	tokenFields = []string{"id", "name", "scopes", "created_at", "expires_at", "last_used_at", "last_used_from"}
	// tokenCreateFields are a token's and its secret, shown only then.
	tokenCreateFields = append(slices.Clip(tokenFields), "token")
	statusFields      = []string{"server", "user", "session", "token"}
	versionFields     = []string{"version", "go", "os", "arch", "server"}
)
