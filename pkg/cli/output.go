package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"

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

// table takes rows of cells separated by tabs, each row ending with a
// newline, and writes them at Flush: on a terminal as columns padded to
// the widest cell by the width it takes on screen (two for a CJK
// character or an emoji, none for a combining mark), so a title in
// Japanese does not push the next column out of line; elsewhere as they
// came, tab-separated (as gh does), so that cut -f2 reads a title with
// spaces in it.
type table struct {
	w   io.Writer
	tty bool
	buf bytes.Buffer // rows written since the last Flush
}

func newTable(w io.Writer, tty bool) *table { return &table{w: w, tty: tty} }

// newFields is a table of "name:\tvalue" lines, a record for a person to
// read rather than rows to cut (a script takes -o json): aligned wherever
// it goes.
func newFields(w io.Writer) *table { return newTable(w, true) }

func (t *table) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush writes the rows held and forgets them.
func (t *table) Flush() error {
	defer t.buf.Reset()
	if !t.tty {
		_, err := t.w.Write(t.buf.Bytes())
		return err
	}
	var rows [][]string
	var widths []int
	for line := range strings.Lines(t.buf.String()) {
		cells := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		for i, c := range cells[:len(cells)-1] { // the last cell is not padded
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
		rows = append(rows, cells)
	}
	var b strings.Builder
	for _, cells := range rows {
		for i, c := range cells {
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

// displayWidth is how many columns s takes on a terminal.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r), r == '\u200d':
		case width.LookupRune(r).Kind() == width.EastAsianWide, width.LookupRune(r).Kind() == width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// timestamp formats a server time for tables: UTC, to the second.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
