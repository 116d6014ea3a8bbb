package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/token"
)

// testTokens checks the token store: what a token is stored as, whose it
// is and what its user may do now, how revocation and a user's removal
// end it, and that creation and revocation move the auth epoch, which the
// token cache relies on, while a recorded use does not.
func testTokens(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("CreateToken sets an ID and TokenUser and UserTokens return every field at microsecond precision in UTC", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleEditor)
		in := &docs.Token{UserID: u.ID, Name: "ci", Hash: token.Hash(token.New()), Scopes: []docs.Scope{docs.ScopeRead, docs.ScopeWrite},
			CreatedAt: base, ExpiresAt: base.Add(30*24*time.Hour + 1001)}
		if err := s.CreateToken(ctx, in); err != nil {
			t.Fatalf("CreateToken(%q) = %v; want nil", in.Name, err)
		}
		if in.ID <= 0 {
			t.Fatalf("CreateToken(%q) set ID %d; want > 0", in.Name, in.ID)
		}
		got, gotUser, err := s.TokenUser(ctx, in.Hash)
		if err != nil {
			t.Fatalf("TokenUser(hash of %q) = %v; want nil", in.Name, err)
		}
		checkToken(t, "TokenUser", got, in)
		if gotUser.ID != u.ID || gotUser.Username != "u" || gotUser.Role != docs.RoleEditor || string(gotUser.PasswordHash) != string(u.PasswordHash) {
			t.Errorf("TokenUser user = {ID:%d Username:%q Role:%q}; want {ID:%d Username:%q Role:%q}", gotUser.ID, gotUser.Username, gotUser.Role, u.ID, "u", docs.RoleEditor)
		}
		list, err := s.UserTokens(ctx, u.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("UserTokens(%d) = %d tokens, %v; want 1, nil", u.ID, len(list), err)
		}
		checkToken(t, "UserTokens[0]", list[0], in)
	})

	t.Run("a token that never expires keeps a zero ExpiresAt", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleAdmin)
		in := &docs.Token{UserID: u.ID, Name: "forever", Hash: token.Hash(token.New()), Scopes: []docs.Scope{docs.ScopeAdmin}, CreatedAt: base}
		if err := s.CreateToken(ctx, in); err != nil {
			t.Fatalf("CreateToken(never expires) = %v; want nil", err)
		}
		got, _, err := s.TokenUser(ctx, in.Hash)
		if err != nil {
			t.Fatalf("TokenUser = %v; want nil", err)
		}
		checkToken(t, "TokenUser of a token that never expires", got, in)
		if got.Expired(base.Add(100 * 365 * 24 * time.Hour)) {
			t.Errorf("a token stored with no expiry has expired a century later; want never")
		}
	})

	t.Run("a user's token names are unique regardless of case, and a refused one stores nothing", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		mustToken(t, s, u, "ci", base)
		for _, name := range []string{"ci", "CI", "Ci"} {
			dup := &docs.Token{UserID: u.ID, Name: name, Hash: token.Hash(token.New()), Scopes: []docs.Scope{docs.ScopeRead}, CreatedAt: base}
			err := s.CreateToken(ctx, dup)
			checkKind(t, fmt.Sprintf("CreateToken(%q) with %q taken", name, "ci"), err, docs.Conflict)
			_, _, err = s.TokenUser(ctx, dup.Hash)
			checkKind(t, fmt.Sprintf("TokenUser of the refused %q", name), err, docs.NotFound)
		}
		if list, err := s.UserTokens(ctx, u.ID); err != nil || len(list) != 1 {
			t.Errorf("UserTokens after refused duplicates = %d tokens, %v; want 1, nil", len(list), err)
		}
	})

	t.Run("two users may give their tokens the same name", func(t *testing.T) {
		s := open(t)
		a := mustUser(t, s, "a", docs.RoleMember)
		b := mustUser(t, s, "b", docs.RoleMember)
		mustToken(t, s, a, "ci", base)
		in := &docs.Token{UserID: b.ID, Name: "ci", Hash: token.Hash(token.New()), Scopes: []docs.Scope{docs.ScopeRead}, CreatedAt: base}
		if err := s.CreateToken(ctx, in); err != nil {
			t.Errorf("CreateToken(%q) by b with a's token named %q = %v; want nil", "ci", "ci", err)
		}
	})

	t.Run("TokenUser returns the user's role as it is now", func(t *testing.T) {
		s := open(t)
		mustUser(t, s, "admin", docs.RoleAdmin)
		u := mustUser(t, s, "u", docs.RoleMember)
		tok := mustToken(t, s, u, "ci", base)
		for _, role := range []docs.Role{docs.RoleEditor, docs.RoleAdmin, docs.RoleMember} {
			if _, err := s.SetRole(ctx, u.ID, role); err != nil {
				t.Fatalf("SetRole(u, %s) = %v", role, err)
			}
			_, got, err := s.TokenUser(ctx, tok.Hash)
			if err != nil || got.Role != role {
				t.Errorf("TokenUser after SetRole(u, %s) = role %v, %v; want %s", role, roleOf(got), err, role)
			}
			_, got, _, err = s.TokenUserWithEpoch(ctx, tok.Hash)
			if err != nil || got.Role != role {
				t.Errorf("TokenUserWithEpoch after SetRole(u, %s) = role %v, %v; want %s", role, roleOf(got), err, role)
			}
		}
	})

	t.Run("a secret no token has is NotFound", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		mustToken(t, s, u, "ci", base)
		unknown := token.Hash(token.New())
		_, _, err := s.TokenUser(ctx, unknown)
		checkKind(t, "TokenUser(an unknown hash)", err, docs.NotFound)
		_, _, _, err = s.TokenUserWithEpoch(ctx, unknown)
		checkKind(t, "TokenUserWithEpoch(an unknown hash)", err, docs.NotFound)
	})

	t.Run("DeleteToken revokes the user's own token; another user's is NotFound and stays", func(t *testing.T) {
		s := open(t)
		owner := mustUser(t, s, "owner", docs.RoleMember)
		other := mustUser(t, s, "other", docs.RoleAdmin)
		tok := mustToken(t, s, owner, "ci", base)
		err := s.DeleteToken(ctx, other.ID, tok.ID)
		checkKind(t, fmt.Sprintf("DeleteToken(user %d, owner's token %d)", other.ID, tok.ID), err, docs.NotFound)
		if _, _, err := s.TokenUser(ctx, tok.Hash); err != nil {
			t.Fatalf("TokenUser after another user's DeleteToken = %v; want the token kept", err)
		}
		if err := s.DeleteToken(ctx, owner.ID, tok.ID); err != nil {
			t.Fatalf("DeleteToken(owner, %d) = %v; want nil", tok.ID, err)
		}
		_, _, err = s.TokenUser(ctx, tok.Hash)
		checkKind(t, "TokenUser after DeleteToken", err, docs.NotFound)
		err = s.DeleteToken(ctx, owner.ID, tok.ID)
		checkKind(t, fmt.Sprintf("second DeleteToken(owner, %d)", tok.ID), err, docs.NotFound)
		err = s.DeleteToken(ctx, owner.ID, tok.ID+1000)
		checkKind(t, fmt.Sprintf("DeleteToken(owner, missing %d)", tok.ID+1000), err, docs.NotFound)
	})

	t.Run("deleting a user deletes their tokens and no one else's", func(t *testing.T) {
		s := open(t)
		mustUser(t, s, "admin", docs.RoleAdmin)
		gone := mustUser(t, s, "gone", docs.RoleEditor)
		kept := mustUser(t, s, "kept", docs.RoleEditor)
		goneTokens := []*docs.Token{mustToken(t, s, gone, "ci", base), mustToken(t, s, gone, "laptop", base)}
		keptToken := mustToken(t, s, kept, "ci", base)
		if err := s.DeleteUser(ctx, gone.ID, 0, base); err != nil {
			t.Fatalf("DeleteUser(%d, 0) = %v; want nil", gone.ID, err)
		}
		for _, tok := range goneTokens {
			_, _, err := s.TokenUser(ctx, tok.Hash)
			checkKind(t, fmt.Sprintf("TokenUser(%q of the removed user)", tok.Name), err, docs.NotFound)
		}
		if list, err := s.UserTokens(ctx, gone.ID); err != nil || len(list) != 0 {
			t.Errorf("UserTokens(removed user) = %d tokens, %v; want 0, nil", len(list), err)
		}
		if _, _, err := s.TokenUser(ctx, keptToken.Hash); err != nil {
			t.Errorf("TokenUser of another user's token after DeleteUser = %v; want nil", err)
		}
	})

	t.Run("CreateToken for a removed user is Unauthorized and stores nothing", func(t *testing.T) {
		s := open(t)
		mustUser(t, s, "admin", docs.RoleAdmin)
		gone := mustUser(t, s, "gone", docs.RoleMember)
		if err := s.DeleteUser(ctx, gone.ID, 0, base); err != nil {
			t.Fatalf("DeleteUser(%d, 0) = %v; want nil", gone.ID, err)
		}
		in := &docs.Token{UserID: gone.ID, Name: "ci", Hash: token.Hash(token.New()), Scopes: []docs.Scope{docs.ScopeRead}, CreatedAt: base}
		err := s.CreateToken(ctx, in)
		checkKind(t, fmt.Sprintf("CreateToken(user %d) after DeleteUser", gone.ID), err, docs.Unauthorized)
		_, _, err = s.TokenUser(ctx, in.Hash)
		checkKind(t, "TokenUser of the refused token", err, docs.NotFound)
	})

	t.Run("tokens created while DeleteUser runs never outlive their user", func(t *testing.T) {
		s := open(t)
		mustUser(t, s, "admin", docs.RoleAdmin)
		u := mustUser(t, s, "u", docs.RoleMember)
		for _, tok := range racingTokens(t, s, u, func() error { return s.DeleteUser(ctx, u.ID, 0, base) }) {
			_, _, err := s.TokenUser(ctx, tok.Hash)
			checkKind(t, fmt.Sprintf("TokenUser(%q), created before DeleteUser returned", tok.Name), err, docs.NotFound)
		}
	})

	t.Run("UserTokens lists one user's tokens, oldest first", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		other := mustUser(t, s, "other", docs.RoleMember)
		mustToken(t, s, u, "late", base.Add(time.Hour))
		mustToken(t, s, other, "other's", base.Add(time.Minute))
		mustToken(t, s, u, "early", base)
		mustToken(t, s, u, "late too", base.Add(time.Hour))
		got, err := s.UserTokens(ctx, u.ID)
		if err != nil {
			t.Fatalf("UserTokens(%d) = %v; want nil", u.ID, err)
		}
		var names []string
		for _, tok := range got {
			names = append(names, tok.Name)
		}
		if fmt.Sprintf("%q", names) != `["early" "late" "late too"]` {
			t.Errorf("UserTokens(%d) = %q; want [\"early\" \"late\" \"late too\"] (by creation, then by id)", u.ID, names)
		}
		if none, err := s.UserTokens(ctx, other.ID+1000); err != nil || len(none) != 0 {
			t.Errorf("UserTokens(missing user) = %d tokens, %v; want 0, nil", len(none), err)
		}
	})

	t.Run("TouchToken records when and from where a token was last used", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "u", docs.RoleMember)
		tok := mustToken(t, s, u, "ci", base)
		other := mustToken(t, s, u, "other", base)
		for _, use := range []struct {
			at   time.Time
			from string
		}{
			{base.Add(time.Hour + 1001), "192.0.2.7"},
			{base.Add(2 * time.Hour), "2001:db8::1"},
		} {
			if err := s.TouchToken(ctx, tok.ID, use.at, use.from); err != nil {
				t.Fatalf("TouchToken(%d, %v, %q) = %v; want nil", tok.ID, use.at, use.from, err)
			}
			got, _, err := s.TokenUser(ctx, tok.Hash)
			if err != nil {
				t.Fatalf("TokenUser after TouchToken = %v", err)
			}
			checkTime(t, "LastUsedAt after TouchToken", got.LastUsedAt, use.at)
			if got.LastUsedFrom != use.from {
				t.Errorf("LastUsedFrom after TouchToken(%q) = %q; want %q", use.from, got.LastUsedFrom, use.from)
			}
		}
		if got, _, err := s.TokenUser(ctx, other.Hash); err != nil || !got.LastUsedAt.IsZero() || got.LastUsedFrom != "" {
			t.Errorf("another token after TouchToken = %+v, %v; want it never used", got, err)
		}
		if err := s.DeleteToken(ctx, u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		// A request's use is recorded after it was served, when the token
		// may have been revoked meanwhile.
		if err := s.TouchToken(ctx, tok.ID, base.Add(3*time.Hour), "192.0.2.7"); err != nil {
			t.Errorf("TouchToken of a revoked token = %v; want nil", err)
		}
	})

	testTokenEpoch(t, open)
}

