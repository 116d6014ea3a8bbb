package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// prompter asks the person at the terminal. It is used only when
// iostreams.InTTY is true. Every method returns at once when ctx ends (the
// person pressed Ctrl-C), with ctx's cause as the error.
type prompter interface {
	// Input asks for a line of text.
	Input(ctx context.Context, prompt string) (string, error)
	// Password asks for a line without echoing it.
	Password(ctx context.Context, prompt string) (string, error)
	// Confirm asks a yes/no question whose default is no.
	Confirm(ctx context.Context, prompt string) (bool, error)
}

// terminalPrompter prompts on w (stderr) and reads the answers from in.
type terminalPrompter struct {
	in *os.File
	w  io.Writer
}

func (p terminalPrompter) Input(ctx context.Context, prompt string) (string, error) {
	fmt.Fprint(p.w, prompt)
	return p.readLine(ctx)
}

// readLine reads an answer echoed as typed. After Ctrl-C the line is ended
// here, as the password prompt ends its own: the shell's prompt, or the
// next message, is not left after "Username: ^C".
func (p terminalPrompter) readLine(ctx context.Context) (string, error) {
	s, err := p.read(ctx, func() (string, error) { return readLine(p.in) })
	if ctx.Err() != nil {
		fmt.Fprintln(p.w)
	}
	return s, err
}

func (p terminalPrompter) Password(ctx context.Context, prompt string) (string, error) {
	fd := int(p.in.Fd())
	// ReadPassword puts echo back when it returns, but after Ctrl-C it never
	// returns: the state is restored here before docs exits.
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	fmt.Fprint(p.w, prompt)
	s, err := p.read(ctx, func() (string, error) {
		b, err := term.ReadPassword(fd)
		return string(b), err
	})
	if ctx.Err() != nil {
		_ = term.Restore(fd, state)
	}
	fmt.Fprintln(p.w)
	if err != nil && ctx.Err() == nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return s, err
}

func (p terminalPrompter) Confirm(ctx context.Context, prompt string) (bool, error) {
	fmt.Fprint(p.w, prompt+" [y/N] ")
	ans, err := p.readLine(ctx)
	if err != nil {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(ans)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// read runs a blocking terminal read and gives up on it when ctx ends. The
// read is left behind, blocked: docs is about to exit, and no answer typed
// after Ctrl-C is ever used.
func (p terminalPrompter) read(ctx context.Context, fn func() (string, error)) (string, error) {
	type answer struct {
		s   string
		err error
	}
	done := make(chan answer, 1)
	go func() {
		s, err := fn()
		done <- answer{s, err}
	}()
	select {
	case a := <-done:
		return a.s, a.err
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
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
