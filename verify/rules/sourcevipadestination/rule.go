package sourcevipadestination

import (
	_ "embed"
	"net/netip"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is SWSA007.
var Rule = &verify.Rule{
	ID:       "SWSA007",
	Name:     "source-vipa-destination",
	Severity: diag.Warning,
	Summary:  "a DVIPA that can be a destination is coded as TCPSTACKSOURCEVIPA or a SRCIP source with DVIPSEC",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	for _, s := range p.Sysplex.Stacks {
		if s.IPSec == nil || s.IPSec.DVIPSec == nil {
			continue
		}
		check := func(a model.Addr, what string) {
			if v := destination(p.Sysplex, a.Addr); v != nil {
				d := p.Reportf(a.Range, "%s: %s %s is a dynamic VIPA that can be a destination", s.Name, what, a.Addr)
				d.Detail = "With DVIPSEC a security association cannot be negotiated when source and destination are the same DVIPA. Use another source address."
			}
		}
		if s.TCPStackSourceVIPA != nil {
			check(*s.TCPStackSourceVIPA, "TCPSTACKSOURCEVIPA")
		}
		for _, e := range s.SrcIP {
			check(e.Source, "SRCIP source")
		}
	}
	return nil, nil
}

// destination returns the DVIPA a when some stack defines, backs up or
// distributes it, or when it falls in a VIPARANGE.
func destination(sx *model.Sysplex, a netip.Addr) *model.DVIPA {
	if v := sx.DVIPA(a); v != nil {
		return v
	}
	for _, s := range sx.Stacks {
		for _, r := range s.VIPA.Ranges {
			if r.Prefix.Contains(a) {
				return &model.DVIPA{Addr: a}
			}
		}
	}
	return nil
}
