package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// prompter asks the person at the terminal. It is used only when
// iostreams.InTTY is true.
type prompter interface {
	// Input asks for a line of text.
	Input(prompt string) (string, error)
	// Password asks for a line without echoing it.
	Password(prompt string) (string, error)
	// Confirm asks a yes/no question whose default is no.
	Confirm(prompt string) (bool, error)
}

// terminalPrompter prompts on w (stderr) and reads the answers from in.
type terminalPrompter struct {
	in *os.File
	w  io.Writer
}

func (p terminalPrompter) Input(prompt string) (string, error) {
	fmt.Fprint(p.w, prompt)
	return readLine(p.in)
}

func (p terminalPrompter) Password(prompt string) (string, error) {
	fmt.Fprint(p.w, prompt)
	b, err := term.ReadPassword(int(p.in.Fd()))
	fmt.Fprintln(p.w)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return string(b), nil
}

func (p terminalPrompter) Confirm(prompt string) (bool, error) {
	fmt.Fprint(p.w, prompt+" [y/N] ")
	ans, err := readLine(p.in)
	if err != nil {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(ans)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// readLine reads one line a byte at a time, so nothing past the line is
// consumed from a terminal that a later password prompt reads directly.
func readLine(r io.Reader) (string, error) {
	var sb strings.Builder
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				return strings.TrimSuffix(sb.String(), "\r"), nil
			}
			sb.WriteByte(b[0])
		}
		if err != nil {
			if errors.Is(err, io.EOF) && sb.Len() > 0 {
				return sb.String(), nil
			}
			if errors.Is(err, io.EOF) {
				return "", errors.New("no answer: end of input")
			}
			return "", err
		}
	}
}
