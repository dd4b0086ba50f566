package sagranularity

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules/dvipaindex"
)

//go:embed doc.go
var doc string

// Rule is SWSA003.
var Rule = &verify.Rule{
	ID:       "SWSA003",
	Name:     "sa-granularity",
	Severity: diag.Warning,
	Summary:  "a dynamic SA for DVIPA traffic takes a subnet or range as its local address (not sysplex-wide)",
	Doc:      verify.DocOf(doc),
	Requires: []*verify.Rule{dvipaindex.Rule},
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	ix := p.ResultOf[dvipaindex.Rule].(*dvipaindex.Index)
	for _, v := range p.Sysplex.DVIPAs {
		for _, s := range dvipaindex.Related(p.Sysplex, v) {
			for _, f := range ix.Anchors(s, v.Addr) {
				if f.DynVPN == nil || f.Local().All || f.Local().IsHost() || f.LocalIPGranularity != "RULE" {
					continue
				}
				r := p.Reportf(f.Range, "%s: filter %s gives DVIPA %s a dynamic SA for all of %s", s.Name, f.Name, v.Addr, f.Local())
				r.Detail = "Its IpLocalStartAction takes the SA's local address from the rule (LocalIpGranularity Rule), so the SA is coarser than the host and is not a Sysplex-Wide SA: it is not recovered on takeover. Give the DVIPA its own rule, or use LocalIpGranularity Packet."
			}
		}
	}
	return nil, nil
}
