//go:build unix

package httpserver

import (
	"errors"
	"io"
	"net"
	"testing"
)

// TestDrainListenerAcceptsWhatIsQueued: connections the kernel queued
// before Close, with a request written on them, are handed to Accept
// rather than reset; after them Accept says closed, and nothing new is
// let in.
func TestDrainListenerAcceptsWhatIsQueued(t *testing.T) {
	tcp, err := listenTCP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &drainListener{TCPListener: tcp}
	const queued = 3
	for range queued {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "GET"); err != nil {
			t.Fatal(err)
		}
	}
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Error("a connection after Close was let in; want it refused")
	}
	for i := range queued {
		c, err := ln.Accept()
		if err != nil {
			t.Fatalf("Accept %d after Close = %v; want connection %d of the %d queued", i+1, err, i+1, queued)
		}
		buf := make([]byte, 3)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "GET" {
			t.Errorf("queued connection %d read %q, %v; want the request written on it", i+1, buf, err)
		}
		c.Close()
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept once the queue is drained = %v; want net.ErrClosed", err)
	}
}