// testTokenEpoch checks what the token cache relies on: creating or
// revoking a token moves the auth epoch, in the same transaction (a
// refused change moves nothing), and a recorded use leaves it, so that use
// does not empty every process's cache.
func testTokenEpoch(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	type fixture struct {
		s            Store
		member, peer *docs.User
		tok          *docs.Token
	}
	setup := func(t *testing.T) fixture {
		s := open(t)
		mustUser(t, s, "admin", docs.RoleAdmin)
		f := fixture{s: s, member: mustUser(t, s, "member", docs.RoleMember), peer: mustUser(t, s, "peer", docs.RoleMember)}
		f.tok = mustToken(t, s, f.member, "ci", base)
		return f
	}
	newToken := func(f fixture, name string) error {
		return f.s.CreateToken(ctx, &docs.Token{UserID: f.member.ID, Name: name, Hash: token.Hash(token.New()), Scopes: []docs.Scope{docs.ScopeRead}, CreatedAt: base})
	}
	for _, tc := range []struct {
		name  string
		op    func(f fixture) error
		moves bool
	}{
		// A restore can undo a creation: a cache must not keep the token
		// under a value the restored database still shows.
		{"CreateToken moves the auth epoch", func(f fixture) error { return newToken(f, "new") }, true},
		{"DeleteToken moves the auth epoch", func(f fixture) error { return f.s.DeleteToken(ctx, f.member.ID, f.tok.ID) }, true},
		{"DeleteUser of a token's user moves the auth epoch", func(f fixture) error { return f.s.DeleteUser(ctx, f.member.ID, 0, base) }, true},
		{"TouchToken leaves the auth epoch", func(f fixture) error {
			return f.s.TouchToken(ctx, f.tok.ID, base.Add(time.Minute), "192.0.2.7")
		}, false},
		{"a CreateToken refused for its name leaves the auth epoch", func(f fixture) error {
			checkKind(t, "CreateToken(taken name)", newToken(f, "CI"), docs.Conflict)
			return nil
		}, false},
		{"a DeleteToken of another user's token leaves the auth epoch", func(f fixture) error {
			checkKind(t, "DeleteToken(peer, member's token)", f.s.DeleteToken(ctx, f.peer.ID, f.tok.ID), docs.NotFound)
			return nil
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			before := mustEpochs(t, f.s)
			if err := tc.op(f); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			after := mustEpochs(t, f.s)
			if moved := after.Auth != before.Auth; moved != tc.moves {
				t.Errorf("auth epoch went from %d to %d; want moved=%v", before.Auth, after.Auth, tc.moves)
			}
		})
	}

	t.Run("TokenUserWithEpoch reads the token with the epoch that names it", func(t *testing.T) {
		f := setup(t)
		before := mustEpochs(t, f.s)
		tok, u, epoch, err := f.s.TokenUserWithEpoch(ctx, f.tok.Hash)
		if err != nil {
			t.Fatalf("TokenUserWithEpoch = %v", err)
		}
		if tok.ID != f.tok.ID || u.ID != f.member.ID || epoch != before.Auth {
			t.Errorf("TokenUserWithEpoch = token %d, user %d, epoch %d; want token %d, user %d, epoch %d", tok.ID, u.ID, epoch, f.tok.ID, f.member.ID, before.Auth)
		}
	})

	t.Run("TokenUserWithEpoch of a secret no token has returns the epoch of that absence", func(t *testing.T) {
		f := setup(t)
		before := mustEpochs(t, f.s)
		_, _, epoch, err := f.s.TokenUserWithEpoch(ctx, token.Hash(token.New()))
		checkKind(t, "TokenUserWithEpoch of an unknown secret", err, docs.NotFound)
		if epoch != before.Auth {
			t.Errorf("TokenUserWithEpoch of an unknown secret: epoch %d; want the auth epoch %d, which names the state without it", epoch, before.Auth)
		}
	})
}

