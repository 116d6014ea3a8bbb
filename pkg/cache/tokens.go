package cache

import (
	"context"
	"sync"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// maxTokens bounds memory: past it the cache starts over.
const maxTokens = 100_000

// Tokens is a docs.TokenStore that serves TokenUser from memory while the
// auth epoch is the one its entries were read with, as Sessions does for
// sessions: a request with a token costs the same one tiny read (the
// epochs) as a request with a cookie. Creating or deleting a token, a role
// change and a user's removal all change the auth epoch, so a revocation
// holds at the next request on every process. Every other method goes to
// the backend, each spelled out, so that a method added to docs.TokenStore
// does not compile until it says what it does.
type Tokens struct {
	backend docs.TokenStore
	epochs  *Shared
	// entries, by the token's hash, stand at one auth epoch.
	entries entries[tokenEntry]

	// used is when each token's use was last recorded by this process,
	// by id: recording a use leaves the epoch alone, so it is kept beside
	// the entries, which outlive it, and not in them.
	mu   sync.Mutex
	used map[int64]time.Time
}

// tokenEntry is a token and its user, or the absence of any token with
// the hash (missing), as the entry's epoch names it.
type tokenEntry struct {
	token   docs.Token
	user    docs.User
	missing bool
}

// NewTokens returns a cache in front of b that compares the epochs read
// through epochs.
func NewTokens(b docs.TokenStore, epochs *Shared) *Tokens {
	return &Tokens{backend: b, epochs: epochs, entries: newEntries[tokenEntry](maxTokens), used: map[int64]time.Time{}}
}

// TokenUser returns the token whose secret hashes to hash and its user,
// from memory when the epoch is the entry's, else from the backend. The
// token's LastUsedAt includes the uses this process recorded since.
func (c *Tokens) TokenUser(ctx context.Context, hash string) (*docs.Token, *docs.User, error) {
	r, err := readEpochs(ctx, c.epochs)
	if err != nil {
		return nil, nil, err
	}
	e, ok := c.entries.get(hash, r.Auth)
	if !ok {
		t, u, epoch, err := c.backend.TokenUserWithEpoch(ctx, hash)
		if docs.IsNotFound(err) && epoch != 0 {
			// No token has the secret in the state epoch names; any
			// token's creation moves the epoch, so a client retrying a
			// revoked or mistaken token costs the epochs' read alone.
			c.entries.put(r.Seq, r.Auth, epoch, hash, tokenEntry{missing: true})
		}
		if err != nil {
			return nil, nil, err
		}
		e = tokenEntry{token: *t, user: *u}
		c.entries.put(r.Seq, r.Auth, epoch, hash, e)
	}
	if e.missing {
		return nil, nil, docs.TokenSecretNotFound()
	}
	c.mu.Lock()
	if at := c.used[e.token.ID]; at.After(e.token.LastUsedAt) {
		e.token.LastUsedAt = at
	}
	c.mu.Unlock()
	return &e.token, &e.user, nil
}

// TokenUserWithEpoch reads from the backend.
func (c *Tokens) TokenUserWithEpoch(ctx context.Context, hash string) (*docs.Token, *docs.User, int64, error) {
	return c.backend.TokenUserWithEpoch(ctx, hash)
}

// TouchToken records the use in the backend and in this process.
func (c *Tokens) TouchToken(ctx context.Context, id int64, at time.Time, from string) error {
	if err := c.backend.TouchToken(ctx, id, at, from); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.used) >= maxTokens {
		c.used = map[int64]time.Time{}
	}
	c.used[id] = at
	return nil
}

// CreateToken creates in the backend, which changes the auth epoch.
func (c *Tokens) CreateToken(ctx context.Context, t *docs.Token) error {
	return c.backend.CreateToken(ctx, t)
}

// DeleteToken deletes in the backend, which changes the auth epoch.
func (c *Tokens) DeleteToken(ctx context.Context, userID, id int64) error {
	return c.backend.DeleteToken(ctx, userID, id)
}

// UserTokens reads from the backend: a list of tokens is not cached.
func (c *Tokens) UserTokens(ctx context.Context, userID int64) ([]*docs.Token, error) {
	return c.backend.UserTokens(ctx, userID)
}

// Tokens is a whole docs.TokenStore.
var _ docs.TokenStore = (*Tokens)(nil)
