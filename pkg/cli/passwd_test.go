package cli

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/docsd/docs/pkg/client"
)

func TestSplitPasswords(t *testing.T) {
	tests := []struct {
		name, in          string
		current, password string
		wantErr           bool
	}{
		{"two lines", "old pw\nnew pw\n", "old pw", "new pw", false},
		{"no final line ending", "old pw\nnew pw", "old pw", "new pw", false},
		{"CRLF line endings", "old pw\r\nnew pw\r\n", "old pw", "new pw", false},
		{"spaces are part of a password", " old \n new \n", " old ", " new ", false},
		{"one line is not enough", "only one\n", "", "", true},
		{"a third line is refused, not ignored", "a\nb\nc\n", "", "", true},
		{"an empty current password is refused", "\nnew pw\n", "", "", true},
		{"an empty new password is refused", "old pw\n\n", "", "", true},
		{"nothing at all is refused", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur, pw, err := splitPasswords(tt.in)
			if tt.wantErr {
				if exitCode(err) != exitUsage {
					t.Errorf("splitPasswords(%q) = %q, %q, %v; want a usage error", tt.in, cur, pw, err)
				}
				return
			}
			if err != nil || cur != tt.current || pw != tt.password {
				t.Errorf("splitPasswords(%q) = %q, %q, %v; want %q, %q, nil", tt.in, cur, pw, err, tt.current, tt.password)
			}
		})
	}
}

