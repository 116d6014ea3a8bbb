//go:build unix

package httpserver

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// acceptQueued accepts every connection queued on l without waiting, then
// shuts l down for reading, which on Linux stops it listening at once,
// whatever other goroutine still holds it.
func acceptQueued(l *net.TCPListener) []net.Conn {
	rc, err := l.SyscallConn()
	if err != nil {
		return nil
	}
	var conns []net.Conn
	_ = rc.Control(func(fd uintptr) { // fails only when l is closed already
		for {
			// Go's listening sockets do not block: EAGAIN once the queue is empty.
			nfd, _, err := syscall.Accept(int(fd))
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			if err != nil {
				_ = syscall.Shutdown(int(fd), syscall.SHUT_RD) // ENOTCONN where a listener cannot be shut down; Close follows anyway
				return
			}
			f := os.NewFile(uintptr(nfd), "")
			c, err := net.FileConn(f)
			f.Close()
			if err == nil {
				conns = append(conns, c)
			}
		}
	})
	return conns
}
