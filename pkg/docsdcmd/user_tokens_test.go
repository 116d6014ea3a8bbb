package docsdcmd

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/postgres/pgtest"
	"github.com/docsd/docs/pkg/storage"
	"github.com/docsd/docs/pkg/token"
)

// TestUserTokens drives `docsd user tokens` on both backends: it lists a
// user's tokens and only theirs, as a table and as the API's JSON, and
// --revoke revokes one of the user's tokens and no one else's.
func TestUserTokens(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { testUserTokens(t, filepath.Join(t.TempDir(), "d.db")) })
	t.Run("PostgreSQL", func(t *testing.T) { testUserTokens(t, pgtest.URL(t)) })
}

func testUserTokens(t *testing.T, database string) {
	env := map[string]string{"DOCSD_DATABASE": database, "DOCSD_AUTH_BCRYPT_COST": "4"}
	mustSeed(t, env)
	created := time.Date(2026, 11, 30, 13, 30, 28, 421019000, time.UTC)
	expires := time.Date(2027, 1, 5, 19, 50, 0, 0, time.UTC)
	used := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	// Tokens are stored as POST /tokens stores them, and a use recorded
	// as a request's is.
	db := openBackend(t, database)
	ci := mustStoreToken(t, db, "carol", "ci", []docs.Scope{docs.ScopeRead, docs.ScopeWrite}, created, expires)
	laptop := mustStoreToken(t, db, "carol", "laptop", []docs.Scope{docs.ScopeRead}, created.Add(time.Second), time.Time{})
	bobs := mustStoreToken(t, db, "bob", "ci", []docs.Scope{docs.ScopeRead}, created, expires)
	if err := db.TouchToken(context.Background(), laptop.ID, used, "192.0.2.7"); err != nil {
		t.Fatalf("TouchToken(%d) = %v", laptop.ID, err)
	}

	t.Run("tokens lists the user's tokens, oldest first, and no one else's", func(t *testing.T) {
		out, errOut, code := docsd(t, env, "", "user", "tokens", "carol")
		want := fmt.Sprintf(`ID  NAME    SCOPES      EXPIRES               LAST USED
%-2d  ci      read,write  2027-01-05T19:50:00Z  never
%-2d  laptop  read        never                 2026-12-01T08:00:00Z
`, ci.ID, laptop.ID)
		if code != 0 || out != want {
			t.Errorf("docsd user tokens carol = exit %d, stderr %q, stdout\n%s\nwant exit 0 and\n%s", code, errOut, out, want)
		}
	})

	t.Run("tokens -o json prints them as the API does, an unset time as null", func(t *testing.T) {
		out, errOut, code := docsd(t, env, "", "user", "tokens", "carol", "-o", "json")
		if code != 0 {
			t.Fatalf("docsd user tokens carol -o json: exit %d: %s", code, errOut)
		}
		var got []map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("docsd user tokens -o json printed %q: %v", out, err)
		}
		want := []map[string]any{
			{"id": float64(ci.ID), "name": "ci", "scopes": []any{"read", "write"}, "created_at": "2026-11-30T13:30:28.421019Z",
				"expires_at": "2027-01-05T19:50:00Z", "last_used_at": nil, "last_used_from": ""},
			{"id": float64(laptop.ID), "name": "laptop", "scopes": []any{"read"}, "created_at": "2026-11-30T13:30:29.421019Z",
				"expires_at": nil, "last_used_at": "2026-12-01T08:00:00Z", "last_used_from": "192.0.2.7"},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("docsd user tokens carol -o json =\n%v\nwant\n%v", got, want)
		}
	})

	t.Run("a user without tokens is told so on stderr, and -o json prints []", func(t *testing.T) {
		out, errOut, code := docsd(t, env, "", "user", "tokens", "alice")
		if code != 0 || out != "" || errOut != "alice has no tokens\n" {
			t.Errorf("docsd user tokens alice = exit %d, %q, %q; want 0, nothing on stdout, %q", code, out, errOut, "alice has no tokens\n")
		}
		out, _, code = docsd(t, env, "", "user", "tokens", "alice", "-o", "json")
		if code != 0 || strings.TrimSpace(out) != "[]" {
			t.Errorf("docsd user tokens alice -o json = exit %d, %q; want 0, []", code, out)
		}
	})

	t.Run("--revoke of another user's token is refused and leaves it", func(t *testing.T) {
		id := fmt.Sprint(bobs.ID)
		_, errOut, code := docsd(t, env, "", "user", "tokens", "carol", "--revoke", id)
		want := fmt.Sprintf("carol has no token %d; theirs are %d, %d", bobs.ID, ci.ID, laptop.ID)
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("docsd user tokens carol --revoke %s (bob's) = exit %d, %q; want 1 and %q", id, code, errOut, want)
		}
		out, _, _ := docsd(t, env, "", "user", "tokens", "bob")
		if !strings.Contains(out, "\n"+id+" ") {
			t.Errorf("bob's tokens after carol's refused revoke:\n%s\nwant token %s kept", out, id)
		}
	})

	t.Run("--revoke revokes the user's token and no other", func(t *testing.T) {
		out, errOut, code := docsd(t, env, "", "user", "tokens", "carol", "--revoke", fmt.Sprint(ci.ID))
		if want := fmt.Sprintf("revoked token %d (ci) of carol\n", ci.ID); code != 0 || out != want {
			t.Fatalf("docsd user tokens carol --revoke %d = exit %d, %q, %q; want 0, %q", ci.ID, code, out, errOut, want)
		}
		out, _, _ = docsd(t, env, "", "user", "tokens", "carol", "-o", "json")
		var left []tokenJSON
		if err := json.Unmarshal([]byte(out), &left); err != nil || len(left) != 1 || left[0].ID != laptop.ID {
			t.Errorf("carol's tokens after revoking %d = %s, %v; want only %d", ci.ID, out, err, laptop.ID)
		}
		if _, _, err := db.TokenUser(context.Background(), ci.Hash); !docs.IsNotFound(err) {
			t.Errorf("TokenUser of the revoked token = %v; want NotFound", err)
		}
		if _, _, err := db.TokenUser(context.Background(), bobs.Hash); err != nil {
			t.Errorf("TokenUser of bob's token after carol's was revoked = %v; want nil", err)
		}
	})

	t.Run("mistakes are refused", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"user", "tokens", "nobody"}, 1, `no user named "nobody"`},
			{[]string{"user", "tokens", "nobody", "--revoke", "1"}, 1, `no user named "nobody"`},
			{[]string{"user", "tokens", "alice", "--revoke", "1"}, 1, "alice has no token 1: they have no tokens"},
			{[]string{"user", "tokens", "carol", "--revoke", "0"}, 2, "--revoke takes a token's ID, a positive number, not 0"},
			{[]string{"user", "tokens", "carol", "--revoke", "ci"}, 2, `invalid argument "ci" for "--revoke"`},
			{[]string{"user", "tokens", "carol", "-o", "yaml"}, 2, `--output must be table or json, not "yaml"`},
			{[]string{"user", "tokens", "carol", "--revoke", "1", "-o", "json"}, 2, "--output is for the list"},
			{[]string{"user", "tokens"}, 2, "accepts 1 arg"},
		} {
			_, errOut, code := docsd(t, env, "", tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("docsd %v = exit %d, %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
			}
		}
	})
}

