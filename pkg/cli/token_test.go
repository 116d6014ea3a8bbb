package cli

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/token"
)

func TestCredentialPrecedence(t *testing.T) {
	tok := token.New()
	stored := token.New()
	tests := []struct {
		name                string
		envToken, envSess   string
		keyring             string
		wantValue           string
		wantSource          sessionSource
		wantToken           bool
		wantExit            int // of Lookup's error; 0 for none
		wantSessionValue    string
		wantSessionExit     int // of LookupSession's error
		wantSessionIsStored bool
	}{
		{name: "DOCS_TOKEN wins over DOCS_SESSION and the keyring", envToken: tok, envSess: "from-env", keyring: "from-keyring",
			wantValue: tok, wantSource: sourceEnv, wantToken: true, wantSessionValue: "from-env"},
		{name: "DOCS_SESSION wins over a token in the keyring", envSess: "from-env", keyring: stored,
			wantValue: "from-env", wantSource: sourceEnv, wantSessionValue: "from-env"},
		{name: "a token in the keyring is a token", keyring: stored,
			wantValue: stored, wantSource: sourceKeyring, wantToken: true, wantSessionValue: stored, wantSessionIsStored: true},
		{name: "a session in the keyring is a session", keyring: "from-keyring",
			wantValue: "from-keyring", wantSource: sourceKeyring, wantSessionValue: "from-keyring", wantSessionIsStored: true},
		{name: "a mistyped DOCS_TOKEN is a usage error, not a 401", envToken: tok[:len(tok)-1] + "x", keyring: "from-keyring",
			wantExit: exitUsage, wantSessionValue: "from-keyring", wantSessionIsStored: true},
		{name: "a session cookie in DOCS_TOKEN is a usage error", envToken: "from-env",
			wantExit: exitUsage, wantSessionExit: exitAuth},
		{name: "a token in DOCS_SESSION is a usage error: it belongs in DOCS_TOKEN", envSess: tok,
			wantExit: exitUsage, wantSessionExit: exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInit()
			if tt.keyring != "" {
				_ = keyring.Set(keyringService, testServer, tt.keyring)
			}
			st := newStore(t, systemKeyring{}, tt.envSess)
			st.envToken = tt.envToken
			got, err := st.Lookup(t.Context(), testServer)
			if tt.wantExit != 0 {
				if exitCode(err) != tt.wantExit {
					t.Errorf("Lookup = %+v, %v (exit %d); want exit %d", got, err, exitCode(err), tt.wantExit)
				}
			} else if err != nil || got.Value != tt.wantValue || got.Source != tt.wantSource || got.Token != tt.wantToken {
				t.Errorf("Lookup = %+v, %v; want %s from %s, token %v", got, err, tt.wantValue, tt.wantSource, tt.wantToken)
			}
			got, err = st.LookupSession(t.Context(), testServer)
			if tt.wantSessionExit != 0 {
				if exitCode(err) != tt.wantSessionExit {
					t.Errorf("LookupSession = %+v, %v (exit %d); want exit %d", got, err, exitCode(err), tt.wantSessionExit)
				}
			} else if err != nil || got.Value != tt.wantSessionValue || (got.Source == sourceKeyring) != tt.wantSessionIsStored {
				t.Errorf("LookupSession = %+v, %v; want %s", got, err, tt.wantSessionValue)
			}
		})
	}
}

func TestTokenCreateParsing(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantExit   int // of the parse; 0 when runF is reached
		wantErr    string
		wantScopes []client.Scope
	}{
		{"name, scopes and expiry", []string{"--name", "ci", "--scope", "read,write", "--expires", "30d"}, 0, "", []client.Scope{"read", "write"}},
		{"a repeated --scope adds, a scope twice is sent once", []string{"--name", "ci", "--scope", "write", "--scope", "read,WRITE"}, 0, "", []client.Scope{"write", "read"}},
		{"no name is a usage error", []string{"--scope", "read"}, exitUsage, "--name is required", nil},
		{"no scope is a usage error", []string{"--name", "ci"}, exitUsage, "--scope is required", nil},
		{"an unknown scope names the nearest", []string{"--name", "ci", "--scope", "read,wrte"}, exitUsage, `invalid scope "wrte": want read, write or admin (nearest: write)`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := noRequests(t, false, "")
			var got *tokenCreateOptions
			cmd := newCmdTokenCreate(h.f, func(o *tokenCreateOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(h.out)
			cmd.SetErr(h.err)
			err := cmd.Execute()
			if code := exitCode(err); code != tt.wantExit || (tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("token create %q: exit %d (%v); want %d, %q", tt.args, code, err, tt.wantExit, tt.wantErr)
			}
			if tt.wantExit == 0 && !slices.Equal(got.Scopes, tt.wantScopes) {
				t.Errorf("token create %q parsed scopes %q; want %q", tt.args, got.Scopes, tt.wantScopes)
			}
		})
	}
}

