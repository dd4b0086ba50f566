package dvlocalfltr

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules/dvipaindex"
)

//go:embed doc.go
var doc string

// Rule is SWSA006.
var Rule = &verify.Rule{
	ID:       "SWSA006",
	Name:     "dvlocalfltr",
	Severity: diag.Error,
	Also:     []diag.Severity{diag.Warning},
	Summary:  "DVLOCALFLTR without DVIPSEC, or policy that leaves local TCP traffic of an IPv4 DVIPA uncovered",
	Doc:      verify.DocOf(doc),
	Requires: []*verify.Rule{dvipaindex.Rule},
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	ix := p.ResultOf[dvipaindex.Rule].(*dvipaindex.Index)
	for _, s := range p.Sysplex.Stacks {
		blk := s.IPSec
		if blk == nil || blk.DVLocalFltr == nil {
			continue
		}
		if blk.DVIPSec == nil {
			p.Reportf(blk.DVLocalFltr.Range, "%s: DVLOCALFLTR is coded without DVIPSEC", s.Name).Detail =
				"DVLOCALFLTR is a sub-parameter of DVIPSEC and has no effect alone; code IPSEC DVIPSEC DVLOCALFLTR."
			continue
		}
		for _, v := range p.Sysplex.DVIPAs {
			if !v.Addr.Is4() || !concerns(p.Sysplex, v, s) {
				continue
			}
			if !coversLocalTCP(ix.Anchors(s, v.Addr)) {
				w := p.Reportf(blk.DVLocalFltr.Range, "%s: with DVLOCALFLTR no filter covers all local TCP traffic of DVIPA %s", s.Name, v.Addr)
				w.Severity = diag.Warning
				w.Detail = "Local TCP traffic of an IPv4 DVIPA that no rule matches is denied. Add a rule with the DVIPA as local address, any remote address, TCP and all ports, routing local or either."
			}
		}
	}
	return nil, nil
}

func concerns(sx *model.Sysplex, v *model.DVIPA, s *model.Stack) bool {
	for _, r := range dvipaindex.Related(sx, v) {
		if r == s {
			return true
		}
	}
	return false
}

// coversLocalTCP reports whether one rule matches every local TCP packet
// with the DVIPA on the local side.
func coversLocalTCP(anchors []*model.FilterRule) bool {
	for _, f := range anchors {
		if f.Dst.All && (f.Protocol == model.AnyProtocol || f.Protocol == 6) && f.SrcPorts.Any() && f.DstPorts.Any() &&
			f.Routing != "ROUTED" && f.Direction == "BIDIRECTIONAL" && f.Connect == "" {
			return true
		}
	}
	return false
}
