package cli

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"syscall"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/termtext"
)

// Exit codes, as documented in `docs --help` and docs/cli.md: those docsd
// gives too, and those of the server's answers.
const (
	exitOK        = exitcode.OK
	exitError     = exitcode.Error // any other failure: network, server error, keyring
	exitUsage     = exitcode.Usage // bad flags or arguments, missing input with no terminal
	exitAuth      = 4              // not logged in: a 401, or no stored session
	exitForbidden = 5              // a 403
	exitNotFound  = 6              // a 404
	exitConflict  = 7              // a 409 or 412
	// exitDiffFailed is docs diff's code for a failure others exit 1 for:
	// there, as for kubectl diff, 1 means the versions differ.
	exitDiffFailed = 3
)

// exitCodeHelp is the exit code table shown in `docs --help`.
const exitCodeHelp = `Exit codes:
  0  success
  1  any other failure (network, server error, keyring failure, a 400,
     413, 415 or 429 from the server, shown with its detail, a redirect,
     which docs never follows), or a confirmation answered no
  2  usage error (bad flags or arguments, missing input with no terminal,
     an ID or body docsd cannot take)
  4  not logged in: the server said 401, or no session is stored
  5  forbidden: the server said 403
  6  not found: the server said 404
  7  conflict: the server said 409 or 412 (changed by someone else),
     or docs pull found a file changed both here and on the server
  docs diff exits 1 when the versions differ, and 3 where another
  command exits 1 (see 'docs diff --help')
  130  interrupted (Ctrl-C): nothing more was sent or stored`

// interruptedError is docs stopped by a signal (Ctrl-C is SIGINT): it exits
// 128 + the signal number, 130 for Ctrl-C, as shells report it.
type interruptedError struct{ sig syscall.Signal }

func (e *interruptedError) Error() string { return "interrupted: " + e.sig.String() }

// notLoggedInError means no session is stored for the server.
type notLoggedInError struct {
	Server string
	// tokenOnly is set when a token is at hand (DOCS_TOKEN, or stored by
	// docs login --with-token) for a command whose route takes no token.
	tokenOnly bool
	// noKeyring is set when the session file held nothing and no keyring
	// could be reached to look further.
	noKeyring *keyringError
}

func (e *notLoggedInError) Error() string {
	if e.tokenOnly {
		return "not logged in to " + e.Server + " with a session, which this command needs: a token cannot create, list or revoke tokens, or change a password"
	}
	if e.noKeyring != nil {
		return "not logged in to " + e.Server + ": none in the session file, and " + e.noKeyring.Error()
	}
	return "not logged in to " + e.Server
}

// privateCAHint is the way to trust a server whose certificate a private
// CA signed: Go reads SSL_CERT_FILE in place of the system's CA bundle.
const privateCAHint = "The server's certificate is signed by a CA this machine does not trust. For a private CA, set SSL_CERT_FILE to a PEM file holding its certificate (with the public CAs too, if docs should still trust them): SSL_CERT_FILE=/path/to/ca.pem docs ..."

// noKeyringHint is the way to work on a machine with no keyring.
const noKeyringHint = "To work without a keyring, log in with 'docs login --insecure-storage' (plain-text file), or set DOCS_TOKEN to a token made with 'docs token create'."

// cancelledError is a confirmation the user declined. It is no failure to
// report: it is said once, as "Cancelled: …", never as an error or a
// problem document, and exits 1 so that `docs rm 7 && …` does not go on as
// if the document were gone.
type cancelledError struct {
	result string // what did not happen: "document 7 was not deleted"
}

func (e *cancelledError) Error() string { return "cancelled: " + e.result }

// message is what the user reads.
func (e *cancelledError) message() string { return "Cancelled: " + e.result + "." }

// differentError is docs diff's answer that the versions differ: the diff
// itself says how, so it prints nothing, and it exits 1, as diff(1) does.
type differentError struct{}

func (differentError) Error() string { return "the versions differ" }

var errDifferent error = differentError{}