// TestUserTokensParsing checks what `docsd user tokens` takes from its
// command line, through runF: nothing is opened.
func TestUserTokensParsing(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want *userTokensOptions // nil: a usage error
	}{
		{"a name lists as a table", []string{"carol"}, &userTokensOptions{Name: "carol", Output: "table"}},
		{"-o json lists as JSON", []string{"carol", "-o", "json"}, &userTokensOptions{Name: "carol", Output: "json"}},
		{"--revoke takes an ID", []string{"carol", "--revoke", "7"}, &userTokensOptions{Name: "carol", Output: "table", Revoke: 7}},
		{"--revoke refuses a negative ID", []string{"carol", "--revoke=-1"}, nil},
		{"--revoke refuses an output format", []string{"carol", "--revoke", "7", "-o", "table"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseArgs(newCmdUserTokens, tc.args)
			if tc.want == nil {
				if !exitcode.IsUsage(err) {
					t.Errorf("user tokens %v = %v; want a usage error", tc.args, err)
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("user tokens %v = %v; want it parsed", tc.args, err)
			}
			if got.Name != tc.want.Name || got.Output != tc.want.Output || got.Revoke != tc.want.Revoke {
				t.Errorf("user tokens %v parsed name %q output %q revoke %d; want %q %q %d", tc.args,
					got.Name, got.Output, got.Revoke, tc.want.Name, tc.want.Output, tc.want.Revoke)
			}
		})
	}
}

// openBackend opens database, migrated, until the test ends.
func openBackend(t *testing.T, database string) docs.Backend {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, database, storage.Options{MustExist: true})
	if err != nil {
		t.Fatalf("open %s: %v", database, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", database, err)
	}
	return db
}

// mustStoreToken stores a token of the user called username in db.
func mustStoreToken(t *testing.T, db docs.Backend, username, name string, scopes []docs.Scope, created, expires time.Time) *docs.Token {
	t.Helper()
	ctx := context.Background()
	u, err := db.UserByName(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	tok := &docs.Token{UserID: u.ID, Name: name, Hash: token.Hash(token.New()), Scopes: scopes, CreatedAt: created, ExpiresAt: expires}
	if err := db.CreateToken(ctx, tok); err != nil {
		t.Fatalf("CreateToken(%s's %q) = %v", username, name, err)
	}
	return tok
}
