package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/backend"
	"github.com/docsd/docs/pkg/config"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/session"
)

// sweepEvery is how often expired sessions are deleted.
const sweepEvery = 10 * time.Minute

func newServeCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the API (applies pending migrations first)",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return e.serve(cmd.Context()) },
	}
	config.AddAddrFlag(cmd.Flags())
	return cmd
}

func (e *env) serve(ctx context.Context) error {
	// Whatever ends serve also ends the sweeper before the database closes.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	logOut := newLogWriter(e.stderr)
	defer logOut.Close()
	log := e.cfg.Log.Logger(logOut)
	db, err := e.createDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	secrets, err := sessionSecrets(ctx, e.cfg.Session.Secrets, db)
	if err != nil {
		return err
	}
	tlsCfg, err := e.tlsConfig()
	if err != nil {
		return err
	}
	secure := e.cfg.Session.SecureCookie || tlsCfg != nil
	pw, err := e.passwords()
	if err != nil {
		return err
	}
	deps, err := api.Wire(db, pw, session.Config{
		Secrets:         secrets,
		IdleTimeout:     e.cfg.Session.IdleTimeout,
		AbsoluteTimeout: e.cfg.Session.AbsoluteTimeout,
		Secure:          secure,
	}, e.cfg.Cache.DocumentsBytes)
	if err != nil {
		return err
	}
	mx, err := e.listenMetrics(poolMetrics(db), deps, deps.Sessions)
	if err != nil {
		return err
	}
	defer mx.close()
	publicRoutes := e.cfg.Auth.PublicRoutes
	engine, err := api.New(api.Config{
		PublicRoutes:      publicRoutes,
		AllowRegistration: e.cfg.Auth.AllowRegistration,
		MaxBodyBytes:      e.cfg.Server.MaxBodyBytes,
		Throttle:          e.cfg.Auth.Throttle,
		TrustedProxies:    e.cfg.Server.TrustedProxies,
		TrustedOrigins:    e.cfg.Server.TrustedOrigins,
		HTTPS:             secure,
		Logger:            log,
		Metrics:           mx.registerer(),
	}, deps)
	if err != nil {
		return err
	}
	conns := newConnStates()
	srv := &http.Server{
		Addr:              e.cfg.Addr,
		ConnState:         conns.track,
		Handler:           engine,
		ReadHeaderTimeout: e.cfg.Server.ReadHeaderTimeout,
		ReadTimeout:       e.cfg.Server.ReadTimeout,
		WriteTimeout:      e.cfg.Server.WriteTimeout,
		IdleTimeout:       e.cfg.Server.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	tcp, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return err
	}
	var ln net.Listener = &drainListener{TCPListener: tcp.(*net.TCPListener)}
	scheme := "http"
	if tlsCfg != nil {
		scheme = "https"
		ln = tls.NewListener(ln, tlsCfg)
	}
	warnPlainHTTP(log, ln.Addr(), tlsCfg != nil, secure)
	log.Info("docsd listening", "url", scheme+"://"+ln.Addr().String(), "config", e.cfg.FileRead(),
		"database", backend.Redact(e.cfg.Database), "public_routes", strings.Join(publicRoutes, ","))

	mx.serve(log)
	go sweep(ctx, deps.Sessions, db, e.cfg.Auth.Throttle.Window, log)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: waiting for in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), e.cfg.Server.ShutdownTimeout)
	defer cancel()
	// Shutdown alone would drop requests: net/http closes unanswered a
	// connection whose request it reads after Shutdown began, such as one
	// nginx sent to a connection accepted just before the signal (nginx
	// then passes no POST or PATCH to another replica: the client gets a
	// 502). So stop keep-alive and accepting first, answer every request
	// already on its way, and only then shut down.
	srv.SetKeepAlivesEnabled(false)
	if err := ln.Close(); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// Serve returns once it has taken every connection it will.
	if err := <-served; !errors.Is(err, net.ErrClosed) {
		return err
	}
	if err := conns.wait(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("docsd stopped")
	return nil
}

// sessionSecrets returns the configured secrets, if any. Otherwise it
// uses a secret generated once and kept in the database, so restarts and
// replicas sharing the database accept the same cookies.
func sessionSecrets(ctx context.Context, configured []string, db docs.Backend) ([][]byte, error) {
	if len(configured) > 0 {
		out := make([][]byte, len(configured))
		for i, s := range configured {
			out[i] = []byte(s)
		}
		return out, nil
	}
	s, err := db.Setting(ctx, "session_secret", func() (string, error) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return base64.RawURLEncoding.EncodeToString(b), nil
	})
	if err != nil {
		return nil, err
	}
	return [][]byte{[]byte(s)}, nil
}

// sweep deletes expired sessions and login failures older than the
// throttle window, now and every sweepEvery.
func sweep(ctx context.Context, store *session.Store, db docs.Backend, window time.Duration, log *slog.Logger) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		n, err := store.Sweep(ctx)
		if err == nil {
			var m int64
			m, err = db.DeleteLoginFailuresBefore(ctx, time.Now().Add(-window))
			n += m
		}
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("sweep expired sessions and login failures", "err", err)
		case n > 0:
			log.Info("swept expired sessions and login failures", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
