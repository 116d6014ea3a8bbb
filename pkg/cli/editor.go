package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/docsd/docs/pkg/exitcode"
)

// editorFunc opens path in the editor command line and waits for it.
type editorFunc func(ctx context.Context, ios *iostreams, editor, path string) error

// runEditor runs the editor through the shell, as git does, so that
// EDITOR="code --wait" and quoted arguments work.
func runEditor(ctx context.Context, ios *iostreams, editor, path string) error {
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		args := strings.Fields(editor)
		cmd = exec.CommandContext(ctx, args[0], append(args[1:], path)...) //nolint:gosec // G204: the user's own editor setting, run as the user
	} else {
		cmd = exec.CommandContext(ctx, "sh", "-c", editor+` "$@"`, editor, path) //nolint:gosec // G204: the user's own editor setting, run as the user; the path goes as "$1", never into the script
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = ios.In, ios.Out, ios.ErrOut
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("editor %q failed: %w", editor, err)
	}
	return nil
}

// editorFor returns the editor to open, or a usage error when there is no
// terminal and no editor was chosen explicitly: vi on a pipe would hang
// or garble the text.
func editorFor(ios *iostreams, s *settings, what string) (string, error) {
	if s.Editor != "" {
		return s.Editor, nil
	}
	if !ios.InTTY {
		return "", exitcode.Usagef("no %s given and no terminal to open an editor on: pass --body or --body-file (or set DOCS_EDITOR, VISUAL or EDITOR)", what)
	}
	return "vi", nil
}

// editText writes text to a new temporary file named after pattern, opens
// the editor on it and returns the path and the edited text. The file is
// left in place for the caller to remove once the text is safe.
func editText(ctx context.Context, run editorFunc, ios *iostreams, editor, pattern, text string) (string, string, error) {
	f, err := os.CreateTemp("", pattern) // mode 0600
	if err != nil {
		return "", "", fmt.Errorf("create temporary file: %w", err)
	}
	path := f.Name()
	// A text file ends with a newline: an editor or script that appends a
	// line must not glue it onto the last one. matchFinalNewline takes it
	// off again when the document had none.
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	_, err = io.WriteString(f, text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", "", fmt.Errorf("write temporary file: %w", err)
	}
	if err := run(ctx, ios, editor, path); err != nil {
		return path, "", &savedTextError{err: err, path: path, retry: ""}
	}
	b, err := os.ReadFile(path) //nolint:gosec // G304: the temporary file created above
	if err != nil {
		return path, "", fmt.Errorf("read edited text: %w", err)
	}
	return path, string(b), nil
}

// sameText reports whether an edit changed nothing; editors such as vi add
// a final newline on save, which is not a change.
func sameText(before, after string) bool {
	return strings.TrimRight(before, "\r\n") == strings.TrimRight(after, "\r\n")
}

// matchFinalNewline keeps the original's lack of a final newline, so an
// editor's added newline does not creep into the document.
func matchFinalNewline(before, after string) string {
	if !strings.HasSuffix(before, "\n") {
		after = strings.TrimSuffix(strings.TrimSuffix(after, "\n"), "\r")
	}
	return after
}

// savedTextError is a failed save whose text was kept in a file; it says
// where and how to retry, and keeps the cause's exit code.
type savedTextError struct {
	err   error
	path  string
	retry string // the command that retries from the file
	extra string // more advice, such as for a conflict
}

func (e *savedTextError) Error() string { return e.err.Error() }
func (e *savedTextError) Unwrap() error { return e.err }

func (e *savedTextError) Hint() string {
	h := "Your text is saved in " + e.path
	if e.retry != "" {
		h += "\nTo retry from it: " + e.retry
	}
	if e.extra != "" {
		h += "\n" + e.extra
	}
	return h
}

func (e *savedTextError) ProblemExtensions() map[string]any {
	m := map[string]any{"saved_file": e.path}
	if e.retry != "" {
		m["retry"] = e.retry
	}
	return m
}

// removeKeptText removes the file a retry read its body from, once the
// retry has saved it, when that file is one docs kept after a failed save
// (a file named by pattern in the temporary directory): what it held is
// stored now, and a copy left behind would only be found and wondered at.
// A file of the user's own is never touched.
func removeKeptText(ios *iostreams, bodyFile, pattern string) {
	if bodyFile == "" || bodyFile == "-" {
		return
	}
	abs, err := filepath.Abs(bodyFile)
	if err != nil || filepath.Dir(abs) != filepath.Clean(os.TempDir()) {
		return
	}
	if ok, _ := filepath.Match(pattern, filepath.Base(abs)); !ok {
		return
	}
	if os.Remove(abs) == nil {
		fmt.Fprintf(ios.ErrOut, "Removed %s, the text kept from the failed save.\n", abs)
	}
}

// keepText makes err a savedTextError naming path, unless it already is one.
func keepText(err error, path, retry, extra string) error {
	var se *savedTextError
	if errors.As(err, &se) {
		se.retry, se.extra = retry, extra
		return err
	}
	return &savedTextError{err: err, path: path, retry: retry, extra: extra}
}

// saveToFile keeps text that exists nowhere else (it came from --body or
// stdin) in a new temporary file after a failed save.
func saveToFile(pattern, text string) (string, error) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return "", err
	}
	_, err = io.WriteString(f, text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return f.Name(), err
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
