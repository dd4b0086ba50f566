package cfstructure

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is SWSA009.
var Rule = &verify.Rule{
	ID:       "SWSA009",
	Name:     "cf-structure",
	Severity: diag.Error,
	Summary:  "stacks sharing DVIPAs in different XCF groups, or SWSA/SYSPLEXPORTS structures missing from the CFRM list",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	sx := p.Sysplex
	for _, v := range sx.DVIPAs {
		members := stacksOf(sx, v)
		if len(members) < 2 {
			continue
		}
		first := members[0]
		for _, s := range members[1:] {
			if s.Groups.XCFGroup != first.Groups.XCFGroup {
				d := p.Reportf(groupRange(s), "%s joins XCF group %s but shares DVIPA %s with %s in group %s",
					s.Name, s.Groups.XCFGroup, v.Addr, first.Name, first.Groups.XCFGroup)
				d.Detail = "Stacks in different groups never see each other: takeover and distribution between them cannot happen. Code the same GLOBALCONFIG XCFGRPID."
				d.Related = []diag.Related{{Range: groupRange(first), Message: first.Name + " joins " + first.Groups.XCFGroup}}
			}
		}
	}
	m := sx.Manifest
	if m == nil || !m.CFRMGiven {
		return nil, nil
	}
	defined := map[string]bool{}
	for _, s := range m.CFRM {
		defined[s] = true
	}
	for _, s := range sx.Stacks {
		if s.IPSec != nil && s.IPSec.DVIPSec != nil && !defined[s.Groups.SWSA] {
			d := p.Reportf(s.IPSec.DVIPSec.Range, "%s uses DVIPSEC but CF structure %s is not in the CFRM policy", s.Name, s.Groups.SWSA)
			d.Related = []diag.Related{{Range: m.CFRMRange, Message: "structures listed in the manifest"}}
		}
		for _, dist := range s.VIPA.Distributes {
			if dist.SysplexPorts && !defined[s.Groups.SysplexPorts] {
				d := p.Reportf(dist.Options["SYSPLEXPORTS"], "%s uses SYSPLEXPORTS but CF structure %s is not in the CFRM policy", s.Name, s.Groups.SysplexPorts)
				d.Related = []diag.Related{{Range: m.CFRMRange, Message: "structures listed in the manifest"}}
			}
		}
	}
	return nil, nil
}

// stacksOf lists the stacks that own, back up, distribute or are targets of
// a DVIPA, in manifest order, each once.
func stacksOf(sx *model.Sysplex, v *model.DVIPA) []*model.Stack {
	in := map[*model.Stack]bool{}
	for _, d := range v.Defines {
		in[d.Stack] = true
	}
	for _, b := range v.Backups {
		in[b.Stack] = true
	}
	for _, d := range v.Distributes {
		in[d.Stack] = true
		for _, dest := range d.Dests {
			if dest.Stack != nil {
				in[dest.Stack] = true
			}
		}
	}
	var out []*model.Stack
	for _, s := range sx.Stacks {
		if in[s] {
			out = append(out, s)
		}
	}
	return out
}

func groupRange(s *model.Stack) diag.Range {
	if s.XCFGrpIDRange.IsZero() && s.Profile != nil {
		return diag.Range{File: s.Profile.Main, Start: diag.Pos{Line: 1, Column: 1}, End: diag.Pos{Line: 1, Column: 1}}
	}
	return s.XCFGrpIDRange
}
