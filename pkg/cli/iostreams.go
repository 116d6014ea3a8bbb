package cli

import (
	"bytes"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// iostreams is what a command may read and write. Data goes to Out,
// messages and errors to ErrOut. InTTY decides whether the command may ask
// questions; nothing below the command tree looks at the real terminal.
type iostreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	InTTY  bool // stdin is a terminal: prompts and editors are allowed
	OutTTY bool // stdout is a terminal: output is for people
}

// systemIO returns the process's standard streams.
func systemIO() *iostreams {
	return &iostreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
	}
}

// testIO returns streams over buffers, with the terminal flags as given.
func testIO(stdin string, tty bool) (*iostreams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &iostreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut, InTTY: tty, OutTTY: tty}, &out, &errOut
}
