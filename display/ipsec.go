package display

import (
	"fmt"
	"io"
	"strings"
)

// The text of `ipsec -k display` (IKE tunnels) and `ipsec -y display`
// (dynamic tunnels), with the fields IBM documents for them. Tunnel ids
// are K<n> and Y<n> in the order given; keys are never part of a row.

// IKETunnel is one IKE SA as `ipsec -k display` shows it; the runtime
// writes each value as the display does.
type IKETunnel struct {
	Rule                       string // KeyExchangeRuleName
	Local, Remote              string // endpoint addresses
	State, Role                string
	Encryption, Integrity, PRF string // Integrity "" for combined-mode ciphers
	DHGroup                    int
	NAT                        string // NATTSupportLevel
	Established                string // "" while it negotiates
	SPIs                       string
	LifetimeSeconds            int // 0: none
	ReauthSeconds              int // ReauthInterval; 0: none
	DynamicTunnels             int
	// RecoveredFrom names the SWSA record the tunnel was renegotiated
	// from after its DVIPA moved ("" for a tunnel negotiated here).
	RecoveredFrom string
}

// DynamicTunnel is one child SA pair as `ipsec -y display` shows it.
type DynamicTunnel struct {
	Rule                    string
	Active                  bool // false: replaced by a rekey, kept for packets in flight
	Encryption              string
	Integrity               string // "" for combined-mode ciphers
	Local, Remote           string
	LocalData, RemoteData   []string
	InboundSPI, OutboundSPI uint32
	LifetimeSeconds         int // 0: none
	NATTraversal, ESN       bool
	InboundPackets          uint64
	OutboundPackets         uint64
	RecoveredFrom           string // as IKETunnel's
}

// WriteIPsecHeader writes the first line of an ipsec display of a stack;
// which is -k or -y.
func WriteIPsecHeader(w io.Writer, job, stack, which string) error {
	kind := "IKE tunnel"
	if which == "-y" {
		kind = "Dynamic tunnel"
	}
	_, err := fmt.Fprintf(w, "ipsec Stack Name: %s (%s)  Primary: %s  Function: Display\n", job, stack, kind)
	return err
}

// WriteIKETunnels writes IKE tunnels, numbering them from *next (K1, K2,
// …) so several endpoints of one stack share one sequence.
func WriteIKETunnels(w io.Writer, ts []IKETunnel, next *int) error {
	var b strings.Builder
	for _, t := range ts {
		*next++
		field(&b, "TunnelID", fmt.Sprintf("K%d", *next))
		field(&b, "IKEVersion", "2.0")
		field(&b, "KeyExchangeRuleName", t.Rule)
		field(&b, "LocalEndpoint", t.Local)
		field(&b, "RemoteEndpoint", t.Remote)
		field(&b, "State", t.State)
		field(&b, "Role", t.Role)
		field(&b, "EncryptionAlgorithm", t.Encryption)
		if t.Integrity != "" {
			field(&b, "IntegrityAlgorithm", t.Integrity)
		}
		field(&b, "PseudoRandomFunction", t.PRF)
		field(&b, "DiffieHellmanGroup", fmt.Sprint(t.DHGroup))
		field(&b, "NATTSupportLevel", t.NAT)
		if t.Established != "" {
			field(&b, "Established", t.Established)
		}
		field(&b, "IKESPIs", t.SPIs)
		if t.LifetimeSeconds > 0 {
			field(&b, "Lifetime", fmt.Sprintf("%d seconds", t.LifetimeSeconds))
		}
		if t.ReauthSeconds > 0 {
			field(&b, "ReauthInterval", fmt.Sprintf("%d seconds", t.ReauthSeconds))
		}
		field(&b, "NumDynamicTunnels", fmt.Sprint(t.DynamicTunnels))
		recovered(&b, t.RecoveredFrom)
		b.WriteString(strings.Repeat("*", 66) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteDynamicTunnels writes dynamic tunnels, numbered from *next (Y1, …).
func WriteDynamicTunnels(w io.Writer, ds []DynamicTunnel, next *int) error {
	var b strings.Builder
	for _, d := range ds {
		*next++
		state := "ACTIVE"
		if !d.Active {
			state = "EXPIRED"
		}
		field(&b, "TunnelID", fmt.Sprintf("Y%d", *next))
		field(&b, "KeyExchangeRuleName", d.Rule)
		field(&b, "State", state)
		field(&b, "HowToEncap", "TUNNEL")
		field(&b, "HowToEncrypt", d.Encryption)
		if d.Integrity == "" {
			field(&b, "HowToAuth", "ESP NULL (combined mode)")
		} else {
			field(&b, "HowToAuth", "ESP "+d.Integrity)
		}
		field(&b, "LocalEndpoint", d.Local)
		field(&b, "RemoteEndpoint", d.Remote)
		for _, ts := range d.LocalData {
			field(&b, "LocalData", ts)
		}
		for _, ts := range d.RemoteData {
			field(&b, "RemoteData", ts)
		}
		field(&b, "InboundSPI", fmt.Sprintf("%d (0x%08X)", d.InboundSPI, d.InboundSPI))
		field(&b, "OutboundSPI", fmt.Sprintf("%d (0x%08X)", d.OutboundSPI, d.OutboundSPI))
		if d.LifetimeSeconds > 0 {
			field(&b, "Lifetime", fmt.Sprintf("%d seconds", d.LifetimeSeconds))
		}
		field(&b, "NATTraversal", yesNo(d.NATTraversal))
		field(&b, "ESN", yesNo(d.ESN))
		field(&b, "InboundPackets", fmt.Sprint(d.InboundPackets))
		field(&b, "OutboundPackets", fmt.Sprint(d.OutboundPackets))
		recovered(&b, d.RecoveredFrom)
		b.WriteString(strings.Repeat("*", 66) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// recovered marks a tunnel renegotiated through the coupling facility
// (Sysplex-Wide Security Associations): tcpipc's own field.
func recovered(b *strings.Builder, from string) {
	if from != "" {
		field(b, "SysplexWide", "Yes, recovered from "+from)
	}
}

func field(b *strings.Builder, name, value string) {
	fmt.Fprintf(b, "%-27s%s\n", name+":", value)
}
