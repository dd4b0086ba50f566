package compile

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/model"
)

// spd builds the filters a stack installs. Without IPCONFIG IPSECURITY the
// stack filters nothing. With it, Policy Agent's installed policy replaces
// the profile's IPSEC rules; either way the stack ends the list with a
// deny-all rule.
func (c *compiler) spd(s *model.Stack, dvipas []netip.Addr) SPD {
	out := SPD{From: "none", Filters: []Filter{}, VPNActions: []VPNAction{}}
	if s.IPSecurity == nil && s.IPSecurity6 == nil {
		out.Note = "no IPCONFIG IPSECURITY: the stack does no IP filtering"
		return out
	}
	var rules []*model.FilterRule
	switch {
	case s.Policy != nil && s.Policy.Installed:
		out.From, out.Logging = "policy", s.Policy.FilterLogging
		rules = s.Policy.FilterRules
	default:
		out.From = "profile"
		if s.IPSec != nil {
			rules, out.Logging = s.IPSec.Rules, s.IPSec.LogEnable
		} else {
			out.Note = "no IPSEC block: only the deny-all rule"
		}
		if s.Policy != nil {
			out.Note = "Policy Agent policy not installed (" + s.Policy.NotInstalled + "): the stack keeps its profile rules"
		}
	}
	ext := map[string]int{}
	vpns := map[string]bool{}
	for _, r := range rules {
		for _, f := range c.filters(r) {
			ext[f.Name]++
			f.Extension = ext[f.Name]
			f.AnchorFor = anchors(r.Src, dvipas)
			out.Filters = append(out.Filters, f)
		}
		if r.DynVPN != nil && r.Action == "IPSEC" && !vpns[r.DynVPN.Name] {
			vpns[r.DynVPN.Name] = true
			out.VPNActions = append(out.VPNActions, c.vpnAction(r.DynVPN))
		}
	}
	for _, dir := range []string{"OUTBOUND", "INBOUND"} {
		ext["SYSDEFAULTDENYRULE"]++
		out.Filters = append(out.Filters, Filter{Name: "SYSDEFAULTDENYRULE", Extension: ext["SYSDEFAULTDENYRULE"], Direction: dir,
			Action: "DENY", Local: "*", Remote: "*", Protocol: -1, LocalPorts: AnyPort, RemotePorts: AnyPort,
			Routing: "EITHER", Implicit: true, AnchorFor: anchors(model.AddrSel{All: true}, dvipas)})
	}
	return out
}

// filters splits a rule into one simple filter per direction. Rules are
// written from the stack's side: the source is local.
func (c *compiler) filters(r *model.FilterRule) []Filter {
	base := Filter{Name: r.Name, Action: r.Action, Local: r.Src.String(), Remote: r.Dst.String(),
		Protocol: int(r.Protocol), LocalPorts: ports(r.SrcPorts), RemotePorts: ports(r.DstPorts),
		Routing: r.Routing, Connect: r.Connect, SecClass: r.SecClass, Log: r.Log, Source: c.source(r.Range)}
	if r.Protocol == 1 || r.Protocol == 58 {
		// ICMP type and code share the port fields in the model.
		base.LocalPorts, base.RemotePorts = AnyPort, AnyPort
		if !r.SrcPorts.Any() {
			t := ports(r.SrcPorts)
			base.ICMPType = &t
		}
		if !r.DstPorts.Any() {
			code := ports(r.DstPorts)
			base.ICMPCode = &code
		}
	}
	if r.Action == "IPSEC" {
		if r.DynVPN != nil {
			base.VPNAction = r.DynVPN.Name
		}
		if r.ManVPN != nil {
			base.ManualTunnel = r.ManVPN.Name
		}
	}
	dirs := []string{"OUTBOUND", "INBOUND"}
	switch r.Direction {
	case "INBOUND":
		dirs = dirs[1:]
	case "OUTBOUND":
		dirs = dirs[:1]
	}
	var out []Filter
	for _, d := range dirs {
		f := base
		f.Direction = d
		out = append(out, f)
	}
	return out
}

func ports(p model.PortSel) PortRange {
	if p.Any() {
		return AnyPort
	}
	return PortRange{From: p.From, To: p.To}
}

// anchors lists the DVIPAs a local selector covers.
func anchors(local model.AddrSel, dvipas []netip.Addr) []string {
	var out []string
	for _, a := range dvipas {
		if local.Contains(a) {
			out = append(out, a.String())
		}
	}
	return out
}

// selector is a parsed Filter.Local or Identity location.
type selector struct {
	all    bool
	lo, hi netip.Addr
}

// parseSelector reads "*", an address, a prefix or a range a-b.
func parseSelector(s string) (selector, error) {
	if s == "*" {
		return selector{all: true}, nil
	}
	if from, to, ok := strings.Cut(s, "-"); ok {
		lo, err1 := netip.ParseAddr(from)
		hi, err2 := netip.ParseAddr(to)
		if err1 != nil || err2 != nil {
			return selector{}, fmt.Errorf("bad address range %q", s)
		}
		return selector{lo: lo, hi: hi}, nil
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		p = p.Masked()
		hi := p.Addr().AsSlice()
		for i := p.Bits(); i < len(hi)*8; i++ {
			hi[i/8] |= 1 << (7 - i%8)
		}
		h, _ := netip.AddrFromSlice(hi)
		return selector{lo: p.Addr(), hi: h}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return selector{}, fmt.Errorf("bad selector %q", s)
	}
	return selector{lo: a, hi: a}, nil
}

func (s selector) contains(a netip.Addr) bool {
	return s.all || a.BitLen() == s.lo.BitLen() && s.lo.Compare(a) <= 0 && a.Compare(s.hi) <= 0
}

func (s selector) isHost() bool { return !s.all && s.lo == s.hi }

// Covers reports whether a selector string ("*", address, prefix, a-b)
// contains the address; malformed selectors contain nothing.
func Covers(sel, addr string) bool {
	s, err := parseSelector(sel)
	a, err2 := netip.ParseAddr(addr)
	return err == nil && err2 == nil && s.contains(a)
}