// diffFailedError is a failure of docs diff that would exit 1 anywhere
// else; it exits exitDiffFailed instead, so that it is not read as
// "different".
type diffFailedError struct{ err error }

func (e *diffFailedError) Error() string { return e.err.Error() }
func (e *diffFailedError) Unwrap() error { return e.err }

// diffFailed wraps a failure of docs diff that would exit 1.
func diffFailed(err error) error {
	if err == nil || errors.Is(err, errDifferent) || exitCode(err) != exitError {
		return err
	}
	return &diffFailedError{err: err}
}

// multiError is the failures of a command that acted on several documents
// and went on past each: every one is printed, and the exit code is the
// most severe, the one listed first in the exit code table.
type multiError struct{ errs []error }

func (e *multiError) Error() string {
	msgs := make([]string, len(e.errs))
	for i, err := range e.errs {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

// severity orders exit codes as the table lists them: 1 (an outcome
// unknown, or a failure docs cannot name) before 4, 5, 6 and 7.
var severity = []int{exitError, exitUsage, exitAuth, exitForbidden, exitNotFound, exitConflict}

// perDocument reports whether err concerns one document only (so acting
// on the next ID still makes sense), as a 403, 404, 409 or 412 does, or a
// declined confirmation.
func perDocument(err error) bool {
	var cancelled *cancelledError
	switch code := exitCode(err); {
	case errors.As(err, &cancelled):
		return true
	case code == exitForbidden, code == exitNotFound, code == exitConflict:
		return true
	}
	return false
}

// reportedError is an error printed already, where it happened, by a
// command that reports each document's outcome in the order of the IDs
// given: it is not printed again, and sets the exit code as err would.
type reportedError struct{ err error }

func (e *reportedError) Error() string { return e.err.Error() }
func (e *reportedError) Unwrap() error { return e.err }

// joinDocumentErrors returns nil, the one error, or a *multiError.
func joinDocumentErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return &multiError{errs: errs}
}

// ciHint is the advice for a CI job that is not logged in: no one is there
// to type a password, and a token is what CI jobs are given.
const ciHint = "In CI, set DOCS_TOKEN to a token made with 'docs token create'."

// hinter is an error that knows what the user can do next.
type hinter interface{ Hint() string }

// hintedError is an error with advice added where the command knows more
// than the error does.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }
func (e *hintedError) Unwrap() error { return e.err }
func (e *hintedError) Hint() string  { return e.hint }

// explainThrottle adds to a 429 from a login or a password check what it
// means: the server has paused logins after repeated failures, and until
// the wait is over even the right password is refused. The server's detail
// says how long. Any other error is returned as it is.
func explainThrottle(err error) error {
	if client.StatusCode(err) != http.StatusTooManyRequests {
		return err
	}
	return &hintedError{err: err, hint: "Logins for this user (or from this address) are paused after too many failed attempts; until then even the right password is refused. Wait, then try again."}
}

// problemExtender adds members to the problem document printed with -o json.
type problemExtender interface{ ProblemExtensions() map[string]any }

// exitCode is the one place that maps an error to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ue *exitcode.UsageError
	var nl *notLoggedInError
	var ce *client.Error
	var cancelled *cancelledError
	var ie *interruptedError
	var me *multiError
	var df *diffFailedError
	var fc *fileConflictError
	switch {
	case errors.As(err, &ie):
		return 128 + int(ie.sig)
	case errors.Is(err, errDifferent):
		return exitError
	case errors.As(err, &df):
		return exitDiffFailed
	case errors.As(err, &me):
		worst := len(severity)
		for _, e := range me.errs {
			if i := slices.Index(severity, exitCode(e)); i >= 0 && i < worst {
				worst = i
			}
		}
		if worst == len(severity) {
			return exitError
		}
		return severity[worst]
	case errors.As(err, &cancelled):
		return exitError
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &nl):
		return exitAuth
	case errors.As(err, &fc):
		return exitConflict
	case errors.As(err, &ce):
		switch ce.StatusCode {
		case http.StatusUnauthorized:
			return exitAuth
		case http.StatusForbidden:
			return exitForbidden
		case http.StatusNotFound:
			return exitNotFound
		case http.StatusConflict, http.StatusPreconditionFailed:
			return exitConflict
		}
	}
	return exitError
}

