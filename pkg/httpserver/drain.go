package httpserver

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// connStates follows the server's connections through its ConnState hook,
// so that a shutdown can wait for the requests it has not read yet.
type connStates struct {
	mu sync.Mutex
	// busy holds the connections with a request coming, by when they
	// were accepted, and those with one being answered, by the zero time.
	busy map[net.Conn]time.Time
}

// newConnGrace is how long a new connection that has sent nothing keeps a
// shutdown waiting: as long as net/http's Shutdown waits for one.
const newConnGrace = 5 * time.Second

func newConnStates() *connStates { return &connStates{busy: map[net.Conn]time.Time{}} }

func (c *connStates) track(conn net.Conn, s http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch s {
	case http.StateNew:
		c.busy[conn] = time.Now()
	case http.StateActive:
		c.busy[conn] = time.Time{}
	default:
		delete(c.busy, conn)
	}
}

// wait returns once no connection has a request coming or being answered.
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
	for _, accepted := range c.busy {
		if accepted.IsZero() || time.Since(accepted) < newConnGrace {
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
