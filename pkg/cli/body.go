package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/docsd/docs/pkg/exitcode"
)

// maxBodyBytes is the largest document body docsd stores (1 MiB). A larger
// one is refused before anything is sent: the server would answer 400
// after the whole text had crossed the network.
const maxBodyBytes = 1 << 20

// readBody returns the body from --body or --body-file (a path, or - for
// standard input; the command allows one of them), and whether one was
// given. A body docsd cannot store
// as it is (over 1 MiB, binary, or not UTF-8) is a usage error: JSON
// carries only Unicode text, and replacing the bytes it cannot carry would
// corrupt the document without a word.
func readBody(ios *iostreams, body string, bodySet bool, bodyFile string) (string, bool, error) {
	switch {
	case bodySet:
		return body, true, checkBody("--body", []byte(body))
	case bodyFile == "-":
		b, err := readAtMost(ios.In, maxBodyBytes)
		if err != nil {
			return "", false, fmt.Errorf("read body from stdin: %w", err)
		}
		return string(b), true, checkBody("the body on standard input", b)
	case bodyFile != "":
		f, err := os.Open(bodyFile) //nolint:gosec // G304: reading the file the user named is the point of --body-file
		if err != nil {
			return "", false, exitcode.Usagef("cannot read --body-file: %v", err)
		}
		defer f.Close()
		b, err := readAtMost(f, maxBodyBytes)
		if err != nil {
			return "", false, exitcode.Usagef("cannot read --body-file: %v", err)
		}
		return string(b), true, checkBody("--body-file "+bodyFile, b)
	}
	return "", false, nil
}

// readAtMost reads r to the end, or to one byte past max, so an endless or
// huge input is noticed without being held in memory.
func readAtMost(r io.Reader, max int64) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, max+1))
}

// checkBody refuses a body docsd cannot store faithfully. what names where
// it came from, for the message.
func checkBody(what string, b []byte) error {
	if len(b) > maxBodyBytes {
		return exitcode.Usagef("%s is over 1 MiB (%d bytes), the most a document body may hold", what, maxBodyBytes)
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return exitcode.Usagef("%s looks like a binary file (a NUL byte at offset %d): a document body is text", what, i)
	}
	if i := invalidUTF8(b); i >= 0 {
		return exitcode.Usagef("%s is not valid UTF-8 (at %s): JSON cannot carry these bytes, and replacing them would change the text; convert it first, for example with iconv -f LATIN1 -t UTF-8", what, position(b, i))
	}
	return nil
}

// checkTitle refuses a title that is not UTF-8, for the same reason.
func checkTitle(title string) error {
	if i := invalidUTF8([]byte(title)); i >= 0 {
		return exitcode.Usagef("--title is not valid UTF-8 (at byte %d)", i+1)
	}
	return nil
}

// invalidUTF8 returns the offset of the first byte that is not part of a
// valid UTF-8 sequence, or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// position names offset i of b as a person finds it in an editor.
func position(b []byte, i int) string {
	line := bytes.Count(b[:i], []byte{'\n'}) + 1
	col := i - (bytes.LastIndexByte(b[:i], '\n') + 1) + 1
	return fmt.Sprintf("line %d, byte %d", line, col)
}
