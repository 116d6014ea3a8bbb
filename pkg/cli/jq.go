package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/itchyny/gojq"

	"github.com/docsd/docs/pkg/exitcode"
)

// jqFilter runs a --jq expression over the JSON a command printed, as gh
// does: a string result is printed as it is, anything else as JSON.
type jqFilter struct {
	code *gojq.Code
	buf  bytes.Buffer // the command's JSON output
	out  io.Writer    // where the results go
}

// newJQFilter compiles expr; a bad expression is a usage error.
func newJQFilter(expr string, out io.Writer) (*jqFilter, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, exitcode.Usagef("invalid --jq expression: %v", err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, exitcode.Usagef("invalid --jq expression: %v", err)
	}
	return &jqFilter{code: code, out: out}, nil
}

// run applies the expression to what the command wrote. Nothing written
// (a command that failed before printing) gives nothing.
func (f *jqFilter) run(ctx context.Context) error {
	if len(bytes.TrimSpace(f.buf.Bytes())) == 0 {
		return nil
	}
	dec := json.NewDecoder(&f.buf)
	dec.UseNumber()
	for {
		var v any
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("--jq: the output is not JSON: %w", err)
		}
		v = jqValue(v)
		iter := f.code.RunWithContext(ctx, v)
		for {
			r, ok := iter.Next()
			if !ok {
				break
			}
			if err, ok := r.(error); ok {
				var halt *gojq.HaltError
				if errors.As(err, &halt) && halt.Value() == nil {
					break
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
