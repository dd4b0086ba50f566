package ipsec

import (
	"net/netip"
	"slices"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// childIndex finds a peer's children by the packet's destination. A peer
// standing for a range of clients (a z/OS rule naming a client network)
// holds a child per client, each with the client alone as its remote
// selector; scanning them all for every packet made a takeover of 1,000
// such tunnels quadratic. Children whose remote selectors are single
// hosts are kept under each host; the rest (wider selectors) are scanned.
type childIndex struct {
	seq    uint64
	byHost map[netip.Addr][]indexedChild
	wide   []indexedChild
}

// indexedChild is a child with its place in the order of installation:
// the newest fitting child carries the traffic.
type indexedChild struct {
	seq uint64
	c   *child
}

// addChild installs ch as the peer's newest child (e.mu held).
func (ps *peerState) addChild(ch *child) {
	ps.children = append(ps.children, ch)
	ix := &ps.index
	ix.seq++
	in := indexedChild{seq: ix.seq, c: ch}
	hosts, ok := singleHosts(ch.info.RemoteTS)
	if !ok {
		ix.wide = append(ix.wide, in)
		return
	}
	if ix.byHost == nil {
		ix.byHost = map[netip.Addr][]indexedChild{}
	}
	for _, h := range hosts {
		ix.byHost[h] = append(ix.byHost[h], in)
	}
}

// removeChild takes ch out of the peer's children (e.mu held).
func (ps *peerState) removeChild(ch *child) {
	ps.children = slices.DeleteFunc(ps.children, func(x *child) bool { return x == ch })
	ix := &ps.index
	is := func(x indexedChild) bool { return x.c == ch }
	hosts, ok := singleHosts(ch.info.RemoteTS)
	if !ok {
		ix.wide = slices.DeleteFunc(ix.wide, is)
		return
	}
	for _, h := range hosts {
		if rest := slices.DeleteFunc(ix.byHost[h], is); len(rest) > 0 {
			ix.byHost[h] = rest
		} else {
			delete(ix.byHost, h)
		}
	}
}

// singleHosts lists the addresses of selectors that each name one host,
// or says some selector is wider (or of a type without addresses).
func singleHosts(ts []wire.Selector) ([]netip.Addr, bool) {
	if len(ts) == 0 {
		return nil, false
	}
	hosts := make([]netip.Addr, 0, len(ts))
	for _, s := range ts {
		if !s.Start.IsValid() || s.Start != s.End {
			return nil, false
		}
		if !slices.Contains(hosts, s.Start) {
			hosts = append(hosts, s.Start)
		}
	}
	return hosts, true
}

// pick returns the child to send fl through: the newest ready one whose
// selectors fit, else the newest fitting one, else nil. Only the children
// of fl's destination host and the wide ones can fit.
func (ix *childIndex) pick(fl flow) *child {
	var ready, fallback indexedChild
	consider := func(list []indexedChild) {
		for i := len(list) - 1; i >= 0; i-- {
			x := list[i]
			if x.seq <= ready.seq || !x.c.out.Alive() || !fitsSelectors(fl, x.c.info.LocalTS, x.c.info.RemoteTS) {
				continue
			}
			if x.c.ready.Load() {
				ready = x
				return // older ones in this list lose to it
			}
			if x.seq > fallback.seq {
				fallback = x
			}
		}
	}
	consider(ix.byHost[fl.dst])
	consider(ix.wide)
	if ready.c != nil {
		return ready.c
	}
	return fallback.c
}
