package ipsec

import (
	"fmt"
	"io"
	"strings"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// The text of `ipsec -k display` (IKE tunnels) and `ipsec -y display`
// (dynamic tunnels), with the field names zos-config.md §6 lists. Tunnel
// ids are K<n> and Y<n> in the order SAs sorts them; keys never appear.

// WriteIKE writes the IKE tunnels, numbering them from *next (K1, K2, …)
// so several endpoints of one stack share one sequence.
func (l SAList) WriteIKE(w io.Writer, next *int) error {
	var b strings.Builder
	for _, t := range l.IKE {
		*next++
		role := "Responder"
		if t.Initiator {
			role = "Initiator"
		}
		field(&b, "TunnelID", fmt.Sprintf("K%d", *next))
		field(&b, "IKEVersion", "2.0")
		field(&b, "KeyExchangeRuleName", t.Peer)
		field(&b, "LocalEndpoint", t.Local.Addr().String())
		field(&b, "RemoteEndpoint", t.Remote.Addr().String())
		field(&b, "State", strings.ToUpper(t.State.String()))
		field(&b, "Role", role)
		field(&b, "EncryptionAlgorithm", encrName(t.Suite.Encr, t.Suite.KeyBits))
		if t.Suite.Integ != wire.AUTH_NONE {
			field(&b, "IntegrityAlgorithm", t.Suite.Integ.String())
		}
		field(&b, "PseudoRandomFunction", t.Suite.PRF.String())
		field(&b, "DiffieHellmanGroup", fmt.Sprint(uint16(t.Suite.DH)))
		field(&b, "NATTSupportLevel", natStatus(t.NATLocal, t.NATRemote))
		if !t.Established.IsZero() {
			field(&b, "Established", t.Established.UTC().Format("2006/01/02 15:04:05"))
		}
		field(&b, "IKESPIs", t.ID.String())
		field(&b, "NumDynamicTunnels", fmt.Sprint(t.Children))
		b.WriteString(strings.Repeat("*", 66) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteDynamic writes the dynamic tunnels, numbered from *next (Y1, …).
func (l SAList) WriteDynamic(w io.Writer, next *int) error {
	var b strings.Builder
	for _, d := range l.Dynamic {
		*next++
		state := "ACTIVE"
		if !d.Active {
			state = "EXPIRED" // replaced by a rekey, kept for packets in flight
		}
		field(&b, "TunnelID", fmt.Sprintf("Y%d", *next))
		field(&b, "KeyExchangeRuleName", d.Peer)
		field(&b, "State", state)
		field(&b, "HowToEncap", "TUNNEL")
		field(&b, "HowToEncrypt", encrName(d.Encr, d.KeyBits))
		if d.Integ == wire.AUTH_NONE {
			field(&b, "HowToAuth", "ESP NULL (combined mode)")
		} else {
			field(&b, "HowToAuth", "ESP "+d.Integ.String())
		}
		field(&b, "LocalEndpoint", d.Local.Addr().String())
		field(&b, "RemoteEndpoint", d.Remote.Addr().String())
		for _, ts := range d.LocalTS {
			field(&b, "LocalData", ts.String())
		}
		for _, ts := range d.RemoteTS {
			field(&b, "RemoteData", ts.String())
		}
		field(&b, "InboundSPI", fmt.Sprintf("%d (0x%08X)", d.InboundSPI, d.InboundSPI))
		field(&b, "OutboundSPI", fmt.Sprintf("%d (0x%08X)", d.OutboundSPI, d.OutboundSPI))
		if d.Lifetime.HardTime > 0 {
			field(&b, "Lifetime", fmt.Sprintf("%d seconds", int(d.Lifetime.HardTime.Seconds())))
		}
		field(&b, "NATTraversal", yesNo(d.UDPEncap))
		field(&b, "ESN", yesNo(d.ESN))
		field(&b, "InboundPackets", fmt.Sprint(d.In.PacketsIn))
		field(&b, "OutboundPackets", fmt.Sprint(d.Out.PacketsOut))
		b.WriteString(strings.Repeat("*", 66) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func field(b *strings.Builder, name, value string) {
	fmt.Fprintf(b, "%-27s%s\n", name+":", value)
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

func yesNo(v bool) string {
	if v {
		return "Yes"
	}
	return "No"
}
