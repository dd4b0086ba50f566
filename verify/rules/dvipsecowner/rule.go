package dvipsecowner

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules/dvipaindex"
)

//go:embed doc.go
var doc string

// Rule is SWSA001.
var Rule = &verify.Rule{
	ID:       "SWSA001",
	Name:     "dvipsec-owner",
	Severity: diag.Error,
	Summary:  "DVIPSEC missing on the owner of a DVIPA that IPsec policy protects",
	Doc:      verify.DocOf(doc),
	Requires: []*verify.Rule{dvipaindex.Rule},
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	ix := p.ResultOf[dvipaindex.Rule].(*dvipaindex.Index)
	for _, v := range p.Sysplex.DVIPAs {
		for _, d := range v.Defines {
			s := d.Stack
			f, ok := ix.Protected(s, v.Addr)
			if !ok || s.DVIPSec() {
				continue
			}
			r := p.Reportf(d.Addr.Range, "%s owns %s, which IPsec protects, but does not code IPSEC DVIPSEC", s.Name, v.Addr)
			r.Detail = "Without DVIPSEC the owner's SAs are not recorded in the coupling facility: they cannot be recovered on takeover or shared with distribution targets. Add DVIPSEC to the IPSEC statement of the initial profile."
			r.Related = []diag.Related{{Range: f.Range, Message: "filter " + f.Name + " protects the DVIPA with IPsec"}}
		}
	}
	return nil, nil
}
