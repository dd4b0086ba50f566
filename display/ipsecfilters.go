package display

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/plan"
)

func ipsecFilters(b *strings.Builder, p *plan.Plan, s *plan.Stack, _ *Live) {
	rel := "CS"
	if s.Release != "" {
		rel = "CS " + s.Release
	}
	fmt.Fprintf(b, "%s ipsec  Stack Name: %s  (%s)\n", rel, s.Job, s.Name)
	if s.SPD.From == "none" {
		b.WriteString("The stack does no IP filtering: IPCONFIG IPSECURITY is not coded.\n")
		return
	}
	source := "Stack Policy"
	if s.SPD.From == "profile" {
		source = "Stack Profile"
	}
	logging := "Off"
	if s.SPD.Logging {
		logging = "On"
	}
	fmt.Fprintf(b, "Primary:  %-14s  Function: %-17s  Format:   %s\n", "Filter", "Display", "Detail")
	fmt.Fprintf(b, "Source:   %-14s  Scope:    %-17s  TotAvail: %d\n", source, "Current", len(s.SPD.Filters))
	fmt.Fprintf(b, "Logging:  %-14s  Predecap: %-17s  DVIPSec:  %s\n", logging, "Off", yesNo(s.DVIPSec))
	b.WriteString("Defensive Mode: Inactive\n")
	for _, f := range s.SPD.Filters {
		b.WriteString("\n")
		typ, vpn := "Generic", "n/a"
		switch {
		case f.ManualTunnel != "":
			typ, vpn = "Manual", f.ManualTunnel
		case f.VPNAction != "":
			typ, vpn = "Dynamic", f.VPNAction
		}
		log := "None"
		if f.Log {
			log = "All"
		}
		src, dst, sp, dp := f.Local, f.Remote, f.LocalPorts, f.RemotePorts
		if f.Direction == plan.Inbound {
			src, dst, sp, dp = dst, src, dp, sp
		}
		line := func(k, v string) { fmt.Fprintf(b, "%-30s%s\n", k+":", v) }
		line("FilterName", f.Name)
		line("FilterNameExtension", fmt.Sprint(f.Extension))
		line("GroupName", orNA(f.Group))
		line("LocalStartActionName", orNA(f.LocalStartAction))
		line("VpnActionName", vpn)
		line("TunnelID", "0x00")
		line("Type", typ)
		line("DefensiveType", "n/a")
		line("State", "Active")
		line("Action", labelOf(f.Action))
		line("Scope", labelOf(f.Routing))
		line("Direction", labelOf(f.Direction))
		line("SecurityClass", fmt.Sprint(f.SecClass))
		line("Logging", log)
		line("Protocol", plan.ProtocolName(f.Protocol))
		if f.ICMPType != nil || f.ICMPCode != nil {
			line("ICMPType", deref(f.ICMPType))
			line("ICMPCode", deref(f.ICMPCode))
		}
		if f.OSPFType != nil {
			line("OSPFType", fmt.Sprint(*f.OSPFType))
		}
		addrLines(line, "Source", src)
		portLines(line, "Source", sp)
		addrLines(line, "Dest", dst)
		portLines(line, "Dest", dp)
		if len(f.AnchorFor) > 0 {
			line("DVIPAs (tcpipc)", addrList(f.AnchorFor))
		}
	}
}

// addrLines writes a selector as Address, AddressPrefix and AddressRange.
func addrLines(line func(k, v string), side, sel string) {
	addr, prefix, upper := "0.0.0.0", "0", "n/a"
	switch s, err := plan.ParseSelector(sel); {
	case err != nil || s.All:
	case strings.Contains(sel, "-"):
		addr, prefix, upper = s.Lo.String(), "n/a", s.Hi.String()
	case strings.Contains(sel, "/"):
		pf, _ := netip.ParsePrefix(sel)
		addr, prefix = pf.Masked().Addr().String(), fmt.Sprint(pf.Bits())
	default:
		addr, prefix = s.Lo.String(), fmt.Sprint(s.Lo.BitLen())
	}
	line(side+"Address", addr)
	line(side+"AddressPrefix", prefix)
	line(side+"AddressRange", upper)
}

func portLines(line func(k, v string), side string, p plan.PortRange) {
	if p == plan.AnyPort {
		line(side+"Port", "0")
		line(side+"PortRange", "0")
		return
	}
	line(side+"Port", fmt.Sprint(p.From))
	line(side+"PortRange", fmt.Sprint(p.To))
}

// addrList writes addresses separated by blanks.
func addrList(as []netip.Addr) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.String()
	}
	return strings.Join(parts, " ")
}
