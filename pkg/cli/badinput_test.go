package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseID(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int64
		wantMsg string // part of the usage error; "" when the ID is good
	}{
		{"a positive number is an ID", "7", 7, ""},
		{"the largest 64-bit number is an ID", "9223372036854775807", 9223372036854775807, ""},
		{"a word is not an ID", "abc", 0, `invalid document ID "abc": want a positive whole number`},
		{"a negative number is not an ID", "-1", 0, `invalid document ID "-1"`},
		{"zero is not an ID", "0", 0, `invalid document ID "0"`},
		{"a number past 64 bits is too large, not a wrapped ID", "99999999999999999999", 0, `invalid document ID "99999999999999999999": too large`},
		{"a hugely negative number is not an ID", "-99999999999999999999", 0, `want a positive whole number`},
		{"a fraction is not an ID", "1.5", 0, `invalid document ID "1.5"`},
		{"hex is not an ID", "0x10", 0, `invalid document ID "0x10"`},
		{"an empty string is not an ID", "", 0, `invalid document ID ""`},
		{"a plus sign is not part of an ID", "+1", 0, `invalid document ID "+1": want a positive whole number`},
		{"a plus sign before a huge number is not an ID either", "+99999999999999999999", 0, `invalid document ID "+99999999999999999999": want a positive whole number`},
		{"a space is not part of an ID", " 1", 0, `invalid document ID " 1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseID(tt.in)
			if tt.wantMsg == "" {
				if err != nil || got != tt.want {
					t.Fatalf("parseID(%q) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
				}
				return
			}
			if exitCode(err) != exitUsage || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("parseID(%q) = %d, %v; want a usage error containing %q", tt.in, got, err, tt.wantMsg)
			}
		})
	}
}

// unreachable points docs at a closed port, for commands that must cope
// with a server they cannot reach, or must not try to.
func unreachable(t *testing.T, tty bool, stdin string) *harness {
	t.Helper()
	return newHarnessAt(t, "http://127.0.0.1:1", tty, stdin)
}

// noRequests points docs at a server that fails the test if docs sends it
// anything, for input docs must refuse before any request.
func noRequests(t *testing.T, tty bool, stdin string) *harness {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("docs sent %s %s; want no request", r.Method, r.URL)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	return newHarnessAt(t, srv.URL, tty, stdin)
}

func TestBadIDsAreUsageErrorsBeforeAnyRequest(t *testing.T) {
	for _, id := range []string{"abc", "-1", "0", "99999999999999999999", "-42", "-1.5", "+1", "+007"} {
		for _, args := range [][]string{
			{"get", id},
			{"rm", id, "--yes"},
			{"edit", id, "--title", "T"},
			{"edit", id}, // would open the editor
		} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				h := noRequests(t, true, "")
				wantExit(t, h, h.run(t, args...), exitUsage, args...)
				if !strings.Contains(h.err.String(), `invalid document ID "`+id+`"`) {
					t.Errorf("stderr = %q; want it to name the invalid ID %q", h.err, id)
				}
				if strings.Contains(h.err.String(), "goroutine") || strings.Contains(h.err.String(), "panic") {
					t.Errorf("stderr = %q; want a message, not a Go trace", h.err)
				}
			})
		}
	}
}

func TestMissingIDIsNamed(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"get"}, "docs get <id>..."},
		{[]string{"rm", "--yes"}, "docs rm <id>..."},
		{[]string{"edit"}, "docs edit <id>"},
	} {
		t.Run(tt.args[0], func(t *testing.T) {
			h := noRequests(t, true, "")
			wantExit(t, h, h.run(t, tt.args...), exitUsage, tt.args...)
			if want := "Error: missing the document ID: " + tt.want + "\n"; !strings.HasPrefix(h.err.String(), want) {
				t.Errorf("stderr = %q; want it to start %q", h.err, want)
			}
		})
	}
}

func TestBodyDocsdCannotStoreIsRefusedBeforeSending(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := file("big.md", []byte(strings.Repeat("a", maxBodyBytes+1)))
	binary := file("image.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	latin1 := file("latin1.txt", []byte("line one\ncaf\xe9\n"))
	truncated := file("cut.txt", []byte("ends in half a rune \xe2\x82"))

	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantMsg string
	}{
		{"a file over 1 MiB", "", []string{"create", "-t", "T", "--body-file", big}, "is over 1 MiB"},
		{"a file over 1 MiB, for edit", "", []string{"edit", "1", "--body-file", big}, "is over 1 MiB"},
		{"over 1 MiB on stdin", strings.Repeat("a", maxBodyBytes+1), []string{"create", "-t", "T", "--body-file", "-"}, "the body on standard input is over 1 MiB"},
		{"a binary file", "", []string{"create", "-t", "T", "--body-file", binary}, "looks like a binary file (a NUL byte at offset 8)"},
		{"a binary file, for edit", "", []string{"edit", "1", "--body-file", binary}, "looks like a binary file"},
		{"a Latin-1 file names the line of the first bad byte", "", []string{"create", "-t", "T", "--body-file", latin1}, "is not valid UTF-8 (at line 2, byte 4)"},
		{"a file cut inside a UTF-8 sequence", "", []string{"create", "-t", "T", "--body-file", truncated}, "is not valid UTF-8"},
		{"invalid UTF-8 on stdin", "caf\xe9", []string{"edit", "1", "--body-file", "-"}, "the body on standard input is not valid UTF-8"},
		{"invalid UTF-8 in --body", "", []string{"create", "-t", "T", "--body", "caf\xe9"}, "--body is not valid UTF-8"},
		{"invalid UTF-8 in --title", "", []string{"create", "-t", "caf\xe9", "--body", "x"}, "--title is not valid UTF-8"},
		{"invalid UTF-8 in a new --title", "", []string{"edit", "1", "-t", "caf\xe9"}, "--title is not valid UTF-8"},
		{"no --title", "", []string{"create", "--body", "x"}, "--title is required"},
		{"an empty --title is not a missing one", "", []string{"create", "--title", "", "--body", "x"}, "--title must not be empty"},
		{"a blank --title", "", []string{"create", "--title", "  ", "--body", "x"}, "--title must not be empty"},
		{"a missing file", "", []string{"create", "-t", "T", "--body-file", filepath.Join(dir, "nope")}, "cannot read --body-file"},
		{"a directory", "", []string{"create", "-t", "T", "--body-file", dir}, "cannot read --body-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := noRequests(t, false, tt.stdin)
			wantExit(t, h, h.run(t, tt.args...), exitUsage, tt.args...)
			if !strings.Contains(h.err.String(), tt.wantMsg) {
				t.Errorf("stderr = %q; want it to contain %q", h.err, tt.wantMsg)
			}
		})
	}
}

func TestBodyAtTheLimitIsSent(t *testing.T) {
	h := newHarness(t, false, "")
	h.loginAs(t, "alice")
	body := strings.Repeat("é", maxBodyBytes/2) // exactly 1 MiB of two-byte runes
	p := filepath.Join(t.TempDir(), "limit.md")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	wantExit(t, h, h.run(t, "create", "-t", "At the limit", "--body-file", p), exitOK, "create --body-file (1 MiB)")
}

func TestEditedTextDocsdCannotStoreIsKept(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	h := newHarness(t, true, "")
	h.loginAs(t, "alice")
	id := h.srv.CreateDocument(t, "alice", "T", "hello")
	h.f.RunEditor = editorThat(t, func(string) string { return "caf\xe9" })
	wantExit(t, h, h.run(t, "edit", itoa(id)), exitUsage, "edit (editor writes Latin-1)")
	if !strings.Contains(h.err.String(), "the edited text is not valid UTF-8") || !strings.Contains(h.err.String(), "Your text is saved in ") {
		t.Errorf("stderr = %q; want the refusal and where the text is kept", h.err)
	}
}

// problemServer answers every request with status and a problem document,
// standing in for a server (or a proxy in front of one) that refuses a
// request for reasons the CLI cannot check first.
func problemServer(t *testing.T, status int, detail string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "899")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"type":"about:blank","title":"` + http.StatusText(status) + `","status":` + itoa(int64(status)) + `,"detail":"` + detail + `"}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestServerRefusalsExitOneWithTheServersDetail(t *testing.T) {
	tests := []struct {
		name   string
		status int
		detail string
		args   []string
	}{
		{"a 400 names the field", http.StatusBadRequest, "title must be 1 to 200 characters", []string{"create", "-t", "T", "--body", "x"}},
		{"a 413 from a proxy with a smaller limit", http.StatusRequestEntityTooLarge, "request body over 1024 bytes", []string{"edit", "1", "--body", "x", "--version", "1"}},
		{"a 415", http.StatusUnsupportedMediaType, "send Content-Type: application/json", []string{"create", "-t", "T", "--body", "x"}},
		{"a 429 on login", http.StatusTooManyRequests, "too many failed logins; try again in 14m59s", []string{"login", "-u", "alice", "--password-stdin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, false, "password\n")
			h.env["DOCS_SERVER"] = problemServer(t, tt.status, tt.detail)
			h.env["DOCS_SESSION"] = "some-session"
			wantExit(t, h, h.run(t, tt.args...), exitError, tt.args...)
			want := "Error: " + itoa(int64(tt.status)) + " " + http.StatusText(tt.status) + ": " + tt.detail + "\n"
			if !strings.HasPrefix(h.err.String(), want) && !strings.Contains(h.err.String(), "\n"+want) {
				t.Errorf("stderr = %q; want the line %q", h.err, want)
			}
		})
	}
}

func TestThrottledLogin(t *testing.T) {
	h := newHarness(t, false, "")
	for i := range 5 {
		h.f.IO.In = strings.NewReader("wrong password\n")
		wantExit(t, h, h.run(t, "login", "-u", "carol", "--password-stdin"), exitAuth, "login (wrong password)", itoa(int64(i)))
	}
	h.f.IO.In = strings.NewReader("password\n")
	wantExit(t, h, h.run(t, "login", "-u", "carol", "--password-stdin"), exitError, "login (throttled, right password)")
	if !strings.HasPrefix(h.err.String(), "Error: 429 Too Many Requests: too many failed logins; try again in ") {
		t.Errorf("stderr = %q; want the server's 429 and its detail", h.err)
	}
	if !strings.Contains(h.err.String(), "even the right password is refused") {
		t.Errorf("stderr = %q; want the hint that the right password is refused too", h.err)
	}
	if strings.Contains(h.err.String(), "docs login") {
		t.Errorf("stderr = %q; want no advice to log in again", h.err)
	}

	h.f.IO.In = strings.NewReader("password\n")
	wantExit(t, h, h.run(t, "login", "-u", "carol", "--password-stdin", "-o", "json"), exitError, "login -o json (throttled)")
	if !strings.Contains(h.err.String(), `"status":429`) || !strings.Contains(h.err.String(), "too many failed logins") {
		t.Errorf("stderr = %q; want the 429 problem document", h.err)
	}
}

func TestServerWithBadPortIsAUsageError(t *testing.T) {
	h := newHarnessAt(t, "http://127.0.0.1:1", false, "")
	wantExit(t, h, h.run(t, "--server", "http://127.0.0.1:99999", "list"), exitUsage, "--server http://127.0.0.1:99999 list")
	if want := "the port must be 1 to 65535"; !strings.Contains(h.err.String(), want) {
		t.Errorf("stderr = %q; want %q", h.err, want)
	}
}

func TestMistypedCommandSuggestsTheRightOne(t *testing.T) {
	for _, tc := range []struct{ typed, want string }{
		{"show", "get"},
		{"view", "get"},
		{"lst", "list"},
	} {
		t.Run(tc.typed+" suggests "+tc.want, func(t *testing.T) {
			h := noRequests(t, false, "")
			wantExit(t, h, h.run(t, tc.typed, "1"), exitUsage, tc.typed, "1")
			if want := "Did you mean this?\n\t" + tc.want + "\n"; !strings.Contains(h.err.String(), want) {
				t.Errorf("stderr = %q; want %q", h.err, want)
			}
		})
	}
}
