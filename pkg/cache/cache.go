// Package cache keeps what a docsd process reads most in memory, in front
// of the database: sessions with their users (Sessions) and documents
// encoded as the API sends them (Documents).
//
// It stays correct when several processes share one database. The
// database moves two counters, the epochs, in the same transaction as
// every change they cover, whoever makes it: the auth epoch with every
// change that can end a session or change what its user may do (logout,
// expiry, role, password, removal), the document epoch with every change
// to a document. Each cache compares its epoch on every read and forgets
// everything when it has moved, so a logout or an edit made on one process
// holds on every other at its next request.
//
// Both epochs come from one statement, and a request reads them once:
// Request gives a request's context a place for them, the first cache to
// need them reads them there, and every later read in the same request
// uses that copy. An authorized GET of a cached document therefore costs
// one database read, however many caches it passes through.
package cache

import (
	"context"

	"github.com/docsd/docs/pkg/docs"
)

// Epochs is where the caches read the counters: the backend.
type Epochs interface {
	// Epochs reads every counter in one statement.
	Epochs(ctx context.Context) (docs.Epochs, error)
}

// requestKey finds a request's epochs in its context.
type requestKey struct{}

// request is a context carrying the epochs one request read. A request
// runs on one goroutine, so it needs no lock.
type request struct {
	context.Context
	epochs docs.Epochs
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
func readEpochs(ctx context.Context, src Epochs) (docs.Epochs, error) {
	r, ok := ctx.Value(requestKey{}).(*request)
	if !ok {
		return src.Epochs(ctx)
	}
	if !r.read {
		e, err := src.Epochs(ctx)
		if err != nil {
			return docs.Epochs{}, err
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