func TestPasswd(t *testing.T) {
	// works reports whether a session value is accepted by the server.
	works := func(t *testing.T, h *harness, session string) bool {
		t.Helper()
		_, err := client.New(h.srv.URL, &client.Options{Session: session}).Me(t.Context())
		if err != nil && client.StatusCode(err) != http.StatusUnauthorized {
			t.Fatal(err)
		}
		return err == nil
	}

	t.Run("on a terminal it asks three times, renews the stored session and ends the others", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.loginAs(t, "carol")
		before := h.sessionValue(t)
		other := client.New(h.srv.URL, nil)
		if _, err := other.Login(t.Context(), client.Credentials{Username: "carol", Password: "password"}); err != nil {
			t.Fatal(err)
		}
		h.prompter.answers = []string{"password", "new password", "new password"}
		wantExit(t, h, h.run(t, "passwd"), exitOK, "passwd")
		if got := strings.Join(h.prompter.asked, "|"); got != "Current password: |New password: |Retype new password: " {
			t.Errorf("asked %q; want current, new, retype", got)
		}
		after := h.sessionValue(t)
		if after == before || !works(t, h, after) {
			t.Errorf("stored session after passwd = %q (works: %v); want a new, working one", after, works(t, h, after))
		}
		if works(t, h, before) || works(t, h, other.Session()) {
			t.Errorf("old sessions still work after passwd; want them ended")
		}
		if !strings.Contains(h.err.String(), "Password changed for carol") {
			t.Errorf("stderr = %q; want the confirmation", h.err)
		}
		wantExit(t, h, h.run(t, "status"), exitOK, "status after passwd")
	})

	t.Run("--password-stdin reads the current and the new password, one per line", func(t *testing.T) {
		h := newHarness(t, false, "password\nnew password\n")
		h.loginAs(t, "bob")
		wantExit(t, h, h.run(t, "passwd", "--password-stdin", "-o", "json"), exitOK, "passwd --password-stdin")
		if !strings.Contains(h.out.String(), `"username": "bob"`) {
			t.Errorf("stdout = %q; want bob's user JSON", h.out)
		}
		if _, err := client.New(h.srv.URL, nil).Login(t.Context(), client.Credentials{Username: "bob", Password: "new password"}); err != nil {
			t.Errorf("login with the new password = %v; want nil", err)
		}
	})

	t.Run("a session in the insecure file is renewed in the file", func(t *testing.T) {
		h := newHarness(t, false, "password\n")
		wantExit(t, h, h.run(t, "login", "-u", "bob", "--password-stdin", "--insecure-storage"), exitOK, "login --insecure-storage")
		before := h.sessionValue(t)
		h.f.IO.In = strings.NewReader("password\nnew password\n")
		wantExit(t, h, h.run(t, "passwd", "--password-stdin"), exitOK, "passwd --password-stdin")
		after := h.sessionValue(t)
		if after == before || !works(t, h, after) {
			t.Errorf("file session after passwd = %q; want a new, working one", after)
		}
		if _, err := keyring.Get(keyringService, h.server()); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("keyring after passwd from the file = %v; want nothing stored there", err)
		}
	})

	t.Run("a wrong current password is the server's 403, exit 5, and the session is kept", func(t *testing.T) {
		h := newHarness(t, false, "not my password\nnew password\n")
		h.loginAs(t, "carol")
		before := h.sessionValue(t)
		wantExit(t, h, h.run(t, "passwd", "--password-stdin"), exitForbidden, "passwd (wrong current)")
		if !strings.HasPrefix(h.err.String(), "Error: 403 Forbidden: the current password is wrong") {
			t.Errorf("stderr = %q; want the server's 403 and reason", h.err)
		}
		if h.sessionValue(t) != before || !works(t, h, before) {
			t.Errorf("the session changed or ended after a refused passwd; want it kept")
		}
	})

	t.Run("a mistyped repeat and a too-short password are asked again", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.loginAs(t, "carol")
		h.prompter.answers = []string{"password", "new password", "new passwort", "short", "new password", "new password"}
		wantExit(t, h, h.run(t, "passwd"), exitOK, "passwd (two slips, then right)")
		want := "Current password: |New password: |Retype new password: |New password: |New password: |Retype new password: "
		if got := strings.Join(h.prompter.asked, "|"); got != want {
			t.Errorf("asked %q; want %q", got, want)
		}
		for _, said := range []string{"The new passwords do not match; try again.\n", "The new password must be 8 to 72 bytes"} {
			if !strings.Contains(h.err.String(), said) {
				t.Errorf("stderr = %q; want %q", h.err, said)
			}
		}
	})

	for _, tc := range []struct {
		name    string
		answers []string
		want    string
	}{
		{"three mismatches", []string{"password", "new password", "a", "new password", "b", "new password", "c"}, "the new passwords do not match; nothing was changed"},
		{"three too-short passwords", []string{"password", "short", "short", "short"}, "the new password must be 8 to 72 bytes"},
	} {
		t.Run(tc.name+" change nothing, exit 2 either way", func(t *testing.T) {
			h := newHarness(t, true, "")
			h.loginAs(t, "carol")
			h.prompter.answers = tc.answers
			wantExit(t, h, h.run(t, "passwd"), exitUsage, "passwd ("+tc.name+")")
			if len(h.prompter.answers) != 0 {
				t.Errorf("%d answers left unread; want three tries", len(h.prompter.answers))
			}
			if !strings.Contains(h.err.String(), "Error: "+tc.want) {
				t.Errorf("stderr = %q; want %q", h.err, tc.want)
			}
			login := client.New(h.srv.URL, nil)
			if _, err := login.Login(t.Context(), client.Credentials{Username: "carol", Password: "password"}); err != nil {
				t.Errorf("login with the old password = %v; want nil", err)
			}
		})
	}

	t.Run("not logged in is exit 4 before any password is asked", func(t *testing.T) {
		h := newHarness(t, true, "")
		wantExit(t, h, h.run(t, "passwd"), exitAuth, "passwd (logged out)")
		if len(h.prompter.asked) != 0 {
			t.Errorf("asked %q; want no prompts", h.prompter.asked)
		}
	})

	t.Run("no terminal and no --password-stdin is a usage error", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "carol")
		wantExit(t, h, h.run(t, "passwd"), exitUsage, "passwd (no terminal)")
	})

	t.Run("DOCS_SESSION is refused: its value would stop working", func(t *testing.T) {
		h := newHarness(t, false, "password\nnew password\n")
		h.env["DOCS_SESSION"] = "anything"
		wantExit(t, h, h.run(t, "passwd", "--password-stdin"), exitUsage, "passwd with DOCS_SESSION")
		if !strings.Contains(h.err.String(), "unset DOCS_SESSION") {
			t.Errorf("stderr = %q; want the way out", h.err)
		}
	})
}
