package vipaaddress

import (
	_ "embed"
	"net/netip"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is DVIPA004.
var Rule = &verify.Rule{
	ID:       "DVIPA004",
	Name:     "vipa-address",
	Severity: diag.Error,
	Summary:  "DVIPA outside its statement's subnet, equal to its network address, or overlapping a HOME or XCF address",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

type fixed struct {
	stack, what string
	r           diag.Range
}

func run(p *verify.Pass) (any, error) {
	taken := map[netip.Addr]fixed{}
	for _, s := range p.Sysplex.Stacks {
		for _, h := range s.Home {
			taken[h.Addr.Addr] = fixed{s.Name, "HOME address (link " + h.Link + ")", h.Addr.Range}
		}
		for _, x := range s.DynamicXCF {
			taken[x.Addr.Addr] = fixed{s.Name, "dynamic XCF address", x.Addr.Range}
		}
	}
	for _, s := range p.Sysplex.Stacks {
		var first *model.VIPADefine
		for _, d := range s.VIPA.Defines {
			if d.Mask == nil {
				continue
			}
			subnet := netip.PrefixFrom(d.Addr.Addr, d.PrefixLen).Masked()
			if first != nil && first.Statement == d.Statement {
				if want := netip.PrefixFrom(first.Addr.Addr, first.PrefixLen).Masked(); want != subnet {
					r := p.Reportf(d.Addr.Range, "%s is not in subnet %s of the other addresses of this VIPADEFINE", d.Addr.Addr, want)
					r.Detail = "All addresses of one VIPADEFINE share its mask and must be in one subnet; put this one in a VIPADEFINE of its own."
				}
			} else {
				first = d
			}
			// Not the broadcast address: IBM's own sysplex distributor
			// example (V2R1 IP Configuration Guide, "vipa_dyn_dist_cfg_xmp")
			// defines 201.2.10.15 with mask 255.255.255.240, and the
			// Netstat VIPADCFG output of the same setup (V2R2,
			// "vipa_verify_netstat") shows it defined: the stack takes it.
			if d.PrefixLen < 31 && d.Addr.Addr.Is4() && d.Addr.Addr == subnet.Addr() {
				p.Reportf(d.Addr.Range, "DVIPA %s is the network address of its subnet %s", d.Addr.Addr, subnet)
			}
		}
	}
	for _, v := range p.Sysplex.DVIPAs {
		f, ok := taken[v.Addr]
		if !ok {
			continue
		}
		for _, r := range claims(v) {
			d := p.Reportf(r.rng, "DVIPA %s on %s is also the %s of %s", v.Addr, r.stack, f.what, f.stack)
			d.Detail = "A dynamic VIPA must not be any stack's fixed address; choose another address."
			d.Related = []diag.Related{{Range: f.r, Message: "fixed address here"}}
		}
	}
	return nil, nil
}

type claim struct {
	stack string
	rng   diag.Range
}

func claims(v *model.DVIPA) []claim {
	var out []claim
	for _, d := range v.Defines {
		out = append(out, claim{d.Stack.Name, d.Addr.Range})
	}
	for _, b := range v.Backups {
		out = append(out, claim{b.Stack.Name, b.Addr.Range})
	}
	return out
}
