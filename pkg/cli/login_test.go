package cli

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/docsd/docs/pkg/client"
)

func TestNewCmdLoginParsing(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want loginOptions
	}{
		{"username and stdin", []string{"-u", "alice", "--password-stdin"}, loginOptions{Username: "alice", PasswordStdin: true}},
		{"insecure storage", []string{"--username", "bob", "--insecure-storage"}, loginOptions{Username: "bob", InsecureStorage: true}},
		{"a password flag is noticed", []string{"-u", "a", "--password", "x"}, loginOptions{Username: "a", PasswordFlag: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, false, "")
			var got *loginOptions
			cmd := newCmdLogin(h.f, func(o *loginOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatalf("Execute(%q) = %v", tt.args, err)
			}
			if got.Username != tt.want.Username || got.PasswordStdin != tt.want.PasswordStdin ||
				got.InsecureStorage != tt.want.InsecureStorage || got.PasswordFlag != tt.want.PasswordFlag {
				t.Errorf("parse %q = %+v; want %+v", tt.args, *got, tt.want)
			}
		})
	}
}

func TestLogin(t *testing.T) {
	t.Run("on a terminal it asks for username and password and stores the session", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.prompter.answers = []string{"alice", "password"}
		wantExit(t, h, h.run(t, "login"), exitOK, "login")
		if strings.Join(h.prompter.asked, "|") != "Username: |Password: " {
			t.Errorf("asked %q; want Username then Password", h.prompter.asked)
		}
		if v, err := keyring.Get(keyringService, h.server()); err != nil || v == "" {
			t.Errorf("keyring.Get after login = %q, %v; want the session", v, err)
		}
		if !strings.Contains(h.err.String(), "as alice (admin)") || h.out.Len() != 0 {
			t.Errorf("stdout %q, stderr %q; want who you are on stderr only", h.out, h.err)
		}
	})

	t.Run("with no terminal a missing password is a usage error", func(t *testing.T) {
		h := newHarness(t, false, "")
		wantExit(t, h, h.run(t, "login", "-u", "alice"), exitUsage, "login -u alice")
		if len(h.prompter.asked) != 0 {
			t.Errorf("asked %q with no terminal; want no prompts", h.prompter.asked)
		}
	})

	t.Run("a password flag is refused before anything is sent", func(t *testing.T) {
		h := newHarness(t, false, "")
		wantExit(t, h, h.run(t, "login", "-u", "alice", "-p", "password"), exitUsage, "login -p")
		if _, err := keyring.Get(keyringService, h.server()); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("keyring.Get after refused login = %v; want ErrNotFound", err)
		}
	})

	t.Run("wrong credentials are the server's 401, exit 4", func(t *testing.T) {
		h := newHarness(t, false, "nope\n")
		wantExit(t, h, h.run(t, "login", "-u", "alice", "--password-stdin"), exitAuth, "login")
		if !strings.HasPrefix(h.err.String(), "Error: 401 Unauthorized") {
			t.Errorf("stderr = %q; want the server's 401", h.err)
		}
	})

	t.Run("json output prints the user on stdout", func(t *testing.T) {
		h := newHarness(t, false, "password\n")
		wantExit(t, h, h.run(t, "login", "-u", "bob", "--password-stdin", "-o", "json"), exitOK, "login -o json")
		if !strings.Contains(h.out.String(), `"username": "bob"`) {
			t.Errorf("stdout = %q; want bob's user JSON", h.out)
		}
	})
}

