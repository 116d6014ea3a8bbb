package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"text/tabwriter"
	"time"

	"github.com/docsd/docs/pkg/termtext"
)

// writeJSON writes v as indented JSON and a newline, with what could act
// on a terminal escaped as JSON escapes (termtext.JSON): the same values.
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

func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
}

// timestamp formats a server time for tables: UTC, to the second.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
