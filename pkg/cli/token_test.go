package cli

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/docs"
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

// stdoutToken returns what a command printed, required to be one token
// and a newline, nothing else.
func stdoutToken(t *testing.T, h *harness) string {
	t.Helper()
	tok, ok := strings.CutSuffix(h.out.String(), "\n")
	if !ok || token.Check(tok) != nil {
		t.Fatalf("stdout = %q; want exactly one token and a newline", h.out)
	}
	return tok
}

func TestTokenLifecycle(t *testing.T) {
	h := newHarness(t, false, "")
	h.loginAs(t, "alice")

	wantExit(t, h, h.run(t, "token", "create", "--name", "ci", "--scope", "read,write", "--expires", "30d"), exitOK, "token create")
	tok := stdoutToken(t, h)
	if !strings.HasPrefix(h.err.String(), `Created token 1 "ci" (scopes read, write; expires `) {
		t.Errorf("stderr = %q; want what was created", h.err)
	}

	// The token wins over the session stored in the keyring.
	h.env["DOCS_TOKEN"] = tok
	wantExit(t, h, h.run(t, "status"), exitOK, "status")
	for _, want := range []string{"User:     alice\n", "Token:    DOCS_TOKEN environment variable", "Scopes:   read, write\n", "Expires:  20"} {
		if !strings.Contains(h.out.String(), want) {
			t.Errorf("status = %q; want %q", h.out, want)
		}
	}
	wantExit(t, h, h.run(t, "create", "--title", "From CI", "--body", "b"), exitOK, "create")

	t.Run("a route beyond the token's scopes is exit 5, naming the scope", func(t *testing.T) {
		wantExit(t, h, h.run(t, "users", "list"), exitForbidden, "users list")
		if !strings.Contains(h.err.String(), "do not cover admin") || !strings.Contains(h.err.String(), "--scope admin") {
			t.Errorf("stderr = %q; want the scope needed named", h.err)
		}
	})

	t.Run("list uses the session, with DOCS_TOKEN set", func(t *testing.T) {
		wantExit(t, h, h.run(t, "token", "list"), exitOK, "token list")
		lines := strings.Split(strings.TrimSpace(h.out.String()), "\n")
		if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "ID NAME SCOPES EXPIRES LAST USED" {
			t.Fatalf("token list = %q; want a header and one row", h.out)
		}
		if f := strings.Fields(lines[1]); f[0] != "1" || f[1] != "ci" || f[2] != "read,write" || f[4] == "never" {
			t.Errorf("token list row = %q; want 1, ci, read,write and a last use", lines[1])
		}
		wantExit(t, h, h.run(t, "token", "list", "-o", "json"), exitOK, "token list -o json")
		var list []client.Token
		if err := json.Unmarshal(h.out.Bytes(), &list); err != nil || len(list) != 1 || list[0].Secret != "" || list[0].LastUsedFrom == "" {
			t.Errorf("token list -o json = %s (%v); want one token, no secret, where it was last used from", h.out, err)
		}
	})

	t.Run("a revoked token is exit 4, pointing to docs token create", func(t *testing.T) {
		wantExit(t, h, h.run(t, "token", "revoke", "1", "--yes"), exitOK, "token revoke 1 --yes")
		wantExit(t, h, h.run(t, "get", "1"), exitAuth, "get 1")
		if !strings.Contains(h.err.String(), "it was revoked or never existed") ||
			!strings.Contains(h.err.String(), "Make a new one with 'docs token create'") || strings.Contains(h.err.String(), "docs login") {
			t.Errorf("stderr = %q; want revoked, docs token create, and no docs login", h.err)
		}
		wantExit(t, h, h.run(t, "token", "list"), exitOK, "token list")
		if h.out.Len() != 0 || h.err.String() != "No tokens.\n" {
			t.Errorf("token list after revoke: stdout %q, stderr %q; want No tokens. on stderr", h.out, h.err)
		}
	})
}

