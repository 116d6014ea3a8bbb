package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
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