func TestTokenRevokeParsing(t *testing.T) {
	tests := []struct {
		name     string
		tty      bool
		args     []string
		wantExit int
		wantErr  string
	}{
		{"--yes with no terminal", false, []string{"3", "--yes"}, 0, ""},
		{"a terminal may ask", true, []string{"3"}, 0, ""},
		{"no terminal and no --yes is a usage error", false, []string{"3"}, exitUsage, "refusing to revoke token 3 without confirmation: pass --yes"},
		{"a bad ID is a usage error naming a token", true, []string{"ci"}, exitUsage, `invalid token ID "ci"`},
		{"no ID is a usage error", true, nil, exitUsage, "takes one token ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := noRequests(t, tt.tty, "")
			var got *tokenRevokeOptions
			cmd := newCmdTokenRevoke(h.f, func(o *tokenRevokeOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(h.out)
			cmd.SetErr(h.err)
			err := cmd.Execute()
			if code := exitCode(err); code != tt.wantExit || (tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("token revoke %q: exit %d (%v); want %d, %q", tt.args, code, err, tt.wantExit, tt.wantErr)
			}
			if tt.wantExit == 0 && got.ID != 3 {
				t.Errorf("token revoke %q parsed ID %d; want 3", tt.args, got.ID)
			}
		})
	}
}

func TestTokenCommandsNeedASession(t *testing.T) {
	for _, args := range [][]string{
		{"token", "create", "--name", "ci", "--scope", "read"},
		{"token", "list"},
		{"token", "revoke", "3", "--yes"},
		{"passwd", "--password-stdin"},
	} {
		t.Run("DOCS_TOKEN does not serve docs "+strings.Join(args, " "), func(t *testing.T) {
			h := noRequests(t, false, "old\nnew\n")
			h.env["DOCS_TOKEN"] = token.New()
			wantExit(t, h, h.run(t, args...), exitAuth, args...)
			if !strings.Contains(h.err.String(), "with a session, which this command needs: a token cannot create, list or revoke tokens") ||
				!strings.Contains(h.err.String(), "To log in, run: docs login") {
				t.Errorf("stderr = %q; want why a token will not do, and docs login", h.err)
			}
		})
		t.Run("a stored token does not serve docs "+strings.Join(args, " "), func(t *testing.T) {
			h := noRequests(t, false, "old\nnew\n")
			server, _ := client.NormalizeServerURL(h.env["DOCS_SERVER"])
			_ = keyring.Set(keyringService, server, token.New())
			wantExit(t, h, h.run(t, args...), exitAuth, args...)
		})
	}
}

func TestLoginWithTokenChecksItOffline(t *testing.T) {
	good := token.New()
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantExit int
		wantErr  string
	}{
		{"a mistyped token", []string{"--with-token"}, good[:20] + "X" + good[21:] + "\n", exitUsage, "the token's checksum does not match: it was mistyped or copied incompletely; nothing was stored"},
		{"a cut-short token", []string{"--with-token"}, good[:30] + "\n", exitUsage, "not a docs token"},
		{"a session cookie value", []string{"--with-token"}, "abc.def\n", exitUsage, "not a docs token"},
		{"nothing on stdin", []string{"--with-token"}, "", exitUsage, "no token given"},
		{"--with-token with a username", []string{"--with-token", "-u", "alice"}, good, exitUsage, "none of the others can be"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" exits 2 with nothing sent or stored", func(t *testing.T) {
			h := noRequests(t, false, tt.stdin)
			args := append([]string{"login"}, tt.args...)
			wantExit(t, h, h.run(t, args...), tt.wantExit, args...)
			if !strings.Contains(h.err.String(), tt.wantErr) {
				t.Errorf("stderr = %q; want %q", h.err, tt.wantErr)
			}
			server, _ := client.NormalizeServerURL(h.env["DOCS_SERVER"])
			if _, err := keyring.Get(keyringService, server); !errors.Is(err, keyring.ErrNotFound) {
				t.Errorf("keyring.Get after a refused token = %v; want ErrNotFound", err)
			}
		})
	}
}

func TestTokenPrintsTheCredentialInUse(t *testing.T) {
	tok := token.New()
	h := noRequests(t, true, "")
	h.env["DOCS_TOKEN"] = tok
	h.env["DOCS_SESSION"] = "a-session"
	wantExit(t, h, h.run(t, "token"), exitOK, "token")
	if h.out.String() != tok+"\n" || !strings.Contains(h.err.String(), "within its scopes, until it expires or is revoked") {
		t.Errorf("stdout %q, stderr %q; want DOCS_TOKEN's token, and on a terminal that it is a secret", h.out, h.err)
	}
	h.env["DOCS_TOKEN"] = "docs_pat_typo"
	wantExit(t, h, h.run(t, "token"), exitUsage, "token")
	if h.out.Len() != 0 || !strings.Contains(h.err.String(), "DOCS_TOKEN is not usable: not a docs token") {
		t.Errorf("stdout %q, stderr %q; want nothing printed and DOCS_TOKEN named", h.out, h.err)
	}
}
