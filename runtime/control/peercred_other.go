//go:build !linux

package control

import (
	"errors"
	"net"
)

// errNoPeerCredentials: outside Linux the control socket relies on its
// private directory and mode alone.
var errNoPeerCredentials = errors.New("no peer credentials on this system")

func peerUID(net.Conn) (int, error) { return -1, errNoPeerCredentials }
