package api

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"

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

// Wire builds docsd on b: a session cache of this process's own in front
// of b, the cookie session store over the cache, and the engine. `docsd
// serve` and the test harness both build the server here, so the cache
// serves an entry under the same rule in both: no longer than the session
// store's touch interval or half the idle timeout, whichever is shorter,
// so that every idle-expiry decision is made on the database's last_seen,
// which other processes move too.
//
// sc.Now defaults to cfg.Now, so a test clock drives both.
func Wire(b Backend, pw *docs.Passwords, cfg Config, sc session.Config) (*gin.Engine, *session.Store, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if sc.Now == nil {
		sc.Now = cfg.Now
	}
	cache := authcache.New(b, min(session.TouchEvery, sc.IdleTimeout/2), sc.Now)
	store, err := session.NewStore(cache, sc)
	if err != nil {
		return nil, nil, err
	}
	// Ready reads the epochs: the read every private request starts with.
	ready := func(ctx context.Context) error {
		_, err := b.Epochs(ctx)
		return err
	}
	engine, err := New(cfg, Deps{Users: b, Documents: b, Sessions: store, Passwords: pw, LoginFailures: b, Ready: ready})
	if err != nil {
		return nil, nil, err
	}
	return engine, store, nil
}