func TestAnExpiredTokenIsExit4(t *testing.T) {
	h := newHarness(t, false, "")
	_, tok := h.srv.Token(t, "alice", "1h", docs.ScopeRead)
	h.env["DOCS_TOKEN"] = tok
	h.env["CI"] = "true"
	wantExit(t, h, h.run(t, "get", "1"), exitOK, "get 1")
	h.srv.Clock.Advance(time.Hour)
	wantExit(t, h, h.run(t, "get", "1"), exitAuth, "get 1 (expired)")
	if !strings.Contains(h.err.String(), "401 Unauthorized: the token expired at ") ||
		!strings.Contains(h.err.String(), "'docs token create'") || strings.Contains(h.err.String(), "docs login") {
		t.Errorf("stderr = %q; want expired, docs token create, and no docs login", h.err)
	}
}

func TestTokenListMarksTheExpired(t *testing.T) {
	h := newHarness(t, false, "")
	h.srv.Token(t, "alice", "1h", docs.ScopeRead)
	h.srv.Token(t, "alice", "30d", docs.ScopeRead)
	h.srv.Clock.Advance(time.Hour)
	h.loginAs(t, "alice")
	wantExit(t, h, h.run(t, "token", "list"), exitOK, "token list")
	rows := strings.Split(strings.TrimSpace(h.out.String()), "\n")
	if len(rows) != 3 || !strings.Contains(rows[1], "\texpired 20") || strings.Contains(rows[2], "expired") {
		t.Errorf("token list an hour on = %q; want token 1 marked expired, token 2 not", h.out)
	}
}

func TestCredentialPrecedenceEndToEnd(t *testing.T) {
	h := newHarness(t, false, "")
	h.loginAs(t, "bob")
	h.env["DOCS_SESSION"] = h.srv.Login(t, "carol").Value
	_, h.env["DOCS_TOKEN"] = h.srv.Token(t, "alice", "", docs.ScopeRead)
	steps := []struct {
		unset      string
		user, line string
	}{
		{"", "alice", "Token:    DOCS_TOKEN environment variable"},
		{"DOCS_TOKEN", "carol", "Session:  DOCS_SESSION environment variable"},
		{"DOCS_SESSION", "bob", "Session:  system keyring"},
	}
	for _, s := range steps {
		delete(h.env, s.unset)
		wantExit(t, h, h.run(t, "status"), exitOK, "status")
		if !strings.Contains(h.out.String(), "User:     "+s.user+"\n") || !strings.Contains(h.out.String(), s.line) {
			t.Errorf("status with %s unset = %q; want %s, %q", s.unset, h.out, s.user, s.line)
		}
	}
}