// errorPrinter writes an error for a person, or as a problem document
// with -o json.
type errorPrinter struct {
	w       io.Writer
	json    bool
	ci      bool // CI is set: a 401 hints at DOCS_TOKEN, not docs login
	command string
}

func (p errorPrinter) print(err error) {
	var reported *reportedError
	if errors.As(err, &reported) {
		return
	}
	var me *multiError
	if errors.As(err, &me) {
		for _, e := range me.errs {
			p.print(e)
		}
		return
	}
	var cancelled *cancelledError
	if errors.As(err, &cancelled) {
		fmt.Fprintln(p.w, cancelled.message())
		return
	}
	if errors.Is(err, errDifferent) {
		return
	}
	if p.json {
		p.printJSON(err)
		return
	}
	// The message may hold the server's words (a problem's detail).
	fmt.Fprintf(p.w, "Error: %s\n", termtext.Text(err.Error()))
	for _, h := range p.hints(err) {
		fmt.Fprintln(p.w, h)
	}
}

func (p errorPrinter) hints(err error) []string {
	// Every hint along the chain, outermost first: a kept text's path and
	// the 401 advice of the error inside it are both worth reading.
	var hs []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		if h, ok := e.(hinter); ok && h.Hint() != "" {
			hs = append(hs, h.Hint())
		}
	}
	if len(hs) > 0 {
		return hs
	}
	var ue *exitcode.UsageError
	var nl *notLoggedInError
	var ke *keyringError
	var ua x509.UnknownAuthorityError
	switch {
	case errors.As(err, &ua):
		hs = append(hs, privateCAHint)
	case errors.As(err, &ue):
		cmd := "docs"
		if p.command != "" {
			cmd = p.command
		}
		hs = append(hs, fmt.Sprintf("Run '%s --help' for usage.", cmd))
	case errors.As(err, &nl) && nl.noKeyring != nil && !p.ci:
		hs = append(hs, noKeyringHint)
	case errors.As(err, &nl):
		hs = append(hs, p.loginHint())
	case errors.As(err, &ke) && ke.Op == "read":
		hs = append(hs, noKeyringHint)
	}
	return hs
}

func (p errorPrinter) loginHint() string {
	switch {
	case p.ci:
		return ciHint
	default:
		return "To log in, run: docs login"
	}
}

func (p errorPrinter) printJSON(err error) {
	var doc map[string]any
	var ce *client.Error
	var ext problemExtender
	hasExt := errors.As(err, &ext)
	if errors.As(err, &ce) && !hasExt {
		// The server's problem document, as it sent it (what could act
		// on a terminal written as JSON escapes).
		fmt.Fprintf(p.w, "%s\n", termtext.JSON(ce.Problem))
		return
	}
	if ce == nil || json.Unmarshal(ce.Problem, &doc) != nil {
		doc = map[string]any{"title": errorTitle(err), "detail": err.Error()}
	}
	if hasExt {
		for k, v := range ext.ProblemExtensions() {
			doc[k] = v
		}
	}
	b, _ := json.Marshal(doc)
	fmt.Fprintf(p.w, "%s\n", termtext.JSON(b))
}

// errorTitle names the kind of a local error for its problem document.
func errorTitle(err error) string {
	var ue *exitcode.UsageError
	var nl *notLoggedInError
	var ke *keyringError
	var un *client.UnreachableError
	var nd *client.NotDocsdError
	switch {
	case errors.As(err, &ue):
		return "Usage error"
	case errors.As(err, &nl):
		return "Not logged in"
	case errors.As(err, &ke):
		return "Keyring unavailable"
	case errors.As(err, &un):
		return "Server unreachable"
	case errors.As(err, &nd):
		return "Not a docsd server"
	}
	return "Error"
}
