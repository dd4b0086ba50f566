package sysplex

import (
	"net/netip"
	"sort"
)

// This file is the target side of a distributed DVIPA: a stack reports
// its servers (SRVSTAT) and connections (NEWCONN) to the DVIPA's routing
// stack, which keeps them in its distributor.

// reportTo tells the routing stack of a DVIPA about this stack's servers
// (SRVSTAT) and connections (NEWCONN) for it (figure 14 block 314).
func (s *Stack) reportTo(a netip.Addr, router string) {
	s.mu.Lock()
	var stats []srvStat
	for ap, n := range s.listening {
		if ap.Addr() == a {
			stats = append(stats, srvStat{DVIPA: a, Port: ap.Port(), Ready: n})
		}
	}
	// The connections the application holds, and those its stack holds
	// that the application has not accepted yet (or is still setting up):
	// z/OS reports what the stack has, and so must the target here.
	open := map[connKey]bool{}
	for k := range s.conns {
		if k.dvipa == a {
			open[k] = true
		}
	}
	serving := map[uint16]bool{}
	for _, st := range stats {
		serving[st.Port] = st.Ready > 0
	}
	m, ns := s.member, s.ns
	s.mu.Unlock()
	if ns != nil {
		for _, c := range ns.OpenTCP(a) {
			if serving[c.Local.Port()] {
				open[connKey{dvipa: a, client: c.Remote, port: c.Local.Port()}] = true
			}
		}
	}
	var conns []newConn
	for k := range open {
		conns = append(conns, newConn{DVIPA: a, Client: k.client, Port: k.port, Target: s.plan.Name})
	}
	sort.Slice(stats, func(i, j int) bool { return stats[i].Port < stats[j].Port })
	for _, st := range stats {
		s.send(m, router, encode(msgSrvStat, st))
	}
	for _, c := range conns {
		s.send(m, router, encode(msgNewConn, c))
	}
	s.send(m, router, encode(msgConnsDone, vipaList{DVIPA: a}))
}
