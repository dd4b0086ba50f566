package peercredentials

import (
	_ "embed"
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules/dvipaindex"
)

//go:embed doc.go
var doc string

// Rule is SWSA013.
var Rule = &verify.Rule{
	ID:       "SWSA013",
	Name:     "peer-credentials",
	Severity: diag.Error,
	Summary:  "a remote peer authenticated with a different pre-shared key or identity on a DVIPA's owner and on a backup",
	Doc:      verify.DocOf(doc),
	Requires: []*verify.Rule{dvipaindex.Rule},
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	ix := p.ResultOf[dvipaindex.Rule].(*dvipaindex.Index)
	for _, v := range p.Sysplex.DVIPAs {
		if len(v.Defines) == 0 {
			continue
		}
		owner := v.Defines[0].Stack
		if _, protected := ix.Protected(owner, v.Addr); !protected {
			continue
		}
		want := peerRules(owner, v.Addr)
		for _, b := range v.Backups {
			if b.Stack == owner {
				continue
			}
			got := peerRules(b.Stack, v.Addr)
			for _, peer := range sortedPeers(want) {
				if g, ok := got[peer]; ok {
					compare(p, v.Addr, peer, owner, b.Stack, want[peer], g)
				}
			}
		}
	}
	return nil, nil
}

// peerRules maps each remote peer (its locations as written) to the
// stack's first KeyExchangeRule for it whose local endpoint covers the
// DVIPA: the rule IKE uses for the DVIPA's SAs with that peer.
func peerRules(s *model.Stack, dvipa netip.Addr) map[string]*model.KeyExchangeRule {
	out := map[string]*model.KeyExchangeRule{}
	if s.Policy == nil || s.Policy.KeyExchange == nil {
		return out
	}
	for _, r := range s.Policy.KeyExchange.Rules {
		if r.Remote == nil || !r.Local.Covers(dvipa) {
			continue
		}
		k := peerKey(r.Remote)
		if _, seen := out[k]; !seen {
			out[k] = r
		}
	}
	return out
}

func peerKey(e *model.SecurityEndpoint) string {
	var parts []string
	for _, l := range e.Locations {
		parts = append(parts, l.String())
	}
	return strings.Join(parts, " ")
}

func sortedPeers(m map[string]*model.KeyExchangeRule) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	// Small maps; insertion sort keeps the findings in a stable order.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// compare reports how the backup's rule for a peer authenticates
// differently from the owner's.
func compare(p *verify.Pass, dvipa netip.Addr, peer string, owner, backup *model.Stack, o, b *model.KeyExchangeRule) {
	report := func(what, detail string) {
		d := p.Reportf(b.Range, "%s for peer %s on %s differs from DVIPA %s's owner %s", what, peer, backup.Name, dvipa, owner.Name)
		d.Detail = detail + " After a takeover " + backup.Name + " renegotiates the DVIPA's SAs with the peer, and the peer's authentication fails."
		d.Related = []diag.Related{{Range: o.Range, Message: owner.Name + "'s KeyExchangeRule " + o.Name + " here"}}
	}
	if !model.SameKey(o.SharedKey, b.SharedKey) {
		report("the pre-shared key", "KeyExchangeRule "+b.Name+" on "+backup.Name+" and "+o.Name+" on "+owner.Name+" have different SharedKey values (not shown).")
	}
	if id, other := identity(o.Local), identity(b.Local); id != other {
		report("the local identity", "The DVIPA's identity is "+id+" on "+owner.Name+" but "+other+" on "+backup.Name+".")
	}
	if id, other := identity(o.Remote), identity(b.Remote); id != other {
		report("the identity expected of the peer", "The peer's identity is "+id+" on "+owner.Name+" but "+other+" on "+backup.Name+".")
	}
}

func identity(e *model.SecurityEndpoint) string {
	if e == nil || e.IdentityType == "" {
		return "(none)"
	}
	return e.IdentityType + " " + e.Identity
}
