package control

import (
	"errors"
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// errNoPeerCredentials is returned where the system cannot tell who is at
// the other end of a socket; on Linux it always can (SO_PEERCRED).
var errNoPeerCredentials = errors.New("no peer credentials on this system")

// peerUID returns the user id of the process at the other end of a Unix
// socket, as the kernel recorded it when the connection was made
// (SO_PEERCRED, unix(7)).
func peerUID(conn net.Conn) (int, error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return -1, fmt.Errorf("%T is not a Unix socket", conn)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return -1, err
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return -1, err
	}
	if credErr != nil {
		return -1, fmt.Errorf("peer credentials: %w", credErr)
	}
	return int(cred.Uid), nil
}
