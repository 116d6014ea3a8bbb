// Package authcache keeps recently used sessions and their users in memory,
// in front of a docs.SessionStore, so that a private request costs one
// tiny read (the auth epoch) instead of the joined session-and-user read.
//
// It stays correct when several processes share one database: the store
// moves the epoch in the same transaction as every change that can end a
// session or change what its user may do (logout, expiry, role, password,
// removal), and the cache compares the epoch on every read and forgets
// everything when it has moved. A logout on one process therefore holds
// on every other at its next request.
package authcache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// Backend is the store behind the cache.
type Backend interface {
	docs.SessionStore
	// Epochs returns the counters; Auth moves with every change to a
	// session or user that a cached copy could miss.
	Epochs(ctx context.Context) (docs.Epochs, error)
}

// maxEntries bounds memory: past it the cache starts over.
const maxEntries = 100_000

// Cache is a docs.SessionStore that serves SessionUser from memory while
// the epoch has not moved. Every other method goes to the backend.
type Cache struct {
	Backend
	now func() time.Time
	// fresh is how long after its last_seen an entry may be served: the
	// session store's touch interval, so that every decision about idle
	// expiry is made on the database's last_seen, which other processes
	// also move.
	fresh time.Duration

	mu      sync.RWMutex
	epoch   int64
	entries map[string]entry

	hits, misses atomic.Uint64
}

// Stats returns how many SessionUser calls were served from memory (hits)
// and from the backend (misses) since the cache was made.
func (c *Cache) Stats() (hits, misses uint64) {
	return c.hits.Load(), c.misses.Load()
}

type entry struct {
	session docs.Session
	user    docs.User
}

// New returns a cache in front of b. fresh must not exceed the session
// store's touch interval or half its idle timeout.
func New(b Backend, fresh time.Duration, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{Backend: b, now: now, fresh: fresh, epoch: -1, entries: map[string]entry{}}
}

// SessionUser returns the session and its user, from memory when the
// epoch is unchanged and the entry fresh, else from the backend.
func (c *Cache) SessionUser(ctx context.Context, id string) (*docs.Session, *docs.User, error) {
	epochs, err := c.Epochs(ctx)
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
	s, u, err := c.Backend.SessionUser(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c.store(epoch, id, entry{*s, *u})
	return s, u, nil
}

// store remembers e under epoch. The epoch only moves forward: a reader
// that saw an older epoch than the cache has caches nothing.
func (c *Cache) store(epoch int64, id string, e entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case epoch > c.epoch:
		c.epoch = epoch
		c.entries = map[string]entry{}
	case epoch < c.epoch:
		return
	}
	if len(c.entries) >= maxEntries {
		c.entries = map[string]entry{}
	}
	c.entries[id] = e
}

// TouchSession records the use in the backend and in the cached entry.
func (c *Cache) TouchSession(ctx context.Context, id string, seen time.Time) error {
	if err := c.Backend.TouchSession(ctx, id, seen); err != nil {
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
func (c *Cache) DeleteSession(ctx context.Context, id string) error {
	if err := c.Backend.DeleteSession(ctx, id); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
	return nil
}
