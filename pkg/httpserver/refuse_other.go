//go:build !linux

package httpserver

import "net"

// refuseNew does nothing where there are no Linux socket filters: a
// handshake that completes between the last accept and the close is then
// reset.
func refuseNew(*net.TCPListener) error { return nil }