func TestLoginWithTokenEndToEnd(t *testing.T) {
	t.Run("it stores the token, ends the session it replaces, and logout forgets it only here", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		session, _ := keyring.Get(keyringService, h.server())
		_, tok := h.srv.Token(t, "alice", "", docs.ScopeRead, docs.ScopeWrite)
		h.f.IO.In = strings.NewReader(tok + "\n")
		wantExit(t, h, h.run(t, "login", "--with-token"), exitOK, "login --with-token")
		if !strings.Contains(h.err.String(), "as alice (admin) with a token (scopes read, write; expires 20") || h.out.Len() != 0 {
			t.Errorf("stdout %q, stderr %q; want who and what on stderr only", h.out, h.err)
		}
		if v, _ := keyring.Get(keyringService, h.server()); v != tok {
			t.Errorf("keyring holds %q; want the token", v)
		}
		wantSessionStatus(t, h, "session the token replaced", session, http.StatusUnauthorized)

		wantExit(t, h, h.run(t, "status"), exitOK, "status")
		if !strings.Contains(h.out.String(), "Token:    system keyring") {
			t.Errorf("status = %q; want the token from the keyring", h.out)
		}
		wantExit(t, h, h.run(t, "token"), exitOK, "token")
		if h.out.String() != tok+"\n" {
			t.Errorf("docs token = %q; want the stored token", h.out)
		}

		wantExit(t, h, h.run(t, "logout"), exitOK, "logout")
		if !strings.Contains(h.err.String(), "stays valid on the server until it expires or is revoked") {
			t.Errorf("stderr = %q; want it said that the token still works", h.err)
		}
		if _, err := keyring.Get(keyringService, h.server()); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("keyring after logout: %v; want ErrNotFound", err)
		}
		if _, err := client.New(h.srv.URL, &client.Options{Token: tok}).Me(t.Context()); err != nil {
			t.Errorf("GET /me with the token after logout = %v; want it still valid", err)
		}
	})

	t.Run("a revoked token is exit 4 and not stored", func(t *testing.T) {
		h := newHarness(t, false, "")
		id, tok := h.srv.Token(t, "alice", "", docs.ScopeRead)
		c := client.New(h.srv.URL, &client.Options{Session: h.srv.Login(t, "alice").Value})
		if err := c.RevokeToken(t.Context(), id); err != nil {
			t.Fatal(err)
		}
		h.f.IO.In = strings.NewReader(tok)
		wantExit(t, h, h.run(t, "login", "--with-token"), exitAuth, "login --with-token")
		if !strings.Contains(h.err.String(), "the server did not accept the token, so it was not stored") {
			t.Errorf("stderr = %q", h.err)
		}
		if _, err := keyring.Get(keyringService, h.server()); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("keyring after a refused token: %v; want ErrNotFound", err)
		}
	})

	t.Run("a token without read is stored and shown without its user", func(t *testing.T) {
		h := newHarness(t, false, "")
		_, tok := h.srv.Token(t, "bob", "", docs.ScopeWrite)
		h.f.IO.In = strings.NewReader(tok)
		wantExit(t, h, h.run(t, "login", "--with-token"), exitOK, "login --with-token")
		wantExit(t, h, h.run(t, "status"), exitOK, "status")
		if !strings.Contains(h.out.String(), "Scopes:   write\n") || strings.Contains(h.out.String(), "User:") ||
			!strings.Contains(h.err.String(), "do not include read") {
			t.Errorf("status: stdout %q, stderr %q; want the scopes, no user, and why", h.out, h.err)
		}
		wantExit(t, h, h.run(t, "create", "--title", "T", "--body", "b"), exitOK, "create")
	})

	t.Run("a password login over a stored token says the token still works", func(t *testing.T) {
		h := newHarness(t, false, "password\n")
		_, tok := h.srv.Token(t, "alice", "", docs.ScopeRead)
		_ = keyring.Set(keyringService, h.server(), tok)
		wantExit(t, h, h.run(t, "login", "-u", "alice", "--password-stdin"), exitOK, "login")
		if !strings.Contains(h.err.String(), "The token stored before was replaced here. It stays valid") {
			t.Errorf("stderr = %q; want it said the token was not revoked", h.err)
		}
		if _, err := client.New(h.srv.URL, &client.Options{Token: tok}).Me(t.Context()); err != nil {
			t.Errorf("GET /me with the replaced token = %v; want it still valid", err)
		}
	})
}

func TestTokenRevokeOnTerminal(t *testing.T) {
	h := newHarness(t, true, "")
	h.loginAs(t, "alice")
	id, tok := h.srv.Token(t, "alice", "", docs.ScopeRead)
	arg := strconv.FormatInt(id, 10)

	h.prompter.answers = []string{"n"}
	wantExit(t, h, h.run(t, "token", "revoke", arg), exitError, "token revoke (no)")
	if len(h.prompter.asked) != 1 || !strings.HasPrefix(h.prompter.asked[0], "Revoke token "+arg+` "t`) ||
		h.err.String() != "Cancelled: token "+arg+" was not revoked.\n" {
		t.Errorf("asked %q, stderr %q; want one question naming the token, then Cancelled", h.prompter.asked, h.err)
	}
	if _, err := client.New(h.srv.URL, &client.Options{Token: tok}).Me(t.Context()); err != nil {
		t.Errorf("GET /me with the token after declining = %v; want it still valid", err)
	}

	h.prompter.asked = nil
	wantExit(t, h, h.run(t, "token", "revoke", "99"), exitNotFound, "token revoke 99")
	if len(h.prompter.asked) != 0 || !strings.Contains(h.err.String(), "404 Not Found: token 99 not found") {
		t.Errorf("asked %q, stderr %q; want a 404 before any question", h.prompter.asked, h.err)
	}

	h.prompter.answers = []string{"y"}
	wantExit(t, h, h.run(t, "token", "revoke", arg), exitOK, "token revoke (yes)")
	_, err := client.New(h.srv.URL, &client.Options{Token: tok}).Me(t.Context())
	if got := client.StatusCode(err); got != http.StatusUnauthorized {
		t.Errorf("GET /me with the revoked token = %d; want 401", got)
	}
}
