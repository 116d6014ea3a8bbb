package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Scope is what a personal access token may do: ScopeRead, ScopeWrite or
// ScopeAdmin.
type Scope string

// The scopes docsd knows.
const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
	ScopeAdmin Scope = "admin"
)

// Token is a personal access token as docsd describes it. Secret is set
// only in the answer to CreateToken: the server shows it once.
type Token struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Scopes    []Scope   `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is nil for a token that never expires.
	ExpiresAt *time.Time `json:"expires_at"`
	// LastUsedAt is nil, and LastUsedFrom empty, before the first use.
	LastUsedAt   *time.Time `json:"last_used_at"`
	LastUsedFrom string     `json:"last_used_from"`
	Secret       string     `json:"token,omitempty"`
}

// NewToken is what CreateToken asks for.
type NewToken struct {
	// Name is the token's label, unique among the user's tokens.
	Name   string  `json:"name"`
	Scopes []Scope `json:"scopes"`
	// ExpiresIn is how long the token lasts: a Go duration, whole days
	// ("30d"), or "never" where the server allows it. Empty leaves it to
	// the server (30 days).
	ExpiresIn string `json:"expires_in,omitempty"`
}

// CreateToken makes a personal access token for the session's user. The
// routes of tokens need a session: a client made with a token gets a 403.
func (c *Client) CreateToken(ctx context.Context, nt NewToken) (*Token, error) {
	var t Token
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/tokens", body: nt, out: &t}); err != nil {
		return nil, err
	}
	return &t, nil
}

// ListTokens returns the session's user's tokens, oldest first, without
// their secrets.
func (c *Client) ListTokens(ctx context.Context) ([]Token, error) {
	var all []Token
	_, err := getPages(ctx, c, request{method: http.MethodGet, path: "/tokens"}, 0, func(page []Token) error {
		all = append(all, page...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// RevokeToken deletes one of the session's user's tokens: it stops working
// at its next request. A token that is not the user's is a 404 *Error.
func (c *Client) RevokeToken(ctx context.Context, id int64) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/tokens/" + strconv.FormatInt(id, 10)})
	return err
}

// TokenInfo is what docsd says about the token a request was made with, in
// the headers of its answer.
type TokenInfo struct {
	Scopes []Scope
	// ExpiresAt is nil for a token that never expires.
	ExpiresAt *time.Time
}

// The headers of an answer to a request made with a token.
const (
	headerTokenExpiration = "Docs-Token-Expiration"
	headerTokenScopes     = "Docs-Token-Scopes"
)

// tokenExpirationLayout is how docsd writes Docs-Token-Expiration, as
// GitHub writes GitHub-Authentication-Token-Expiration.
const tokenExpirationLayout = "2006-01-02 15:04:05 MST"

// WhoAmI is Me together with, when the client holds a token, what the
// server says of it: its scopes and expiry. The TokenInfo is nil for a
// session. A token the server knows but whose scopes do not cover GET /me
// (no read) is a 403 *Error returned with its TokenInfo: the server
// reports the token's scopes and expiry with the refusal too.
func (c *Client) WhoAmI(ctx context.Context) (*User, *TokenInfo, error) {
	var u User
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/me", out: &u})
	var ce *Error
	switch {
	case err == nil && c.token == "":
		return &u, nil, nil
	case err == nil:
		info, err := tokenInfo(resp.header)
		if err != nil {
			return nil, nil, err
		}
		return &u, info, nil
	case c.token != "" && errors.As(err, &ce) && ce.StatusCode == http.StatusForbidden:
		if info, ierr := tokenInfo(ce.Header); ierr == nil {
			return nil, info, err
		}
	}
	return nil, nil, err
}

// tokenInfo reads the token headers of an answer. A server that sends no
// Docs-Token-Scopes did not take the request as made with a token.
func tokenInfo(h http.Header) (*TokenInfo, error) {
	scopes := h.Get(headerTokenScopes)
	if scopes == "" {
		return nil, fmt.Errorf("the server answered a request made with a token without a %s header", headerTokenScopes)
	}
	info := &TokenInfo{}
	for s := range strings.SplitSeq(scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			info.Scopes = append(info.Scopes, Scope(s))
		}
	}
	if v := h.Get(headerTokenExpiration); v != "" {
		t, err := time.Parse(tokenExpirationLayout, v)
		if err != nil {
			return nil, fmt.Errorf("the server's %s header %q is not a time such as 2027-01-05 19:50:00 UTC", headerTokenExpiration, excerpt([]byte(v)))
		}
		info.ExpiresAt = &t
	}
	return info, nil
}
