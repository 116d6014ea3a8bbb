package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// maxSessions bounds memory: past it the cache starts over.
const maxSessions = 100_000

// Sessions is a docs.SessionStore that serves SessionUser from memory
// while the auth epoch has not moved, so that a private request costs one
// tiny read (the epochs) instead of the joined session-and-user read.
// Every other method goes to the backend.
type Sessions struct {
	docs.SessionStore
	epochs Epochs
	now    func() time.Time
	// fresh is how long after its last_seen an entry may be served: the
	// session store's touch interval, so that every decision about idle
	// expiry is made on the database's last_seen, which other processes
	// also move.
	fresh time.Duration

	mu      sync.RWMutex
	epoch   int64
	entries map[string]sessionEntry

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
// read from epochs. fresh must not exceed the session store's touch
// interval or half its idle timeout.
func NewSessions(b docs.SessionStore, epochs Epochs, fresh time.Duration, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{SessionStore: b, epochs: epochs, now: now, fresh: fresh, epoch: -1, entries: map[string]sessionEntry{}}
}

// SessionUser returns the session and its user, from memory when the
// epoch is unchanged and the entry fresh, else from the backend.
func (c *Sessions) SessionUser(ctx context.Context, id string) (*docs.Session, *docs.User, error) {
	epochs, err := readEpochs(ctx, c.epochs)
	if err != nil {
		return nil, nil, err
	}
	epoch := epochs.Auth
	c.mu.RLock()
	e, ok := c.entries[id]
	current := c.epoch == epoch
	c.mu.RUnlock()
	if ok && current && c.now().Sub(e.session.LastSeen) < c.fresh {
		c.hits.Add(1)
		s, u := e.session, e.user
		return &s, &u, nil
	}
	c.misses.Add(1)
	s, u, err := c.SessionStore.SessionUser(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c.store(epoch, id, sessionEntry{*s, *u})
	return s, u, nil
}

// store remembers e under epoch. The epoch only moves forward: a reader
// that saw an older epoch than the cache has caches nothing.
func (c *Sessions) store(epoch int64, id string, e sessionEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case epoch > c.epoch:
		c.epoch = epoch
		c.entries = map[string]sessionEntry{}
	case epoch < c.epoch:
		return
	}
	if len(c.entries) >= maxSessions {
		c.entries = map[string]sessionEntry{}
	}
	c.entries[id] = e
}

// TouchSession records the use in the backend and in the cached entry.
func (c *Sessions) TouchSession(ctx context.Context, id string, seen time.Time) error {
	if err := c.SessionStore.TouchSession(ctx, id, seen); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok {
		e.session.LastSeen = seen
		c.entries[id] = e
	}
	return nil
}

// DeleteSession deletes in the backend and forgets the entry at once (the
// epoch would drop it at the next read anyway).
func (c *Sessions) DeleteSession(ctx context.Context, id string) error {
	err := c.SessionStore.DeleteSession(ctx, id)
	forget(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
	return nil
}
