package ipsec

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/natt"
)

// IKETunnel is one IKE SA, as `ipsec -k display` shows it.
type IKETunnel struct {
	ikesa.IKESAInfo
	// Established is when the SA came up; zero while it negotiates.
	Established time.Time
	// Refresh is when we rekey it and Expires when it ends unless
	// rekeyed; zero without a configured lifetime.
	Refresh, Expires time.Time
	// Reauth is when it is negotiated afresh, every ReauthInterval after
	// the peer last authenticated; zero without an interval.
	Reauth         time.Time
	ReauthInterval time.Duration
}

// DynamicTunnel is one child SA pair, as `ipsec -y display` shows it.
type DynamicTunnel struct {
	Peer string
	// IKE is the IKE SA the child belongs to now.
	IKE                     ikesa.IKESAID
	InboundSPI, OutboundSPI uint32
	Encr                    wire.EncrID
	KeyBits                 int
	Integ                   wire.IntegID
	ESN, PFS                bool
	LocalTS, RemoteTS       []wire.Selector
	// Local is our outer address; Remote is where ESP goes now, after
	// NAT mapping updates. UDPEncap says ESP travels in UDP (a NAT was
	// found); Local then has port 4500, else port 0 (plain ESP).
	Local, Remote netip.AddrPort
	UDPEncap      bool
	Created       time.Time
	Lifetime      esp.Lifetime
	// Active is false for a child a rekey replaced, kept until its
	// Delete is answered so packets in flight still decrypt.
	Active  bool
	In, Out esp.Counters
}

// SAList is everything SAs reports, sorted for stable output.
type SAList struct {
	IKE     []IKETunnel
	Dynamic []DynamicTunnel
	// Recovered names, by peer address, the SWSA record each tunnel
	// recovered after a DVIPA move was renegotiated from (swsa.go).
	Recovered map[netip.Addr]RecoveredFrom
}

// SAs describes the endpoint's IKE SAs and child SAs.
func (e *Endpoint) SAs() SAList {
	var out SAList
	infos := e.daemon.SAs()
	current := map[ikesa.IKESAID]bool{}
	// An IKE rekey moves children to the new IKE SA without telling us;
	// the new one shares the old one's NAT mapping, so the mapping names
	// a child's current IKE SA.
	byMapping := map[*natt.Mapping]ikesa.IKESAID{}
	e.mu.Lock()
	for _, info := range infos {
		times := e.ikeTimes[info.ID]
		out.IKE = append(out.IKE, IKETunnel{IKESAInfo: info, Established: times.up, Refresh: times.refresh, Expires: times.expires,
			Reauth: times.reauth, ReauthInterval: e.peerConfig(info.Peer).ReauthInterval})
		current[info.ID] = true
		if m := e.mappings[info.ID]; m != nil && info.State == ikesa.StateEstablished {
			byMapping[m.Mapping] = info.ID
		}
	}
	for _, ps := range e.peers {
		for i, ch := range ps.children {
			c := ch.info
			// Plain ESP has no ports; the mapping keeps the peer's NAT-T
			// port for a later float, so it is dropped here.
			local := netip.AddrPortFrom(e.cfg.Local, 0)
			remote := netip.AddrPortFrom(ch.mapping.Remote().Addr(), 0)
			if c.UDPEncap {
				local, remote = netip.AddrPortFrom(e.cfg.Local, nattPort), ch.mapping.Remote()
			}
			t := DynamicTunnel{
				Peer: c.Peer, IKE: c.IKE, InboundSPI: c.InboundSPI, OutboundSPI: c.OutboundSPI,
				Encr: c.Encr, KeyBits: c.KeyBits, Integ: c.Integ, ESN: c.ESN, PFS: c.PFS,
				LocalTS: c.LocalTS, RemoteTS: c.RemoteTS, Local: local,
				Remote: remote, UDPEncap: c.UDPEncap, Created: ch.created, Lifetime: ch.life,
				Active: !slices.ContainsFunc(ps.children[i+1:], func(n *child) bool { return sameTS(n, ch) }),
				In:     ch.in.Counters(), Out: ch.out.Counters(),
			}
			if !current[t.IKE] {
				t.IKE = byMapping[ch.mapping]
			}
			out.Dynamic = append(out.Dynamic, t)
		}
	}
	e.mu.Unlock()
	out.Recovered = e.RecoveredTunnels()
	slices.SortFunc(out.IKE, func(a, b IKETunnel) int {
		return cmp.Or(cmp.Compare(a.Peer, b.Peer), cmp.Compare(a.ID.SPIi, b.ID.SPIi), cmp.Compare(a.ID.SPIr, b.ID.SPIr))
	})
	slices.SortFunc(out.Dynamic, func(a, b DynamicTunnel) int {
		return cmp.Or(cmp.Compare(a.Peer, b.Peer), a.Created.Compare(b.Created), cmp.Compare(a.InboundSPI, b.InboundSPI))
	})
	return out
}

// sameTS reports whether two children carry the same traffic, i.e. one
// replaced the other.
func sameTS(a, b *child) bool {
	return eqSelectors(a.info.LocalTS, b.info.LocalTS) && eqSelectors(a.info.RemoteTS, b.info.RemoteTS)
}
