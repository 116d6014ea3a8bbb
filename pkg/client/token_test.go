package client_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/token"
)

func TestTokensAgainstDocsd(t *testing.T) {
	srv := apitest.NewServer(t)
	ctx := t.Context()
	alice := login(t, srv, "alice")

	created, err := alice.CreateToken(ctx, client.NewToken{Name: "ci", Scopes: []client.Scope{client.ScopeRead, client.ScopeWrite}, ExpiresIn: "30d"})
	if err != nil {
		t.Fatalf("CreateToken = %v", err)
	}
	if token.Check(created.Secret) != nil || created.ExpiresAt == nil || created.LastUsedAt != nil {
		t.Fatalf("CreateToken = %+v; want a well-formed secret, an expiry and no use yet", created)
	}
	tc := client.New(srv.URL, &client.Options{Token: created.Secret, HTTPClient: srv.Client()})

	t.Run("WhoAmI reads the token's scopes and expiry from the headers", func(t *testing.T) {
		u, info, err := tc.WhoAmI(ctx)
		if err != nil || u.Username != "alice" || info == nil {
			t.Fatalf("WhoAmI = %+v, %+v, %v; want alice and the token's info", u, info, err)
		}
		if !slices.Equal(info.Scopes, created.Scopes) || info.ExpiresAt == nil || !info.ExpiresAt.Equal(created.ExpiresAt.Truncate(time.Second)) {
			t.Errorf("TokenInfo = %v, %v; want %v, %v to the second", info.Scopes, info.ExpiresAt, created.Scopes, created.ExpiresAt)
		}
		if _, info, err := alice.WhoAmI(ctx); err != nil || info != nil {
			t.Errorf("WhoAmI with a session = %+v, %v; want no TokenInfo", info, err)
		}
	})

	t.Run("a token without read gets GET /me's 403 with its info", func(t *testing.T) {
		w, err := alice.CreateToken(ctx, client.NewToken{Name: "write-only", Scopes: []client.Scope{client.ScopeWrite}})
		if err != nil {
			t.Fatal(err)
		}
		u, info, err := client.New(srv.URL, &client.Options{Token: w.Secret}).WhoAmI(ctx)
		wantStatus(t, "WhoAmI with a write-only token", err, http.StatusForbidden)
		if u != nil || info == nil || !slices.Equal(info.Scopes, []client.Scope{client.ScopeWrite}) {
			t.Errorf("WhoAmI = %+v, %+v; want no user and the scopes [write]", u, info)
		}
	})

	t.Run("a token cannot list, create or revoke tokens", func(t *testing.T) {
		_, err := tc.ListTokens(ctx)
		wantStatus(t, "ListTokens with a token", err, http.StatusForbidden)
		_, err = tc.CreateToken(ctx, client.NewToken{Name: "more", Scopes: []client.Scope{client.ScopeRead}})
		wantStatus(t, "CreateToken with a token", err, http.StatusForbidden)
		wantStatus(t, "RevokeToken with a token", tc.RevokeToken(ctx, created.ID), http.StatusForbidden)
	})

	t.Run("the list holds the tokens, their use and no secret", func(t *testing.T) {
		list, err := alice.ListTokens(ctx)
		if err != nil || len(list) != 2 || list[0].ID != created.ID || list[0].Secret != "" || list[0].LastUsedAt == nil {
			t.Fatalf("ListTokens = %+v, %v; want ci (used, no secret) then write-only", list, err)
		}
	})

	t.Run("revoked, it is a 401 at the next request; another user's is a 404", func(t *testing.T) {
		wantStatus(t, "RevokeToken of alice's by bob", login(t, srv, "bob").RevokeToken(ctx, created.ID), http.StatusNotFound)
		if err := alice.RevokeToken(ctx, created.ID); err != nil {
			t.Fatalf("RevokeToken = %v", err)
		}
		_, err := tc.Me(ctx)
		wantStatus(t, "Me with the revoked token", err, http.StatusUnauthorized)
	})
}
