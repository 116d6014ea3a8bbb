//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ptyrunMain is `ptyrun [-send PROMPT=TEXT | -secret PROMPT=TEXT]... command
// [args...]`: run the command on a new pseudo-terminal that is its
// controlling terminal and its stdin, stdout and stderr, as a person's
// shell would. Each -send waits for PROMPT in the output, then types TEXT
// (a Go string body: \n for Enter, \x03 for Ctrl-C, which the terminal
// turns into SIGINT); -secret also waits for echo to be off first, as at a
// password prompt. The terminal's output goes to stdout with \r\n read as
// \n. ptyrun exits with the command's code (128+N for a signal N), or 125
// if the command left the terminal's echo off.
func ptyrunMain(args []string) int {
	type send struct {
		prompt, text string
		secret       bool
	}
	var sends []send
	for len(args) >= 2 && (args[0] == "-send" || args[0] == "-secret") {
		p, t, ok := strings.Cut(args[1], "=")
		text, err := strconv.Unquote(`"` + t + `"`)
		if !ok || err != nil {
			fmt.Fprintf(os.Stderr, "ptyrun: bad %s %q: want PROMPT=TEXT, TEXT a Go string body\n", args[0], args[1])
			return 2
		}
		sends = append(sends, send{p, text, args[0] == "-secret"})
		args = args[2:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: ptyrun [-send PROMPT=TEXT | -secret PROMPT=TEXT]... command [args...]")
		return 2
	}
	ctrl, tty, err := openPty()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ptyrun:", err)
		return 1
	}
	defer ctrl.Close()
	defer tty.Close()

	cmd := exec.Command(args[0], args[1:]...) //nolint:gosec // G204: the test script's own command
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "ptyrun:", err)
		return 1
	}

	var mu sync.Mutex
	var out bytes.Buffer
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		b := make([]byte, 4096)
		for {
			n, err := ctrl.Read(b)
			mu.Lock()
			out.Write(b[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// Type each answer once its prompt is shown. The bound is for a
	// prompt that never comes (a broken build), not a timing assertion.
	deadline := time.Now().Add(time.Minute)
	from := 0
	var waitErr error
	waited := false
	for _, s := range sends {
		for {
			mu.Lock()
			i := strings.Index(out.String()[from:], s.prompt)
			mu.Unlock()
			if i >= 0 && (!s.secret || !echoOn(tty)) {
				from += i + len(s.prompt)
				break
			}
			select {
			case waitErr = <-exited:
				waited = true
			case <-time.After(10 * time.Millisecond):
			}
			if waited || time.Now().After(deadline) {
				break
			}
		}
		if waited || time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "ptyrun: %q never came\n", s.prompt)
			if !waited {
				_ = cmd.Process.Kill()
			}
			break
		}
		if _, err := io.WriteString(ctrl, s.text); err != nil {
			fmt.Fprintln(os.Stderr, "ptyrun:", err)
		}
	}
	if !waited {
		waitErr = <-exited
	}
	echo := echoOn(tty)
	tty.Close() // the reader sees EIO once the output is drained
	<-readDone
	os.Stdout.WriteString(strings.ReplaceAll(out.String(), "\r\n", "\n"))

	if !echo {
		fmt.Fprintln(os.Stderr, "ptyrun: the command left the terminal's echo off")
		return 125
	}
	var ee *exec.ExitError
	if errors.As(waitErr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	if waitErr != nil {
		fmt.Fprintln(os.Stderr, "ptyrun:", waitErr)
		return 1
	}
	return 0
}

// openPty opens a new pseudo-terminal pair.
func openPty() (ctrl, tty *os.File, err error) {
	ctrl, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(ctrl.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		ctrl.Close()
		return nil, nil, fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		ctrl.Close()
		return nil, nil, fmt.Errorf("pty number: %w", err)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		ctrl.Close()
		return nil, nil, err
	}
	return ctrl, tty, nil
}

// echoOn reports whether the terminal echoes what is typed.
func echoOn(tty *os.File) bool {
	t, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	return err == nil && t.Lflag&unix.ECHO != 0
}
