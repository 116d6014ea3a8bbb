package docs

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Scope is what a personal access token may do: read (the GET routes),
// write (document writes) or admin (user administration). A token never
// allows more than its user's role allows at the time of the request.
type Scope string

// The scopes a token may have.
const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
	ScopeAdmin Scope = "admin"
)

// Scopes returns every scope, in the order they are shown.
func Scopes() []Scope { return []Scope{ScopeRead, ScopeWrite, ScopeAdmin} }

// Valid reports whether s is one of Scopes.
func (s Scope) Valid() bool { return slices.Contains(Scopes(), s) }

// JoinScopes is how a token's scopes are stored: "read,write", in the
// order of Scopes.
func JoinScopes(list []Scope) string {
	var parts []string
	for _, s := range Scopes() {
		if slices.Contains(list, s) {
			parts = append(parts, string(s))
		}
	}
	return strings.Join(parts, ",")
}

// SplitScopes reads scopes stored by JoinScopes.
func SplitScopes(s string) []Scope {
	var out []Scope
	for part := range strings.SplitSeq(s, ",") {
		if part != "" {
			out = append(out, Scope(part))
		}
	}
	return out
}

// Token is a personal access token: a credential for scripts and CI that
// acts as its user, within its scopes, until it expires or is revoked. The
// secret is shown once, at creation; only its hash is stored.
type Token struct {
	ID     int64
	UserID int64
	// Name is the user's label for it ("ci"), unique among their tokens.
	Name string
	// Hash is the hex SHA-256 of the secret.
	Hash      string
	Scopes    []Scope
	CreatedAt time.Time
	// ExpiresAt is when it stops working; zero for a token that never
	// expires.
	ExpiresAt time.Time
	// LastUsedAt and LastUsedFrom are its last recorded use (zero and
	// empty before the first), recorded at most once a minute.
	LastUsedAt   time.Time
	LastUsedFrom string
}

// Has reports whether the token has scope s.
func (t *Token) Has(s Scope) bool { return slices.Contains(t.Scopes, s) }

// Expired reports whether the token has expired at now.
func (t *Token) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// MaxTokenNameLen bounds a token's name.
const MaxTokenNameLen = 64

// TokenStore keeps personal access tokens. Creating or deleting a token
// changes the auth epoch, like a session, and a user's removal deletes
// their tokens with them; recording a use does not change it.
type TokenStore interface {
	// CreateToken stores t and sets its ID. A name the user already gives
	// another token, in any case, is TokenNameTaken (a Conflict); a user
	// who no longer exists is AuthorRemoved (Unauthorized). The check and
	// the insert are atomic against DeleteUser, so that no token outlives
	// its user.
	CreateToken(ctx context.Context, t *Token) error
	// TokenUser returns the token whose secret hashes to hash and its
	// user as they are now, in one read, or TokenSecretNotFound.
	TokenUser(ctx context.Context, hash string) (*Token, *User, error)
	// TokenUserWithEpoch is TokenUser and the auth epoch, read in one
	// statement: the answer is exactly what that epoch names. With
	// TokenSecretNotFound it returns the epoch of a state in which no
	// token has the secret, read in one statement with that absence, so a
	// cache may remember the absence under it (every token's creation
	// moves the epoch).
	TokenUserWithEpoch(ctx context.Context, hash string) (*Token, *User, int64, error)
	// UserTokens returns every token of the user, oldest first.
	UserTokens(ctx context.Context, userID int64) ([]*Token, error)
	// DeleteToken deletes the token with id when it belongs to userID, or
	// returns a NotFound error (for a token of another user too).
	DeleteToken(ctx context.Context, userID, id int64) error
	// TouchToken records a use of the token at at from the client address
	// from. It does not change the auth epoch.
	TouchToken(ctx context.Context, id int64, at time.Time, from string) error
}

// TokenNotFound is the error for a token that does not exist or is not
// the caller's.
func TokenNotFound(id int64) *Error { return Errorf(NotFound, "token %d not found", id) }

// TokenSecretNotFound is the error for a secret that no stored token's
// hash matches: its token was revoked, or never existed.
func TokenSecretNotFound() *Error { return Errorf(NotFound, "no token has this secret") }

// TokenNameTaken is the error for a second token of one user with a name,
// in any case.
func TokenNameTaken(name string) *Error {
	return Errorf(Conflict, "you already have a token named %q; revoke it or choose another name", name)
}
