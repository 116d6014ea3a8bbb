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
	cmd.Flags().String("addr", "127.0.0.1:5555", "address to listen on (env DOCSD_ADDR)")
	return cmd
}

func (e *env) serve(ctx context.Context) error {
	// Whatever ends serve also ends the sweeper before the database closes.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	logOut := newLogWriter(e.stderr)
	defer logOut.Close()
	log, err := e.logger(logOut)
	if err != nil {
		return err
	}
	db, err := e.createDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	secrets, err := e.sessionSecrets(ctx, db)
	if err != nil {
		return err
	}
	tlsCfg, err := e.tlsConfig()
	if err != nil {
		return err
	}
	secure := e.cfg.GetBool("session.secure_cookie") || tlsCfg != nil
	pw, err := e.passwords()
	if err != nil {
		return err
	}
	deps, err := api.Wire(db, pw, session.Config{
		Secrets:         secrets,
		IdleTimeout:     e.cfg.GetDuration("session.idle_timeout"),
		AbsoluteTimeout: e.cfg.GetDuration("session.absolute_timeout"),
		Secure:          secure,
	}, e.cfg.GetInt64("cache.documents_bytes"))
	if err != nil {
		return err
	}
	mx, err := e.listenMetrics(poolMetrics(db), deps, deps.Sessions)
	if err != nil {
		return err
	}
	defer mx.close()
	publicRoutes := list(e.cfg, "auth.public_routes")
	engine, err := api.New(api.Config{
		PublicRoutes:      publicRoutes,
		AllowRegistration: e.cfg.GetBool("auth.allow_registration"),
		MaxBodyBytes:      e.cfg.GetInt64("server.max_body_bytes"),
		Throttle: api.Throttle{
			MaxFailures:           e.cfg.GetInt("auth.throttle.max_failures"),
			MaxFailuresPerAddress: e.cfg.GetInt("auth.throttle.max_failures_per_address"),
			Window:                e.cfg.GetDuration("auth.throttle.window"),
		},
		TrustedProxies: list(e.cfg, "server.trusted_proxies"),
		TrustedOrigins: list(e.cfg, "server.trusted_origins"),
		HTTPS:          secure,
		Logger:         log,
		Metrics:        mx.registerer(),
	}, deps)
	if err != nil {
		return err
	}
	conns := newConnStates()
	srv := &http.Server{
		Addr:              e.cfg.GetString("addr"),
		ConnState:         conns.track,
		Handler:           engine,
		ReadHeaderTimeout: e.cfg.GetDuration("server.read_header_timeout"),
		ReadTimeout:       e.cfg.GetDuration("server.read_timeout"),
		WriteTimeout:      e.cfg.GetDuration("server.write_timeout"),
		IdleTimeout:       e.cfg.GetDuration("server.idle_timeout"),
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
	log.Info("docsd listening", "url", scheme+"://"+ln.Addr().String(), "config", e.configFileRead(),
		"database", backend.Redact(e.cfg.GetString("database")), "public_routes", strings.Join(publicRoutes, ","))

	mx.serve(log)
	go sweep(ctx, deps.Sessions, db, e.cfg.GetDuration("auth.throttle.window"), log)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: waiting for in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), e.cfg.GetDuration("server.shutdown_timeout"))
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

// sessionSecrets returns session.secrets when configured. Otherwise it
// uses a secret generated once and kept in the database, so restarts and
// replicas sharing the database accept the same cookies.
func (e *env) sessionSecrets(ctx context.Context, db docs.Backend) ([][]byte, error) {
	if configured := list(e.cfg, "session.secrets"); len(configured) > 0 {
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
