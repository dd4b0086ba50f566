package sysplex

import (
	"net"
	"net/netip"
	"sync"
)

// This file is the applications' side of a stack: listeners on a DVIPA
// port, whose servers and connections the stack reports to the routing
// stack (target.go).

// Listen opens a server on DVIPA:port (or any address of the stack) that
// reports its listening state and its connections to the routing stack.
func (s *Stack) Listen(ap netip.AddrPort) (net.Listener, error) {
	ns := s.Netstack()
	if ns == nil {
		return nil, ErrStackDown
	}
	if err := s.bindRange(ap.Addr()); err != nil {
		return nil, err
	}
	ln, err := ns.ListenTCP(ap)
	if err != nil {
		s.unbindRange(ap.Addr())
		return nil, err
	}
	s.mu.Lock()
	s.listening[ap]++
	router := s.roles.lookup(ap.Addr()).routerOf()
	m := s.member
	n := s.listening[ap]
	s.mu.Unlock()
	if router != "" {
		s.send(m, router, encode(msgSrvStat, srvStat{DVIPA: ap.Addr(), Port: ap.Port(), Ready: n}))
	}
	return &listener{Listener: ln, s: s, ap: ap}, nil
}

type listener struct {
	net.Listener
	s    *Stack
	ap   netip.AddrPort
	once sync.Once
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	remote := c.RemoteAddr()
	for remote == nil {
		// Reset by the client while it waited in the accept queue: it
		// has no peer left to report, and the application never sees it.
		c.Close()
		if c, err = l.Listener.Accept(); err != nil {
			return nil, err
		}
		remote = c.RemoteAddr()
	}
	client, _ := netip.ParseAddrPort(remote.String())
	k := connKey{dvipa: l.ap.Addr(), client: client, port: l.ap.Port()}
	l.s.mu.Lock()
	l.s.conns[k] = true
	l.s.mu.Unlock()
	return &conn{Conn: c, s: l.s, k: k}, nil
}

func (l *listener) Close() error {
	l.once.Do(func() {
		s := l.s
		s.mu.Lock()
		s.listening[l.ap]--
		n := s.listening[l.ap]
		router := s.roles.lookup(l.ap.Addr()).routerOf()
		m := s.member
		up := s.up
		s.mu.Unlock()
		if router != "" && up {
			s.send(m, router, encode(msgSrvStat, srvStat{DVIPA: l.ap.Addr(), Port: l.ap.Port(), Ready: n}))
		}
		if up {
			s.unbindRange(l.ap.Addr())
		}
	})
	return l.Listener.Close()
}

type conn struct {
	net.Conn
	s    *Stack
	k    connKey
	once sync.Once
}

func (c *conn) Close() error {
	c.once.Do(func() {
		s := c.s
		s.mu.Lock()
		delete(s.conns, c.k)
		router := s.roles.lookup(c.k.dvipa).routerOf()
		m := s.member
		up := s.up
		s.mu.Unlock()
		if router != "" && up {
			s.send(m, router, encode(msgConnEnd, connEnd{DVIPA: c.k.dvipa, Client: c.k.client, Port: c.k.port}))
		}
	})
	return c.Conn.Close()
}

// Unwrap returns the stack's own connection, so that an application can
// serve it from a poller instead of a goroutine (runtime/workload).
func (c *conn) Unwrap() net.Conn { return c.Conn }
