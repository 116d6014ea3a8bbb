package httpserver

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// TestRefuseNew: once new handshakes are refused, a connection whose
// handshake completed before is still accepted and carries its request,
// and a new one never connects.
func TestRefuseNew(t *testing.T) {
	l, err := listenTCP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	before, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer before.Close()
	if err := refuseNew(l); err != nil {
		t.Fatalf("refuseNew: %v", err)
	}
	if _, err := io.WriteString(before, "GET"); err != nil {
		t.Fatal(err)
	}
	c, err := l.Accept()
	if err != nil {
		t.Fatalf("Accept of the connection made before refuseNew: %v", err)
	}
	defer c.Close()
	buf := make([]byte, 3)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "GET" {
		t.Errorf("the connection made before refuseNew read %q, %v; want the request written on it", buf, err)
	}
	// A SYN dropped is sent again after a second: half that finds nothing.
	after, err := net.DialTimeout("tcp", l.Addr().String(), 500*time.Millisecond)
	if err == nil {
		after.Close()
		t.Fatal("a connection after refuseNew was made; want its handshake never answered")
	}
	if ne, ok := errors.AsType[net.Error](err); !ok || !ne.Timeout() {
		t.Errorf("dial after refuseNew: got %v, want a timeout", err)
	}
}
