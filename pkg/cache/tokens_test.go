package cache_test

import (
	"context"
	"testing"

	"github.com/docsd/docs/pkg/cache"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/token"
)

// TestTokensRememberAnAbsence: a secret no token has is read once while
// the auth epoch stands, so a client retrying a revoked token costs the
// epochs alone; a token made with that secret afterwards, through another
// handle, is found at the next request.
func TestTokensRememberAnAbsence(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	c := cache.NewTokens(f.store, f.epochs)
	secret := token.New()
	for range 5 {
		if _, _, err := c.TokenUser(f.request(t, ctx), token.Hash(secret)); !docs.IsNotFound(err) {
			t.Fatalf("TokenUser of an unknown secret = %v; want NotFound", err)
		}
	}
	if n := f.store.tokenReads.Load(); n != 1 {
		t.Errorf("5 requests with an unknown secret read the tokens %d times; want 1", n)
	}

	made := &docs.Token{UserID: f.user.ID, Name: "ci", Hash: token.Hash(secret), Scopes: []docs.Scope{docs.ScopeRead}, CreatedAt: f.clock.Now()}
	if err := f.other.CreateToken(ctx, made); err != nil {
		t.Fatal(err)
	}
	tok, u, err := c.TokenUser(f.request(t, ctx), token.Hash(secret))
	if err != nil || tok.ID != made.ID || u.ID != f.user.ID {
		t.Fatalf("TokenUser after the token was made elsewhere = %v, %v, %v; want it and its user", tok, u, err)
	}
}
