package control

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/runtime/swsa"
)

// cfDisplay shows the SWSA structure's contents in the spirit of z/OS's
// D XCF,STR,STRNAME=EZBDVIPAvvtt: the structure, then per DVIPA its
// records: tunnel, writer, when written, peer and identity, IKE version and
// the child SAs' inbound and outbound SPIs (what a takeback deletes). A
// record holds no keys, so none can show.
func (c *Control) cfDisplay(b *strings.Builder) error {
	name, stored, corrupt, err := c.sx.SWSARecords(context.Background())
	if err != nil {
		return fmt.Errorf("structure %s: %w", name, err)
	}
	fmt.Fprintf(b, "STRNAME: %s  (Sysplex-Wide Security Associations)\n", name)
	fmt.Fprintf(b, " ENTRIES IN USE: %d\n", len(stored)+len(corrupt))
	var last netip.Addr
	for i, st := range stored {
		r := st.Record
		if i == 0 || r.DVIPA != last {
			last = r.DVIPA
			fmt.Fprintf(b, "DVIPA %s: %d records\n", r.DVIPA, countOf(stored, r.DVIPA))
			fmt.Fprintf(b, "  %-12s %-8s %-19s %-21s %-22s %-5s %s\n", "TUNNEL", "WRITER", "WRITTEN", "PEER", "IDENTITY", "IKE", "CHILD SAS (IN/OUT SPI)")
		}
		fmt.Fprintf(b, "  %-12s %-8s %-19s %-21s %-22s %-5s %s\n", r.TunnelID, r.Writer, r.Written.UTC().Format("2006/01/02 15:04:05"),
			peerText(r.Peer), r.Peer.Identity.Type+" "+r.Peer.Identity.Value, r.IKE.Version, childText(r.Children))
	}
	for _, c := range corrupt {
		fmt.Fprintf(b, "CORRUPT %s: %v\n", c.Key, c.Err)
	}
	return nil
}

func countOf(stored []swsa.Stored, d netip.Addr) int {
	n := 0
	for _, st := range stored {
		if st.Record.DVIPA == d {
			n++
		}
	}
	return n
}

func peerText(p swsa.Peer) string {
	if p.BehindNAT {
		return p.Addr.String() + " NAT"
	}
	return p.Addr.String()
}

func childText(cs []swsa.ChildSA) string {
	if len(cs) == 0 {
		return "none"
	}
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s 0x%08X/0x%08X", c.Protocol, c.InboundSPI, c.OutboundSPI))
	}
	return strings.Join(parts, ", ")
}
