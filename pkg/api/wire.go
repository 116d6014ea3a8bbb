package api

import (
	"context"

	"github.com/docsd/docs/pkg/authcache"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/session"
)

// Backend is the storage the API runs on: every store, and the epochs the
// per-process session cache compares.
type Backend interface {
	docs.UserStore
	docs.DocumentStore
	docs.LoginFailureStore
	authcache.Backend
}

// Wire builds what the engine runs on from b: a session cache of this
// process's own in front of b, the cookie session store over the cache,
// and the readiness check. `docsd serve` and the test harness both wire
// the server here, then hand the Deps to New, so the cache serves an entry
// under the same rule in both: no longer than the session store's touch
// interval or half the idle timeout, whichever is shorter, so that every
// idle-expiry decision is made on the database's last_seen, which other
// processes move too.
func Wire(b Backend, pw *docs.Passwords, sc session.Config) (Deps, error) {
	cache := authcache.New(b, min(session.TouchEvery, sc.IdleTimeout/2), sc.Now)
	store, err := session.NewStore(cache, sc)
	if err != nil {
		return Deps{}, err
	}
	// Ready reads the epochs: the read every private request starts with.
	ready := func(ctx context.Context) error {
		_, err := b.Epochs(ctx)
		return err
	}
	return Deps{Users: b, Documents: b, Sessions: store, Passwords: pw, LoginFailures: b, Ready: ready, SessionCache: cache}, nil
}
