package compile

import (
	"net/netip"

	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/plan"
)

// spd builds the filters a stack installs. Without IPCONFIG IPSECURITY the
// stack filters nothing. With it, Policy Agent's installed policy replaces
// the profile's IPSEC rules; either way the stack ends the list with a
// deny-all rule.
func (c *compiler) spd(s *model.Stack, dvipas []netip.Addr) plan.SPD {
	out := plan.SPD{From: "none", Filters: []plan.Filter{}, VPNActions: []plan.VPNAction{}}
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
			f.AnchorFor = anchors(r.Local(), dvipas)
			out.Filters = append(out.Filters, f)
		}
		if r.DynVPN != nil && r.Action == "IPSEC" && !vpns[r.DynVPN.Name] {
			vpns[r.DynVPN.Name] = true
			out.VPNActions = append(out.VPNActions, c.vpnAction(r.DynVPN))
		}
	}
	for _, dir := range []plan.Direction{plan.Outbound, plan.Inbound} {
		ext["SYSDEFAULTDENYRULE"]++
		out.Filters = append(out.Filters, plan.Filter{Name: "SYSDEFAULTDENYRULE", Extension: ext["SYSDEFAULTDENYRULE"], Direction: dir,
			Action: plan.Deny, Local: "*", Remote: "*", Protocol: -1, LocalPorts: plan.AnyPort, RemotePorts: plan.AnyPort,
			Routing: "EITHER", Implicit: true, AnchorFor: anchors(model.AddrSel{All: true}, dvipas)})
	}
	return out
}

// filters splits a rule into one simple filter per direction, written
// from the stack's side: a bidirectional or outbound rule's source is
// local, a one-way inbound rule's source is the remote sender
// (model.FilterRule.Local).
func (c *compiler) filters(r *model.FilterRule) []plan.Filter {
	base := plan.Filter{Name: r.Name, Action: plan.Action(r.Action), Local: r.Local().String(), Remote: r.Remote().String(),
		Protocol: int(r.Protocol), LocalPorts: ports(r.LocalPorts()), RemotePorts: ports(r.RemotePorts()),
		Routing: plan.Routing(r.Routing), Connect: plan.Connect(r.Connect), SecClass: r.SecClass, Log: r.Log, Source: c.source(r.Range),
		Group: r.Group, LocalStartAction: r.LocalStartAction}
	base.ICMPType, base.ICMPCode = typeRange(r.ICMPType), typeRange(r.ICMPCode)
	if r.OSPFType != nil {
		t := r.OSPFType.From
		base.OSPFType = &t
	}
	if r.Action == "IPSEC" {
		if r.DynVPN != nil {
			base.VPNAction = r.DynVPN.Name
		}
		if r.ManVPN != nil {
			base.ManualTunnel = r.ManVPN.Name
		}
	}
	dirs := []plan.Direction{plan.Outbound, plan.Inbound}
	switch r.Direction {
	case "INBOUND":
		dirs = dirs[1:]
	case "OUTBOUND":
		dirs = dirs[:1]
	}
	var out []plan.Filter
	for _, d := range dirs {
		f := base
		f.Direction = d
		out = append(out, f)
	}
	return out
}

func ports(p model.PortSel) plan.PortRange {
	if p.Any() {
		return plan.AnyPort
	}
	return plan.PortRange{From: p.From, To: p.To}
}

// typeRange writes an ICMP type or code selector; nil is any, 0 is 0.
func typeRange(t *model.TypeSel) *plan.PortRange {
	if t == nil {
		return nil
	}
	return &plan.PortRange{From: t.From, To: t.To}
}

// anchors lists the DVIPAs a local selector covers.
func anchors(local model.AddrSel, dvipas []netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, a := range dvipas {
		if local.Contains(a) {
			out = append(out, a)
		}
	}
	return out
}