// racingTokens creates tokens of u on several goroutines while change
// runs, as racing does: every attempt must succeed or be Unauthorized (the
// user is gone). It returns the tokens it made.
func racingTokens(t *testing.T, s Store, u *docs.User, change func() error) []*docs.Token {
	t.Helper()
	return racing(t, "CreateToken", docs.Unauthorized, change, func(name string) (*docs.Token, error) {
		tok := &docs.Token{UserID: u.ID, Name: name, Hash: token.Hash(token.New()), Scopes: []docs.Scope{docs.ScopeRead}, CreatedAt: base}
		return tok, s.CreateToken(context.Background(), tok)
	})
}

// mustToken creates a read token of u named name, created at created,
// expiring 30 days later.
func mustToken(t *testing.T, s Store, u *docs.User, name string, created time.Time) *docs.Token {
	t.Helper()
	tok := &docs.Token{UserID: u.ID, Name: name, Hash: token.Hash(token.New()), Scopes: []docs.Scope{docs.ScopeRead},
		CreatedAt: created, ExpiresAt: created.Add(30 * 24 * time.Hour)}
	if err := s.CreateToken(context.Background(), tok); err != nil {
		t.Fatalf("CreateToken(%q) = %v", name, err)
	}
	return tok
}

// checkToken reports every field of got that is not want's as a store
// gives it back: times cut to microseconds in UTC, a zero time kept zero.
func checkToken(t *testing.T, what string, got, want *docs.Token) {
	t.Helper()
	if got.ID != want.ID || got.UserID != want.UserID || got.Name != want.Name || got.Hash != want.Hash ||
		fmt.Sprint(got.Scopes) != fmt.Sprint(want.Scopes) || got.LastUsedFrom != want.LastUsedFrom {
		t.Errorf("%s = {ID:%d UserID:%d Name:%q Hash:%q Scopes:%v LastUsedFrom:%q}; want {ID:%d UserID:%d Name:%q Hash:%q Scopes:%v LastUsedFrom:%q}",
			what, got.ID, got.UserID, got.Name, got.Hash, got.Scopes, got.LastUsedFrom,
			want.ID, want.UserID, want.Name, want.Hash, want.Scopes, want.LastUsedFrom)
	}
	checkTime(t, what+".CreatedAt", got.CreatedAt, want.CreatedAt)
	for _, tm := range []struct {
		name      string
		got, want time.Time
	}{{"ExpiresAt", got.ExpiresAt, want.ExpiresAt}, {"LastUsedAt", got.LastUsedAt, want.LastUsedAt}} {
		if tm.want.IsZero() {
			if !tm.got.IsZero() {
				t.Errorf("%s.%s = %v; want the zero time", what, tm.name, tm.got)
			}
			continue
		}
		checkTime(t, what+"."+tm.name, tm.got, tm.want)
	}
}

// roleOf is u's role, or "no user" for nil, for failure messages.
func roleOf(u *docs.User) string {
	if u == nil {
		return "no user"
	}
	return string(u.Role)
}
