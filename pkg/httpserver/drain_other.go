//go:build !unix

package httpserver

import "net"

// acceptQueued takes nothing where syscall has no Accept: Close then
// resets what is queued.
func acceptQueued(*net.TCPListener) []net.Conn { return nil }
