// Package httpserver owns docsd's listening and shutdown: the listener,
// TLS, the tracking of connections and the drain that lets every request
// already on its way be answered before the server stops. The command
// that starts a Server opens and closes it and never touches net/http.
package httpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Config is how a Server listens and for how long it waits.
type Config struct {
	Addr    string
	Handler http.Handler
	// TLS serves HTTPS when set (see LoadTLS); nil serves plain HTTP.
	TLS *tls.Config

	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// ShutdownTimeout bounds Close's wait for requests in flight.
	ShutdownTimeout time.Duration

	// Logger receives net/http's own complaints (a TLS handshake that
	// failed, a handler that panicked), at warning level.
	Logger *slog.Logger
}

// Server is an HTTP server with Open and Close.
type Server struct {
	cfg   Config
	srv   *http.Server
	conns *connStates
	ln    net.Listener
	done  chan struct{} // closed when Serve has returned
	err   error         // Serve's, once done is closed
	// draining, once Close has begun, makes every answer close its
	// connection.
	draining atomic.Bool
}

// New returns a Server for cfg; Open starts it.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, conns: newConnStates(), done: make(chan struct{})}
	s.srv = &http.Server{
		Addr:      cfg.Addr,
		ConnState: s.conns.track,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if s.draining.Load() {
				// net/http closes the connection after this answer,
				// and the client sends its next request elsewhere.
				w.Header().Set("Connection", "close")
			}
			cfg.Handler.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
	}
	if cfg.Logger != nil {
		s.srv.ErrorLog = slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn)
	}
	return s
}

// Open listens on the configured address and serves in the background
// until Close, or until serving fails (see Done).
func (s *Server) Open() error {
	tcp, err := listenTCP(s.cfg.Addr)
	if err != nil {
		return err
	}
	s.ln = &drainListener{TCPListener: tcp}
	if s.cfg.TLS != nil {
		s.ln = tls.NewListener(s.ln, s.cfg.TLS)
	}
	go func() {
		defer close(s.done)
		s.err = s.srv.Serve(s.ln)
	}()
	return nil
}

// listenTCP listens on plain TCP, not the MPTCP that Go listens with by
// default on Linux: a socket filter (refuseNew) cannot be attached to an
// MPTCP socket. An MPTCP client falls back to TCP.
func listenTCP(addr string) (*net.TCPListener, error) {
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	l, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, err
	}
	return l.(*net.TCPListener), nil
}

// Addr is the address the server listens on, once open.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// URL is the server's base URL, http or https, once open.
func (s *Server) URL() string {
	scheme := "http"
	if s.cfg.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + s.Addr().String()
}

// Done is closed when the server has stopped serving: after Close, or
// before it when accepting failed for good (see Err).
func (s *Server) Done() <-chan struct{} { return s.done }

// Err is why the server stopped serving, once Done is closed:
// net.ErrClosed after Close.
func (s *Server) Err() error {
	<-s.done
	return s.err
}

// Close stops the server, answering first every request already on its
// way, and waits for it to stop, for at most ShutdownTimeout.
//
// A client may write a request to a connection it keeps open at any
// moment, and the request is lost if the server closes that connection
// meanwhile: nginx passes no POST or PATCH it has sent on to another
// replica, and its client gets a 502. net/http's Shutdown, and
// SetKeepAlivesEnabled(false), close idle connections at once, and
// Shutdown also closes unanswered a connection whose first request it
// reads after it began. So Close closes no connection a request may still
// come on: it stops accepting (see drainListener), answers every request
// from then on with Connection: close, which tells the client to open its
// next connection elsewhere, and waits until every connection is closed
// or has been silent for quietGrace, by when nginx has closed its own idle
// ones. Only then does Shutdown close what is left.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	s.draining.Store(true)
	if err := s.ln.Close(); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// Serve returns once it has taken every connection it will.
	if err := s.Err(); !errors.Is(err, net.ErrClosed) {
		return err
	}
	if err := s.conns.wait(ctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
