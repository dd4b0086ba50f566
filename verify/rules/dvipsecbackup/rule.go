package dvipsecbackup

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules/dvipaindex"
)

//go:embed doc.go
var doc string

// Rule is SWSA002.
var Rule = &verify.Rule{
	ID:       "SWSA002",
	Name:     "dvipsec-backup",
	Severity: diag.Error,
	Summary:  "DVIPSEC missing on a backup of a DVIPA that IPsec policy protects",
	Doc:      verify.DocOf(doc),
	Requires: []*verify.Rule{dvipaindex.Rule},
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	ix := p.ResultOf[dvipaindex.Rule].(*dvipaindex.Index)
	for _, v := range p.Sysplex.DVIPAs {
		var protector *diag.Related
		for _, d := range v.Defines {
			if f, ok := ix.Protected(d.Stack, v.Addr); ok {
				protector = &diag.Related{Range: f.Range, Message: d.Stack.Name + " protects the DVIPA with filter " + f.Name}
				break
			}
		}
		if protector == nil {
			continue
		}
		for _, b := range v.Backups {
			if b.Stack.DVIPSec() {
				continue
			}
			r := p.Reportf(b.Addr.Range, "%s backs up %s, which IPsec protects, but does not code IPSEC DVIPSEC", b.Stack.Name, v.Addr)
			r.Detail = "On takeover this stack cannot re-establish the SAs from the coupling facility. Add DVIPSEC to its IPSEC statement."
			if b.Stack.IPSec != nil && b.Stack.IPSec.DVIPSec != nil {
				r = ineffective(p, b.Addr.Range, b.Stack.Name, v.Addr.String(), r)
			}
			r.Related = []diag.Related{*protector}
		}
	}
	return nil, nil
}

// ineffective rewords r for a backup that codes DVIPSEC without IPCONFIG
// IPSECURITY, which z/OS needs to read the IPSEC statement at all.
func ineffective(p *verify.Pass, at diag.Range, stack, addr string, r *diag.Diagnostic) *diag.Diagnostic {
	r.Summary = stack + " backs up " + addr + ", which IPsec protects, and codes IPSEC DVIPSEC without IPCONFIG IPSECURITY, which leaves it without effect"
	r.Detail = "z/OS ignores the IPSEC statement unless IPCONFIG IPSECURITY is coded: on takeover this stack can neither re-establish the SAs from the coupling facility nor apply the policy. Add IPSECURITY to its IPCONFIG statement."
	return r
}
