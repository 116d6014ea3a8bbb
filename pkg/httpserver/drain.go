package httpserver

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// connStates follows the server's connections through its ConnState hook,
// so that a shutdown can wait until no request can still come on any.
type connStates struct {
	mu sync.Mutex
	// open holds every open connection: those with a request being
	// answered by the zero time, the others (accepted and silent so far,
	// or idle after an answer that kept them open) by when they became so.
	open map[net.Conn]time.Time
}

// quietGrace is how long a connection that has sent nothing since it was
// accepted or last answered keeps a shutdown waiting for a request: as long
// as net/http's Shutdown waits for a new connection's first one, and longer
// than nginx keeps an idle connection to a replica (keepalive_timeout in
// configs/nginx/docsd.conf), so that nginx closes each of its own before
// Shutdown would.
const quietGrace = 5 * time.Second

func newConnStates() *connStates { return &connStates{open: map[net.Conn]time.Time{}} }

func (c *connStates) track(conn net.Conn, s http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch s {
	case http.StateNew, http.StateIdle:
		c.open[conn] = time.Now()
	case http.StateActive:
		c.open[conn] = time.Time{}
	default:
		delete(c.open, conn)
	}
}

// wait returns once no connection has a request being answered, and every
// one still open has been silent for quietGrace.
func (c *connStates) wait(ctx context.Context) error {
	for !c.quiet() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

func (c *connStates) quiet() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, since := range c.open {
		if since.IsZero() || time.Since(since) < quietGrace {
			return false
		}
	}
	return true
}

// drainListener is a TCP listener whose Close stops new connections
// without resetting any whose handshake the kernel has completed: it
// refuses new handshakes (refuseNew), lets those under way complete and
// Serve accept them for handshakeGrace, then accepts for Serve what is
// still queued and stops listening at once. A plain Close resets queued
// connections, and it takes effect only when Serve's goroutine next runs,
// queueing more to reset meanwhile; a client that has written a request to
// one of them (nginx has) sees a reset it cannot tell from a crash.
type drainListener struct {
	*net.TCPListener
	mu      sync.Mutex
	closed  bool
	err     error // Close's
	drained []net.Conn
}

// Accept returns the next connection and, once the listener is closed, the
// connections Close took from the queue, then net.ErrClosed.
func (l *drainListener) Accept() (net.Conn, error) {
	c, err := l.TCPListener.Accept()
	if err == nil {
		return c, nil
	}
	// Close holds the lock from the shutdown of the socket, which wakes
	// this Accept with an error of its own, until the queue is drained.
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case !l.closed:
		return nil, err
	case len(l.drained) > 0:
		c, l.drained = l.drained[0], l.drained[1:]
		return c, nil
	default:
		return nil, net.ErrClosed
	}
}

// handshakeGrace is how long Close lets handshakes already under way
// complete once new ones are refused: one round trip to the client, here
// a proxy on the same network, takes far less.
const handshakeGrace = 100 * time.Millisecond

func (l *drainListener) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		// Where refusing fails, what completes before the close is reset.
		if refuseNew(l.TCPListener) == nil {
			time.Sleep(handshakeGrace)
		}
		l.closed = true
		l.drained = acceptQueued(l.TCPListener)
		l.err = l.TCPListener.Close()
	}
	return l.err
}
