// Package cache keeps what a docsd process reads most in memory, in front
// of the database: sessions with their users (Sessions) and documents
// encoded as the API sends them (Documents).
//
// It stays correct when several processes share one database, and when
// that database goes back in time. The database changes two values, the
// epochs, in the same transaction as every change they cover, whoever
// makes it: the auth epoch with every change that can start or end a
// session or change what its user may do (login, logout, expiry, role,
// password, removal), the document epoch with every change to a document.
// Each change sets a random value that never comes back (docs.Epochs), so
// an epoch's value names one state of what it covers. Each entry is read
// in one statement with the epoch that covers it, so it is exactly the
// state that value names, and a cache serves an entry only while the
// request's epoch is that same value. Neither argument needs the values to
// grow: after a restore, a point-in-time recovery or a failover to a
// standby that was behind, new traffic makes values no process has seen,
// and a process that slept through all of it forgets what it kept at its
// next request. A logout or an edit made on one process holds on every
// other at its next request.
//
// Both epochs come from one statement, and a request reads them once:
// the API reads them through Shared as soon as a request's credential
// holds up and hands the Reading to every cache with WithReading. An
// authorized GET of a cached document therefore costs one database read,
// however many caches it passes through.
package cache

import (
	"context"

	"github.com/docsd/docs/pkg/docs"
)

// Epochs is where the caches read the epochs: the backend.
type Epochs interface {
	// Epochs reads every epoch in one statement.
	Epochs(ctx context.Context) (docs.Epochs, error)
}

// Reading is one read of the epochs, and its place among the reads of one
// Shared. The values only say whether something changed, not which of two
// reads is newer; Seq does: a read with a higher Seq started after one
// with a lower Seq ended, so it saw the database at least as new. A cache
// moves only forward in that order, so that a request that read the
// epochs before a change cannot take the cache back to them.
type Reading struct {
	docs.Epochs
	Seq uint64
}

// readingKey finds a request's Reading in its context.
type readingKey struct{}

// WithReading returns ctx carrying r, the epochs read once for one
// request: every cache read under ctx compares its entries with r, so a
// request costs one read of the epochs however many caches it passes
// through. r is a value and never changes. A request reads through the
// caches before it writes, and answers a write with what the write
// returned, so no read under ctx needs the epochs a write of its own
// moved; each cache also drops, at once, the entries its writes change.
func WithReading(ctx context.Context, r Reading) context.Context {
	return context.WithValue(ctx, readingKey{}, r)
}

// readEpochs returns the request's Reading, or reads the epochs from src
// when ctx carries none.
func readEpochs(ctx context.Context, src *Shared) (Reading, error) {
	if r, ok := ctx.Value(readingKey{}).(Reading); ok {
		return r, nil
	}
	return src.Read(ctx)
}
