package api

import (
	"context"

	"github.com/docsd/docs/pkg/cache"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/session"
)

// Storage is what the API reads and writes through its caches: every
// store, and the epochs the per-process caches compare. A docs.Backend is
// one; so is a test's wrapper around one.
type Storage interface {
	docs.UserStore
	docs.LoginFailureStore
	cache.SessionBackend
	docs.TokenStore
	cache.DocumentBackend
	cache.Epochs
	Writable(ctx context.Context) error
}

// DefaultDocumentCacheBytes is how much memory the document cache may take
// (cache.documents_bytes) unless configured.
const DefaultDocumentCacheBytes = 64 << 20

// Wire builds what the engine runs on from b: this process's caches in
// front of b (sessions, tokens, and documents of at most documentBytes), the
// cookie session store over the session cache, and the readiness check.
// `docsd serve` and the test harness both wire the server here, then hand
// the Deps to New, so the caches serve under the same rules in both. A
// session is served from memory no longer than the session store's touch
// interval (a tenth of the idle timeout, at most a minute), so that every
// idle-expiry and touch decision is made on the database's last_seen,
// which other processes move too.
func Wire(b Storage, pw *docs.Passwords, sc session.Config, documentBytes int64) (Deps, error) {
	// One reader of the epochs for both caches: requests that ask at the
	// same time share a read (see cache.Shared).
	epochs := cache.NewShared(b)
	sessions := cache.NewSessions(b, epochs, session.TouchInterval(sc.IdleTimeout), sc.Now)
	store, err := session.NewStore(sessions, sc)
	if err != nil {
		return Deps{}, err
	}
	documents := cache.NewDocuments(b, epochs, documentBytes, func(d *docs.Document) ([]byte, string) {
		return encodeDocument(d), etag(d.Version)
	})
	// Ready reads the epochs, the read every private request starts with,
	// and asks whether the database takes writes: a replica whose database
	// is read-only could answer reads but fail every login and change.
	ready := func(ctx context.Context) error {
		if _, err := b.Epochs(ctx); err != nil {
			return err
		}
		return b.Writable(ctx)
	}
	return Deps{Users: b, Documents: documents, Sessions: store, Epochs: epochs, Tokens: cache.NewTokens(b, epochs), Passwords: pw, LoginFailures: b, Ready: ready, SessionCache: sessions}, nil
}
