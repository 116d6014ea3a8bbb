package docsdcmd

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/config"
	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/exitcode"
	"github.com/docsd/docs/pkg/httpserver"
	"github.com/docsd/docs/pkg/metrics"
	"github.com/docsd/docs/pkg/session"
	"github.com/docsd/docs/pkg/storage"
)

// sweepEvery is how often expired sessions are deleted, and revisions
// beyond documents.keep_revisions.
const sweepEvery = 10 * time.Minute

type serveOptions struct {
	cmdEnv
}

func newCmdServe(f *factory, runF func(*serveOptions) error) *cobra.Command {
	opts := &serveOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the API (applies pending migrations first)",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return serveRun(cmd.Context(), opts)
		},
	}
	config.AddAddrFlag(cmd.Flags())
	return cmd
}

// serveRun serves until ctx ends, then drains and stops.
func serveRun(ctx context.Context, opts *serveOptions) error {
	c := opts.Config()
	logOut := httpserver.NewLogWriter(opts.IO.ErrOut)
	defer logOut.Close()
	log := c.Log.Logger(logOut)
	db, err := opts.createDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	secrets, err := sessionSecrets(ctx, c.Session.Secrets, db)
	if err != nil {
		return err
	}
	tlsCfg, err := tlsConfig(c.Server)
	if err != nil {
		return err
	}
	secure := c.Session.SecureCookie || tlsCfg != nil
	pw, err := opts.passwords()
	if err != nil {
		return err
	}
	deps, err := api.Wire(db, pw, session.Config{
		Secrets:         secrets,
		IdleTimeout:     c.Session.IdleTimeout,
		AbsoluteTimeout: c.Session.AbsoluteTimeout,
		Secure:          secure,
	}, c.Cache.DocumentsBytes)
	if err != nil {
		return err
	}
	mx, err := listenMetrics(c.Server, metrics.Sources{
		Sessions: deps.Sessions, SessionCache: deps.SessionCache, Documents: deps.Documents, DB: db,
	})
	if err != nil {
		return err
	}
	defer mx.close()
	publicRoutes := c.Auth.PublicRoutes
	engine, err := api.New(api.Config{
		PublicRoutes:             publicRoutes,
		AllowRegistration:        c.Auth.AllowRegistration,
		AllowNeverExpiringTokens: c.Tokens.AllowNever,
		MaxBodyBytes:             c.Server.MaxBodyBytes,
		Throttle:                 c.Auth.Throttle,
		TrustedProxies:           c.Server.TrustedProxies,
		TrustedOrigins:           c.Server.TrustedOrigins,
		HTTPS:                    secure,
		Logger:                   log,
		Metrics:                  mx.registerer(),
	}, deps)
	if err != nil {
		return err
	}
	srv := httpserver.New(httpserver.Config{
		Addr:              c.Addr,
		Handler:           engine,
		TLS:               tlsCfg,
		ReadHeaderTimeout: c.Server.ReadHeaderTimeout,
		ReadTimeout:       c.Server.ReadTimeout,
		WriteTimeout:      c.Server.WriteTimeout,
		IdleTimeout:       c.Server.IdleTimeout,
		ShutdownTimeout:   c.Server.ShutdownTimeout,
		Logger:            log,
	})
	if err := srv.Open(); err != nil {
		return err
	}
	warnPlainHTTP(log, srv.Addr(), tlsCfg != nil, secure)
	log.Info("docsd listening", "url", srv.URL(), "config", c.FileRead(),
		"database", storage.Redact(c.Database), "public_routes", strings.Join(publicRoutes, ","))

	mx.serve(log)
	// Deferred after db.Close, so it runs before: the sweeper is stopped
	// and has returned before the database closes, whatever ends serve.
	sweepCtx, stopSweep := context.WithCancel(ctx)
	var sweeper sync.WaitGroup
	sweeper.Go(func() { sweep(sweepCtx, deps.Sessions, db, c.Auth.Throttle.Window, c.Documents.KeepRevisions, log) })
	defer func() {
		stopSweep()
		sweeper.Wait()
	}()
	select {
	case <-srv.Done():
		return srv.Err()
	case <-ctx.Done():
	}
	log.Info("shutting down: waiting for in-flight requests")
	if err := srv.Close(); err != nil {
		return err
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
// throttle window and, with keep above 0, the revisions of each document
// beyond its newest keep, now and every sweepEvery.
func sweep(ctx context.Context, store *session.Store, db docs.Backend, window time.Duration, keep int, log *slog.Logger) {
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
		if keep > 0 {
			switch n, err := db.PruneRevisions(ctx, keep); {
			case err != nil && ctx.Err() == nil:
				log.Error("prune revisions", "err", err)
			case n > 0:
				log.Info("pruned revisions", "count", n, "keep", keep)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// tlsConfig loads server.tls_cert_file and server.tls_key_file, so docsd
// serves HTTPS itself. It returns nil when neither is set, and refuses one
// without the other.
func tlsConfig(c config.Server) (*tls.Config, error) {
	switch {
	case c.TLSCertFile == "" && c.TLSKeyFile == "":
		return nil, nil
	case c.TLSCertFile == "" || c.TLSKeyFile == "":
		return nil, exitcode.Usagef("server.tls_cert_file (%s) and server.tls_key_file (%s) go together: set both for HTTPS, or neither",
			config.EnvName("server.tls_cert_file"), config.EnvName("server.tls_key_file"))
	}
	cfg, err := httpserver.LoadTLS(c.TLSCertFile, c.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("server.tls_cert_file %s, server.tls_key_file %s: %w", c.TLSCertFile, c.TLSKeyFile, err)
	}
	return cfg, nil
}

// warnPlainHTTP warns when docsd listens beyond this machine over plain
// HTTP and marks the session cookie for any connection: allowed, since a
// TLS proxy may be in front, but then session.secure_cookie belongs on.
func warnPlainHTTP(log *slog.Logger, addr net.Addr, https, secureCookie bool) {
	if https || secureCookie {
		return
	}
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		return
	}
	log.Warn("listening beyond loopback over plain HTTP with session cookies not marked Secure: "+
		"set server.tls_cert_file and server.tls_key_file, or session.secure_cookie when a TLS proxy is in front",
		"addr", addr.String())
}
