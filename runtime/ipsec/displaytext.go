package ipsec

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/display"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// The rows of `ipsec -k display` (IKE tunnels) and `ipsec -y display`
// (dynamic tunnels), with the field values zos-config.md §6 lists;
// package display renders them. Keys never appear.

// IKEView returns the IKE tunnels as ipsec -k display shows them.
func (l SAList) IKEView() []display.IKETunnel {
	out := make([]display.IKETunnel, 0, len(l.IKE))
	for _, t := range l.IKE {
		role := "Responder"
		if t.Initiator {
			role = "Initiator"
		}
		row := display.IKETunnel{Rule: t.Peer, Local: t.Local.Addr().String(), Remote: t.Remote.Addr().String(),
			State: strings.ToUpper(t.State.String()), Role: role, Encryption: encrName(t.Suite.Encr, t.Suite.KeyBits),
			PRF: t.Suite.PRF.String(), DHGroup: int(t.Suite.DH), NAT: natStatus(t.NATLocal, t.NATRemote),
			SPIs: t.ID.String(), DynamicTunnels: t.Children, RecoveredFrom: l.recoveredFrom(t.Remote.Addr())}
		if t.Suite.Integ != wire.AUTH_NONE {
			row.Integrity = t.Suite.Integ.String()
		}
		if !t.Established.IsZero() {
			row.Established = t.Established.UTC().Format("2006/01/02 15:04:05")
		}
		if !t.Expires.IsZero() {
			row.LifetimeSeconds = int(t.Expires.Sub(t.Established).Seconds())
		}
		row.ReauthSeconds = int(t.ReauthInterval.Seconds())
		out = append(out, row)
	}
	return out
}

// DynamicView returns the dynamic tunnels as ipsec -y display shows them.
func (l SAList) DynamicView() []display.DynamicTunnel {
	out := make([]display.DynamicTunnel, 0, len(l.Dynamic))
	for _, d := range l.Dynamic {
		row := display.DynamicTunnel{Rule: d.Peer, Active: d.Active, Encryption: encrName(d.Encr, d.KeyBits),
			Local: d.Local.Addr().String(), Remote: d.Remote.Addr().String(),
			InboundSPI: d.InboundSPI, OutboundSPI: d.OutboundSPI, NATTraversal: d.UDPEncap, ESN: d.ESN,
			InboundPackets: d.In.PacketsIn, OutboundPackets: d.Out.PacketsOut, RecoveredFrom: l.recoveredFrom(d.Remote.Addr())}
		if d.Integ != wire.AUTH_NONE {
			row.Integrity = d.Integ.String()
		}
		for _, ts := range d.LocalTS {
			row.LocalData = append(row.LocalData, ts.String())
		}
		for _, ts := range d.RemoteTS {
			row.RemoteData = append(row.RemoteData, ts.String())
		}
		if d.Lifetime.HardTime > 0 {
			row.LifetimeSeconds = int(d.Lifetime.HardTime.Seconds())
		}
		out = append(out, row)
	}
	return out
}

// recoveredFrom says which stack's record, and which tunnel of it, the
// tunnel with a peer was renegotiated from; "" if none.
func (l SAList) recoveredFrom(peer netip.Addr) string {
	r, ok := l.Recovered[peer]
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s (record %s)", r.Writer, r.Tunnel)
}

func encrName(e wire.EncrID, bits int) string { return fmt.Sprintf("%s %d", e, bits) }

func natStatus(local, remote bool) string {
	switch {
	case local && remote:
		return "both behind NAT"
	case local:
		return "local behind NAT"
	case remote:
		return "remote behind NAT"
	}
	return "no NAT"
}
