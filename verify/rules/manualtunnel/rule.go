package manualtunnel

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules/dvipaindex"
)

//go:embed doc.go
var doc string

// Rule is SWSA005.
var Rule = &verify.Rule{
	ID:       "SWSA005",
	Name:     "manual-tunnel",
	Severity: diag.Error,
	Summary:  "a manual tunnel (IpManVpnAction) protects DVIPA traffic; SWSA does not support manual SAs",
	Doc:      verify.DocOf(doc),
	Requires: []*verify.Rule{dvipaindex.Rule},
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	ix := p.ResultOf[dvipaindex.Rule].(*dvipaindex.Index)
	seen := map[*model.FilterRule]bool{}
	for _, v := range p.Sysplex.DVIPAs {
		for _, s := range dvipaindex.Related(p.Sysplex, v) {
			for _, f := range ix.Anchors(s, v.Addr) {
				if f.ManVPN == nil || seen[f] {
					continue
				}
				seen[f] = true
				r := p.Reportf(f.Range, "%s: filter %s protects DVIPA %s with manual tunnel %s", s.Name, f.Name, v.Addr, f.ManVPN.Name)
				r.Detail = "Manual SAs are not sysplex-wide: they are not recovered when the DVIPA moves nor shared with distribution targets. Use an IpDynVpnAction."
				r.Related = []diag.Related{{Range: f.ManVPN.Range, Message: "the manual tunnel"}}
			}
		}
	}
	return nil, nil
}
