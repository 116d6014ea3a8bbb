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
// Request gives a request's context a place for them, the first cache to
// need them reads them there through Shared, and every later read in the
// same request uses that copy. An authorized GET of a cached document
// therefore costs one database read, however many caches it passes
// through.
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

// requestKey finds a request's epochs in its context.
type requestKey struct{}

// request is a context carrying the epochs one request read. A request
// runs on one goroutine, so it needs no lock.
type request struct {
	context.Context
	epochs Reading
	read   bool
}

func (r *request) Value(key any) any {
	if key == (requestKey{}) {
		return r
	}
	return r.Context.Value(key)
}

// Request returns ctx with a place for the epochs of one request: the
// caches read them at most once under it. The epochs it keeps are those of
// the request's first read; a cache that writes (DeleteSession, the
// document writes) forgets them, so that a read after the write in the
// same request reads them again.
func Request(ctx context.Context) context.Context {
	return &request{Context: ctx}
}

// readEpochs returns the request's epochs, reading them from src the first
// time, or from src every time outside a Request.
func readEpochs(ctx context.Context, src *Shared) (Reading, error) {
	r, ok := ctx.Value(requestKey{}).(*request)
	if !ok {
		return src.Read(ctx)
	}
	if !r.read {
		e, err := src.Read(ctx)
		if err != nil {
			return Reading{}, err
		}
		r.epochs, r.read = e, true
	}
	return r.epochs, nil
}

// forget drops the request's epochs after a write that may have moved them.
func forget(ctx context.Context) {
	if r, ok := ctx.Value(requestKey{}).(*request); ok {
		r.read = false
	}
}
