package cache

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// maxSessions bounds memory: past it the cache starts over.
const maxSessions = 100_000

// SessionBackend is the store behind a Sessions cache.
type SessionBackend interface {
	docs.SessionStore
	// SessionUserWithEpoch is SessionUser and the auth epoch, read in one
	// statement.
	SessionUserWithEpoch(ctx context.Context, id string) (*docs.Session, *docs.User, int64, error)
}

// Sessions is a docs.SessionStore that serves SessionUser from memory
// while the auth epoch is the one its entries were read with, so that a
// private request costs one tiny read (the epochs) instead of the joined
// session-and-user read. Every other method goes to the backend, each
// spelled out, so that a method added to docs.SessionStore does not
// compile until it says what it does.
//
// The cache stands at one auth epoch (see entries): a request whose epoch
// is that value is served from memory.
type Sessions struct {
	backend SessionBackend
	epochs  *Shared
	now     func() time.Time
	// fresh is how long after its last_seen an entry may be served: the
	// session store's touch interval, so that every decision about idle
	// expiry is made on the database's last_seen, which other processes
	// also move.
	fresh time.Duration

	// entries stand at one auth epoch.
	entries entries[sessionEntry]

	hits, misses atomic.Uint64
}

// Stats returns how many SessionUser calls were served from memory (hits)
// and from the backend (misses) since the cache was made.
func (c *Sessions) Stats() (hits, misses uint64) {
	return c.hits.Load(), c.misses.Load()
}

type sessionEntry struct {
	session docs.Session
	user    docs.User
}

// NewSessions returns a cache in front of b that compares the epochs
// read through epochs. fresh must not exceed the session store's touch
// interval or half its idle timeout.
func NewSessions(b SessionBackend, epochs *Shared, fresh time.Duration, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{backend: b, epochs: epochs, now: now, fresh: fresh, entries: newEntries[sessionEntry](maxSessions)}
}

// SessionUser returns the session and its user, from memory when the
// epoch is the entry's and the entry fresh, else from the backend.
func (c *Sessions) SessionUser(ctx context.Context, id string) (*docs.Session, *docs.User, error) {
	r, err := readEpochs(ctx, c.epochs)
	if err != nil {
		return nil, nil, err
	}
	if e, ok := c.entries.get(id, r.Auth); ok && c.now().Sub(e.session.LastSeen) < c.fresh {
		c.hits.Add(1)
		s, u := e.session, e.user
		return &s, &u, nil
	}
	c.misses.Add(1)
	s, u, epoch, err := c.backend.SessionUserWithEpoch(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c.entries.put(r.Seq, r.Auth, epoch, id, sessionEntry{*s, *u})
	return s, u, nil
}

// CreateSession creates in the backend, which changes the auth epoch.
func (c *Sessions) CreateSession(ctx context.Context, s *docs.Session, passwordHash []byte) error {
	return c.backend.CreateSession(ctx, s, passwordHash)
}

// TouchSession records the use in the backend and in the cached entry.
func (c *Sessions) TouchSession(ctx context.Context, id string, seen time.Time) error {
	if err := c.backend.TouchSession(ctx, id, seen); err != nil {
		return err
	}
	c.entries.update(id, func(e *sessionEntry) { e.session.LastSeen = seen })
	return nil
}

// DeleteSession deletes in the backend and forgets the entry at once (the
// epoch would drop it at the next read anyway).
func (c *Sessions) DeleteSession(ctx context.Context, id string) error {
	err := c.backend.DeleteSession(ctx, id)
	if err != nil {
		return err
	}
	c.entries.delete(id)
	return nil
}

// DeleteExpiredSessions deletes in the backend, which changes the auth
// epoch.
func (c *Sessions) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	return c.backend.DeleteExpiredSessions(ctx, idleBefore, createdBefore)
}

// DeleteUserSessions deletes in the backend, which changes the auth epoch.
func (c *Sessions) DeleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	return c.backend.DeleteUserSessions(ctx, userID)
}

// UserSessions reads from the backend: a list of sessions is not cached.
func (c *Sessions) UserSessions(ctx context.Context, userID int64) ([]*docs.Session, error) {
	return c.backend.UserSessions(ctx, userID)
}

// Sessions is a whole docs.SessionStore.
var _ docs.SessionStore = (*Sessions)(nil)
