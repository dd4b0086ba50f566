package ikedcoverage

import (
	_ "embed"
	"net/netip"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules/dvipaindex"
)

//go:embed doc.go
var doc string

// Rule is SWSA008.
var Rule = &verify.Rule{
	ID:       "SWSA008",
	Name:     "iked-coverage",
	Severity: diag.Error,
	Summary:  "no IKED configuration, or no key exchange rule covering the DVIPA, on the owner or a backup of an IPsec-protected DVIPA",
	Doc:      verify.DocOf(doc),
	Requires: []*verify.Rule{dvipaindex.Rule},
	Run:      run,
}

// KeyRuleFor returns the first key exchange rule of a stack whose local
// endpoint covers a, or nil.
func KeyRuleFor(s *model.Stack, a netip.Addr) *model.KeyExchangeRule {
	if s.Policy == nil || s.Policy.KeyExchange == nil {
		return nil
	}
	for _, r := range s.Policy.KeyExchange.Rules {
		if r.Local.Covers(a) {
			return r
		}
	}
	return nil
}

func run(p *verify.Pass) (any, error) {
	ix := p.ResultOf[dvipaindex.Rule].(*dvipaindex.Index)
	for _, v := range p.Sysplex.DVIPAs {
		if len(v.Defines) == 0 {
			continue
		}
		f, protected := ix.Protected(v.Defines[0].Stack, v.Addr)
		if !protected {
			continue
		}
		type role struct {
			s    *model.Stack
			what string
			at   diag.Range
		}
		var roles []role
		for _, d := range v.Defines {
			roles = append(roles, role{d.Stack, "owner", d.Addr.Range})
		}
		for _, b := range v.Backups {
			roles = append(roles, role{b.Stack, "backup", b.Addr.Range})
		}
		for _, r := range roles {
			switch {
			case r.s.Iked == nil:
				d := p.Reportf(r.at, "%s, %s of IPsec-protected %s, has no IKED configuration", r.s.Name, r.what, v.Addr)
				d.Detail = "IKED must run on the owner and every backup of the DVIPA to negotiate (and on takeover renegotiate) its SAs. Give the stack an iked.conf in sysplex.yaml."
				d.Related = []diag.Related{{Range: f.Range, Message: "filter " + f.Name + " protects the DVIPA"}}
			case KeyRuleFor(r.s, v.Addr) == nil:
				d := p.Reportf(r.at, "%s, %s of IPsec-protected %s, has no key exchange rule whose local endpoint covers it", r.s.Name, r.what, v.Addr)
				d.Detail = "Add a KeyExchangeRule whose LocalSecurityEndpoint Location includes the DVIPA to this stack's KeyExchangePolicy."
				d.Related = []diag.Related{{Range: f.Range, Message: "filter " + f.Name + " protects the DVIPA"}}
			}
		}
	}
	return nil, nil
}
