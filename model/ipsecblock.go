package model

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/profile"
)

func (b *stackBuilder) ipsec(s *profile.IPSec) {
	blk := &IPSecBlock{Range: s.Info().Range}
	b.ipsecExclusive(s.Options)
	for _, o := range s.Options {
		r := b.prof.RangeOf(&o.Node)
		switch o.Value {
		case "DVIPSEC":
			blk.DVIPSec = &Keyword{Range: r}
		case "DVLOCALFLTR":
			blk.DVLocalFltr = &Keyword{Range: r}
		case "LOGENABLE":
			blk.LogEnable = true
		case "LOGDISABLE":
			blk.LogEnable = false
		case "LOGIMPLICIT":
			blk.LogImplicit = true
		case "NOLOGIMPLICIT":
			blk.LogImplicit = false
		}
	}
	n := 0
	for _, r := range s.Rules {
		if r.Info().Ignored != "" {
			continue
		}
		n++
		if fr, ok := b.ipsecRule(r, n); ok {
			blk.Rules = append(blk.Rules, fr)
		}
	}
	b.s.IPSec = blk
}

func (b *stackBuilder) ipsecRule(r *profile.IPSecRule, n int) (*FilterRule, bool) {
	fr := &FilterRule{Name: fmt.Sprintf("SYSDEFAULTRULE.%d", n), V6: r.V6, Protocol: AnyProtocol,
		Routing: "LOCAL", Direction: "BIDIRECTIONAL", Log: r.Log == "LOG", Action: "PERMIT", Range: r.Info().Range}
	var ok1, ok2 bool
	fr.Src, ok1 = b.addrSel(r.Src)
	fr.Dst, ok2 = b.addrSel(r.Dst)
	if !ok1 || !ok2 || !b.ruleFamily(r, fr) {
		return nil, false
	}
	if p := r.Protocol; p != nil {
		proto, err := ParseProtocol(p.Protocol)
		if err != nil {
			b.errorf(b.prof.RangeOf(&p.Node), "%v", err)
			return nil, false
		}
		if !b.protocolOptions(p, proto) {
			return nil, false
		}
		fr.Protocol = proto
		fr.SrcPorts = selector(p.SrcPort)
		fr.DstPorts = selector(p.DstPort)
		if proto == 89 {
			fr.OSPFType = typeSel(p.Type)
		} else {
			fr.ICMPType, fr.ICMPCode = typeSel(p.Type), typeSel(p.Code)
		}
	}
	if r.Routing != nil {
		fr.Routing, fr.FragmentsOnly = r.Routing.Value, r.Routing.FragmentsOnly
	}
	if r.SecClass != nil {
		fr.SecClass = *r.SecClass
	}
	if r.Direction != nil {
		fr.Direction, fr.Connect = r.Direction.Value, r.Direction.Connect
	}
	return fr, true
}

// ruleFamily reports an address of the other family: IPSECRULE filters
// IPv4 and IPSEC6RULE IPv6 (IPSEC statement: an IPv4 and an IPv6 filter
// rule form).
func (b *stackBuilder) ruleFamily(r *profile.IPSecRule, fr *FilterRule) bool {
	stmt, want := "IPSECRULE", "IPv4"
	if r.V6 {
		stmt, want = "IPSEC6RULE", "IPv6"
	}
	for _, side := range []struct {
		sel  AddrSel
		spec *profile.AddrSpec
	}{{fr.Src, r.Src}, {fr.Dst, r.Dst}} {
		if !side.sel.All && side.sel.isV6() != r.V6 {
			b.errorf(b.prof.RangeOf(&side.spec.Node), "%s takes %s addresses; write IPv%s rules with %s", stmt, want,
				map[bool]string{true: "4", false: "6"}[r.V6], map[bool]string{true: "IPSECRULE", false: "IPSEC6RULE"}[r.V6])
			return false
		}
	}
	return true
}

// protocolOptions reports sub-options the protocol does not take: SRCPORT
// and DESTPORT go with TCP and UDP, TYPE and CODE with ICMP (TYPE also with
// OSPF), as the IPSEC statement's diagram ties them; and ports are 0-65535.
func (b *stackBuilder) protocolOptions(p *profile.ProtocolSpec, proto Protocol) bool {
	r := b.prof.RangeOf(&p.Node)
	icmp := proto == 1 || proto == 58
	switch {
	case (p.SrcPort != nil || p.DstPort != nil) && proto != 6 && proto != 17:
		b.errorf(r, "PROTOCOL %s takes no SRCPORT or DESTPORT: ports go with TCP and UDP", p.Protocol)
		return false
	case p.Code != nil && !icmp, p.Type != nil && !icmp && proto != 89:
		b.errorf(r, "PROTOCOL %s takes no TYPE or CODE: they go with ICMP (and TYPE with OSPF)", p.Protocol)
		return false
	}
	for _, sel := range []*profile.Selector{p.SrcPort, p.DstPort} {
		s := selector(sel)
		switch {
		case s.From > 65535 || s.To > 65535:
			b.errorf(r, "port %d is not a port (0-65535)", max(s.From, s.To))
			return false
		case s.From > s.To:
			b.errorf(r, "port range %d %d runs backwards: the first port is the lowest", s.From, s.To)
			return false
		}
	}
	return b.typeOptions(p, proto, r)
}

