package httpserver

import (
	"net"

	"golang.org/x/sys/unix"
)

// refuseNew makes the kernel drop every SYN that opens a connection to l,
// while the final ACK of a handshake already under way still completes it.
// A dropped SYN is sent again a second later; by then the listener is
// closed, the SYN is refused, and nginx passes the request to another
// replica, since it sent none. Without it, a handshake could complete
// between the last accept and the close, and its connection be reset with
// a request written on it. A connection accepted meanwhile inherits the
// filter, which lets through every segment but a SYN alone.
func refuseNew(l *net.TCPListener) error {
	// A socket filter on a TCP socket reads from the TCP header.
	const flagsOffset, syn, ack = 13, 0x02, 0x10
	prog := [...]unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_B | unix.BPF_ABS, K: flagsOffset},
		{Code: unix.BPF_ALU | unix.BPF_AND | unix.BPF_K, K: syn | ack},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: syn, Jt: 0, Jf: 1},
		{Code: unix.BPF_RET | unix.BPF_K, K: 0},          // a SYN alone: dropped
		{Code: unix.BPF_RET | unix.BPF_K, K: 0xffffffff}, // anything else, whole
	}
	rc, err := l.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptSockFprog(int(fd), unix.SOL_SOCKET, unix.SO_ATTACH_FILTER,
			&unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]})
	}); err != nil {
		return err
	}
	return serr
}
