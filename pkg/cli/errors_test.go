package cli

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
)

func TestExitCode(t *testing.T) {
	problem := func(status int) error { return &client.Error{StatusCode: status, Title: "T"} }
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"success", nil, 0},
		{"usage error", exitcode.Usagef("bad"), 2},
		{"no stored session", &notLoggedInError{Server: testServer}, 4},
		{"server said 401", problem(401), 4},
		{"server said 403", problem(403), 5},
		{"server said 404", problem(404), 6},
		{"server said 409", problem(409), 7},
		{"server said 412, kept in a file", &savedTextError{err: problem(412), path: "/tmp/x"}, 7},
		{"server said 500", problem(500), 1},
		{"server said 400", problem(400), 1},
		{"server said 413", problem(413), 1},
		{"server said 415", problem(415), 1},
		{"server said 429 (login throttled)", problem(429), 1},
		{"a 429 with the throttle explained", explainThrottle(problem(429)), 1},
		{"unreachable server", &client.UnreachableError{URL: testServer, Err: fmt.Errorf("refused")}, 1},
		{"keyring failure is not a 401", &keyringError{Op: "read", Err: fmt.Errorf("no bus")}, 1},
		{"wrapped 403", fmt.Errorf("delete: %w", problem(403)), 5},
		{"a declined confirmation is not success", &cancelledError{result: "document 7 was not deleted"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d; want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrorPrinter(t *testing.T) {
	forbidden := &client.Error{StatusCode: 403, Title: "Forbidden", Detail: "only the author (alice) or an admin may delete document 7",
		Problem: []byte(`{"type":"about:blank","title":"Forbidden","status":403,"detail":"only the author (alice) or an admin may delete document 7"}`)}
	tests := []struct {
		name string
		p    errorPrinter
		err  error
		want string
	}{
		{"403 with the server's reason and no login advice", errorPrinter{}, forbidden,
			"Error: 403 Forbidden: only the author (alice) or an admin may delete document 7\n"},
		{"json prints the problem document as sent", errorPrinter{json: true}, forbidden,
			string(forbidden.Problem) + "\n"},
		{"the server's words cannot act on the terminal", errorPrinter{},
			&client.Error{StatusCode: 400, Title: "Bad Request", Detail: "no such author \x1b[2J\u202eecila\u2028"},
			`Error: 400 Bad Request: no such author \x1b[2J\u202eecila\u2028` + "\n"},
		{"not logged in suggests docs login", errorPrinter{}, &notLoggedInError{Server: testServer},
			"Error: not logged in to " + testServer + "\nTo log in, run: docs login\n"},
		{"in CI, not logged in suggests DOCS_TOKEN", errorPrinter{ci: true}, &notLoggedInError{Server: testServer},
			"Error: not logged in to " + testServer + "\nIn CI, set DOCS_TOKEN to a token made with 'docs token create'.\n"},
		{"a declined confirmation is said once, not as an error", errorPrinter{command: "docs rm"}, &cancelledError{result: "document 7 was not deleted"},
			"Cancelled: document 7 was not deleted.\n"},
		{"a declined confirmation is no problem document with -o json", errorPrinter{json: true}, &cancelledError{result: "document 7 was not deleted"},
			"Cancelled: document 7 was not deleted.\n"},
		{"json for a local error is a problem-shaped document", errorPrinter{json: true}, &notLoggedInError{Server: testServer},
			`{"detail":"not logged in to ` + testServer + `","title":"Not logged in"}` + "\n"},
		{"json for a kept text adds where it is", errorPrinter{json: true}, &savedTextError{err: forbidden, path: "/tmp/x", retry: "docs edit 7 --body-file /tmp/x"},
			`{"detail":"only the author (alice) or an admin may delete document 7","retry":"docs edit 7 --body-file /tmp/x","saved_file":"/tmp/x","status":403,"title":"Forbidden","type":"about:blank"}` + "\n"},
	}
	tests = append(tests, struct {
		name string
		p    errorPrinter
		err  error
		want string
	}{"a kept text wrapping a 401 shows both hints", errorPrinter{},
		&savedTextError{err: &unauthorizedError{err: &client.Error{StatusCode: 401, Title: "Unauthorized"}, server: testServer, ci: true}, path: "/tmp/x", retry: "docs create --title T --body-file /tmp/x"},
		"Error: 401 Unauthorized\nYour text is saved in /tmp/x\nTo retry from it: docs create --title T --body-file /tmp/x\n" +
			"No session is stored for " + testServer + ". In CI, set DOCS_TOKEN to a token made with 'docs token create'.\n"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.p.w = &buf
			tt.p.print(tt.err)
			if buf.String() != tt.want {
				t.Errorf("print(%v) =\n%s\nwant\n%s", tt.err, buf.String(), tt.want)
			}
		})
	}
}

func TestUnauthorizedHints(t *testing.T) {
	e401 := &client.Error{StatusCode: 401, Title: "Unauthorized"}
	tests := []struct {
		name    string
		err     *unauthorizedError
		want    string
		notWant string // "" for no check
	}{
		{"nothing stored", &unauthorizedError{err: e401, server: testServer}, "To log in, run: docs login", ""},
		{"nothing stored in CI", &unauthorizedError{err: e401, server: testServer, ci: true}, "In CI, set DOCS_TOKEN", "docs login"},
		{"DOCS_SESSION rejected", &unauthorizedError{err: e401, source: sourceEnv}, "did not accept the session in DOCS_SESSION", ""},
		{"DOCS_SESSION rejected in CI", &unauthorizedError{err: e401, source: sourceEnv, ci: true},
			"The server did not accept the session in DOCS_SESSION. In CI, set DOCS_TOKEN to a token made with 'docs token create'.", "docs login"},
		{"stored session rejected", &unauthorizedError{err: e401, source: sourceKeyring, where: "system keyring"}, "The session from the system keyring was not accepted", ""},
		{"stored session rejected in CI points to DOCS_TOKEN", &unauthorizedError{err: e401, source: sourceKeyring, where: "system keyring", ci: true},
			"The session from the system keyring was not accepted (it expired or was logged out). In CI, set DOCS_TOKEN", "docs login"},
		{"session file rejected in CI points to DOCS_TOKEN", &unauthorizedError{err: e401, source: sourceFile, where: "plain-text file /tmp/s.json", ci: true},
			"In CI, set DOCS_TOKEN", "docs login"},
		{"DOCS_TOKEN rejected points to docs token create, never docs login", &unauthorizedError{err: e401, source: sourceEnv, token: true},
			"did not accept the token in DOCS_TOKEN. Make a new one with 'docs token create'", "docs login"},
		{"DOCS_TOKEN rejected in CI says the same", &unauthorizedError{err: e401, source: sourceEnv, token: true, ci: true},
			"did not accept the token in DOCS_TOKEN. Make a new one with 'docs token create'", "docs login"},
		{"stored token rejected", &unauthorizedError{err: e401, source: sourceKeyring, token: true, where: "system keyring"},
			"The token from the system keyring was not accepted (it expired or was revoked). Make a new one with 'docs token create'", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.err.Hint()
			if !strings.Contains(h, tt.want) {
				t.Errorf("Hint() = %q; want it to contain %q", h, tt.want)
			}
			if tt.notWant != "" && strings.Contains(h, tt.notWant) {
				t.Errorf("Hint() = %q; want no %q", h, tt.notWant)
			}
			if exitCode(tt.err) != exitAuth {
				t.Errorf("exitCode = %d; want 4", exitCode(tt.err))
			}
		})
	}
}

func TestRejectedStoredSessionInCIPointsToDOCSTOKEN(t *testing.T) {
	h := newHarness(t, false, "")
	h.loginAs(t, "alice")
	// The server forgets the stored session: it is logged out elsewhere.
	stored, err := keyring.Get(keyringService, h.server())
	if err != nil {
		t.Fatal(err)
	}
	if err := client.New(h.srv.URL, &client.Options{Session: stored}).Logout(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.env["CI"] = "true"
	wantExit(t, h, h.run(t, "get", "1"), exitAuth, "get 1")
	if !strings.Contains(h.err.String(), "In CI, set DOCS_TOKEN") || strings.Contains(h.err.String(), "docs login") {
		t.Errorf("stderr = %q; want the DOCS_TOKEN advice and no docs login", h.err)
	}
}

func TestUnknownAuthorityNamesSSLCertFile(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	h := newHarnessAt(t, srv.URL, false, "")
	wantExit(t, h, h.run(t, "list"), exitError, "list")
	for _, want := range []string{"certificate signed by unknown authority", "SSL_CERT_FILE="} {
		if !strings.Contains(h.err.String(), want) {
			t.Errorf("stderr = %q; want %q", h.err, want)
		}
	}
}