// typeOptions checks TYPE and CODE values: 0-255, and one OSPF type
// (IPSEC statement: OSPF TYPE * | TYPE ospftype, no range).
func (b *stackBuilder) typeOptions(p *profile.ProtocolSpec, proto Protocol, r diag.Range) bool {
	if t := typeSel(p.Type); proto == 89 && t != nil && t.From != t.To {
		b.errorf(r, "PROTOCOL OSPF takes one TYPE, not a range")
		return false
	}
	for _, sel := range []*profile.Selector{p.Type, p.Code} {
		t := typeSel(sel)
		switch {
		case t == nil:
		case max(t.From, t.To) > 255:
			b.errorf(r, "%d is not a type or code (0-255)", max(t.From, t.To))
			return false
		case t.From > t.To:
			b.errorf(r, "range %d %d runs backwards: the first value is the lowest", t.From, t.To)
			return false
		}
	}
	return true
}

// typeSel reads a TYPE or CODE operand: nil for none or *, else the
// value or range, 0 included.
func typeSel(s *profile.Selector) *TypeSel {
	if s == nil || s.Any || s.From == nil {
		return nil
	}
	t := &TypeSel{From: *s.From, To: *s.From}
	if s.To != nil {
		t.To = *s.To
	}
	return t
}

func selector(s *profile.Selector) PortSel {
	switch {
	case s == nil || s.Any || s.From == nil:
		return PortSel{}
	case s.To != nil:
		return PortSel{From: *s.From, To: *s.To}
	}
	return PortSel{From: *s.From, To: *s.From}
}

// addrSel turns a filter address operand into a selector.
func (b *stackBuilder) addrSel(a *profile.AddrSpec) (AddrSel, bool) {
	r := b.prof.RangeOf(&a.Node)
	switch {
	case a.All:
		return AddrSel{All: true}, true
	case a.Prefix != "":
		p, err := netip.ParsePrefix(a.Prefix)
		if err != nil {
			b.errorf(r, "%s is not a valid address/prefix", a.Prefix)
			return AddrSel{}, false
		}
		return AddrSel{Prefix: p}, true
	case a.Range != "" || a.To != "":
		from, to := a.Addr, a.To
		if a.Range != "" {
			from, to, _ = strings.Cut(a.Range, "-")
		}
		f, err1 := netip.ParseAddr(from)
		t, err2 := netip.ParseAddr(to)
		if err1 != nil || err2 != nil || f.BitLen() != t.BitLen() || t.Less(f) {
			b.errorf(r, "%s-%s is not a valid address range", from, to)
			return AddrSel{}, false
		}
		return AddrSel{From: f, To: t}, true
	}
	ip, err := netip.ParseAddr(a.Addr)
	if err != nil {
		b.errorf(r, "%s is not a valid IP address", a.Addr)
		return AddrSel{}, false
	}
	return AddrSel{Prefix: netip.PrefixFrom(ip, ip.BitLen())}, true
}

// ipsecOpposites are the IPSEC keywords that undo each other.
var ipsecOpposites = map[string]string{"LOGENABLE": "LOGDISABLE", "LOGDISABLE": "LOGENABLE",
	"LOGIMPLICIT": "NOLOGIMPLICIT", "NOLOGIMPLICIT": "LOGIMPLICIT"}

// ipsecExclusive reports an IPSEC keyword coded after its opposite. IBM's
// EZZ0707I says the stack ignores a statement with two mutually exclusive
// keywords, from the module that reads IPSEC among others; which IPSEC
// keywords it checks is not documented, so this is a warning, and tcpipc
// takes the last keyword as it did.
func (b *stackBuilder) ipsecExclusive(opts []*profile.KeywordOption) {
	seen := map[string]bool{}
	for _, o := range opts {
		if opp := ipsecOpposites[o.Value]; opp != "" && seen[opp] {
			d := b.ds.Warnf(RuleValue, b.prof.RangeOf(&o.Node), "IPSEC: %s and %s exclude each other", opp, o.Value)
			d.Detail = "Code one of them. The stack ignores a statement that codes two mutually exclusive keywords (EZZ0707I); for the IPSEC block that would leave the stack without its default filter rules."
			d.IncludedFrom = b.chain
		}
		seen[o.Value] = true
	}
}