func TestTrimLineEnding(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pw\n", "pw"},
		{"pw\r\n", "pw"},
		{"pw", "pw"},
		{"pw\n\n", "pw\n"},
		{" pw \n", " pw "},
		{"pw\r", "pw\r"},
	}
	for _, tt := range tests {
		if got := trimLineEnding(tt.in); got != tt.want {
			t.Errorf("trimLineEnding(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// wantSessionStatus requires the server to answer GET /me with the session
// by status: 200 for a live session, 401 for an ended one.
func wantSessionStatus(t *testing.T, h *harness, what, session string, want int) {
	t.Helper()
	_, err := client.New(h.srv.URL, &client.Options{Session: session}).Me(t.Context())
	got := http.StatusOK
	if err != nil {
		got = client.StatusCode(err)
	}
	if got != want {
		t.Errorf("GET /me with the %s = %d (%v); want %d", what, got, err, want)
	}
}

func TestLoginEndsTheSessionItReplaces(t *testing.T) {
	login := func(t *testing.T, h *harness, args ...string) {
		t.Helper()
		h.prompter.answers = []string{"password"}
		args = append([]string{"login", "-u", "alice"}, args...)
		wantExit(t, h, h.run(t, args...), exitOK, args...)
	}
	stored := func(t *testing.T, h *harness) string {
		t.Helper()
		st := newSessionStore(h.f.Keyring, &settings{ConfigDir: h.env["DOCS_CONFIG_DIR"], KeyringTimeout: time.Minute})
		s, err := st.LookupStored(t.Context(), h.server())
		if err != nil {
			t.Fatalf("LookupStored after login = %v", err)
		}
		return s.Value
	}

	t.Run("a second login ends the first session on the server", func(t *testing.T) {
		h := newHarness(t, true, "")
		login(t, h)
		first := stored(t, h)
		login(t, h)
		second := stored(t, h)
		if second == first {
			t.Fatalf("the second login stored the same session %q; want a new one", second)
		}
		wantSessionStatus(t, h, "first session", first, http.StatusUnauthorized)
		wantSessionStatus(t, h, "second session", second, http.StatusOK)
	})

	t.Run("a login kept in the file ends the session it replaces", func(t *testing.T) {
		h := newHarness(t, true, "")
		login(t, h, "--insecure-storage")
		first := stored(t, h)
		login(t, h, "--insecure-storage")
		wantSessionStatus(t, h, "first session", first, http.StatusUnauthorized)
		wantSessionStatus(t, h, "second session", stored(t, h), http.StatusOK)
	})

	t.Run("a stored session the server no longer accepts does not stop a login", func(t *testing.T) {
		h := newHarness(t, true, "")
		if err := keyring.Set(keyringService, h.server(), "not-a-valid-session"); err != nil {
			t.Fatal(err)
		}
		login(t, h)
		wantSessionStatus(t, h, "new session", stored(t, h), http.StatusOK)
	})

	t.Run("DOCS_SESSION is not ended by a login, the stored session is", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.loginAs(t, "alice")
		old := stored(t, h)
		h.env["DOCS_SESSION"] = h.srv.Login(t, "bob").Value
		login(t, h)
		wantSessionStatus(t, h, "DOCS_SESSION session", h.env["DOCS_SESSION"], http.StatusOK)
		wantSessionStatus(t, h, "stored session", old, http.StatusUnauthorized)
	})

	t.Run("a stored session that is also DOCS_SESSION is not ended by a login", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.loginAs(t, "alice")
		h.env["DOCS_SESSION"] = stored(t, h)
		login(t, h)
		wantSessionStatus(t, h, "DOCS_SESSION session", h.env["DOCS_SESSION"], http.StatusOK)
	})

	t.Run("an unreachable keyring is still reported before the password is sent", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.f.Keyring = brokenKeyring{}
		h.prompter.answers = []string{"password"}
		wantExit(t, h, h.run(t, "login", "-u", "alice"), exitError, "login")
		if !strings.Contains(h.err.String(), "the system keyring could not be reached to read the session") {
			t.Errorf("stderr = %q; want the keyring error", h.err)
		}
	})

	t.Run("an unreachable keyring does not stop a login kept in the file", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.f.Keyring = brokenKeyring{}
		login(t, h, "--insecure-storage")
	})
}

// askRecorder is a prompter that keeps what stderr held at the first
// question.
type askRecorder struct {
	*fakePrompter
	h      *harness
	before *string
}

func (p askRecorder) Input(ctx context.Context, q string) (string, error) {
	p.note()
	return p.fakePrompter.Input(ctx, q)
}

func (p askRecorder) Password(ctx context.Context, q string) (string, error) {
	p.note()
	return p.fakePrompter.Password(ctx, q)
}

func (p askRecorder) note() {
	if *p.before == "" {
		*p.before = p.h.err.String() + "\x00" // asked, even with nothing said
	}
}

func TestLoginSaysWhoIsLoggedInBeforeAsking(t *testing.T) {
	t.Run("logged in as bob, a login on a terminal names bob before the prompt", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.loginAs(t, "bob")
		var before string
		h.f.Prompter = askRecorder{fakePrompter: h.prompter, h: h, before: &before}
		h.prompter.answers = []string{"alice", "password"}
		wantExit(t, h, h.run(t, "login"), exitOK, "login")
		if want := "Already logged in to " + h.server() + " as bob (editor) with a session"; !strings.Contains(before, want) {
			t.Errorf("stderr before the first prompt = %q; want %q", before, want)
		}
	})

	t.Run("not logged in, nothing is said before the prompt", func(t *testing.T) {
		h := newHarness(t, true, "")
		var before string
		h.f.Prompter = askRecorder{fakePrompter: h.prompter, h: h, before: &before}
		h.prompter.answers = []string{"alice", "password"}
		wantExit(t, h, h.run(t, "login"), exitOK, "login")
		if before != "\x00" {
			t.Errorf("stderr before the first prompt = %q; want nothing", before)
		}
	})
}
