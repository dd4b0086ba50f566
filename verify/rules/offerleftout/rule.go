package offerleftout

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is IPSEC006.
var Rule = &verify.Rule{
	ID:       "IPSEC006",
	Name:     "offer-left-out",
	Severity: diag.Warning,
	Summary:  "an IPsec or IKE offer the plan leaves out (an algorithm tcpipc refuses or IKEv2 cannot carry)",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

const fix = "The plan leaves this out, as compile's COMPILE warning says; the runtime never proposes or accepts it. " +
	"Offer AES_CBC or AES_GCM_16 with HMAC_SHA2 integrity and PRF and DH group 14, 19 or 20."

// reporter reports each finding once: a common policy file is read by
// several stacks, and its objects are built for each.
type reporter struct {
	p    *verify.Pass
	seen map[string]bool
}

// once reports a finding about the object at a unless one was reported
// there already for the same kind of problem (an offer shared by two
// actions is named with the first).
func (r *reporter) once(at diag.Range, kind string, format string, args ...any) *diag.Diagnostic {
	key := at.String() + "\x00" + kind
	if r.seen[key] {
		return &diag.Diagnostic{Range: at} // not reported
	}
	r.seen[key] = true
	return r.p.Reportf(at, format, args...)
}

func run(p *verify.Pass) (any, error) {
	r := &reporter{p: p, seen: map[string]bool{}}
	for _, s := range p.Sysplex.Stacks {
		if s.Policy == nil {
			continue
		}
		for _, f := range s.Policy.FilterRules {
			if f.DynVPN != nil {
				r.dynVpn(f.DynVPN, f.Name)
			}
		}
		if kp := s.Policy.KeyExchange; kp != nil {
			for _, k := range kp.Rules {
				if k.Action != nil {
					r.keyExchange(k.Action, k.Name)
				}
			}
		}
	}
	return nil, nil
}

// dynVpn reports the refused PFS group and data offers of an action of
// filter rule rule.
func (r *reporter) dynVpn(a *model.DynVpnAction, rule string) {
	act, of := actionNames("IpDynVpnAction", a.Name, a.Inline, "IpFilterRule", rule)
	pfs, ok, why := model.PFSGroup(a.InitiateWithPfs)
	if why != "" {
		r.once(a.Range, "pfs", "InitiateWithPfs %s of %s is left out of the plan: %s", a.InitiateWithPfs, act, why).Detail = fix
	}
	var with *model.Transform
	if ok {
		with = &pfs
	}
	left := 0
	for _, o := range a.Offers {
		if _, _, why := model.ChildProposal(o, with); why != "" {
			left++
			r.once(o.Range, "offer", "IpDataOffer %s of %s is left out of the plan: %s", o.Name, of, why).Detail = fix
		}
	}
	if left > 0 && left == len(a.Offers) {
		r.once(a.Range, "all", "every offer of %s is left out of the plan", act).Detail =
			"With no offer left the runtime can never bring up an SA for the traffic this action protects, " +
				"and whatif reports such a DVIPA's SAs as lost. " + fix
	}
}

// keyExchange reports the refused offers of a KeyExchangeAction of key
// exchange rule rule.
func (r *reporter) keyExchange(a *model.KeyExchangeAction, rule string) {
	act, of := actionNames("KeyExchangeAction", a.Name, a.Inline, "KeyExchangeRule", rule)
	left := 0
	for _, o := range a.Offers {
		if _, why := model.IKEProposal(o, a.IKEv2()); why != "" {
			left++
			r.once(o.Range, "offer", "KeyExchangeOffer %s of %s is left out of the plan: %s", o.Name, of, why).Detail = fix
		}
	}
	if left > 0 && left == len(a.Offers) {
		r.once(a.Range, "all", "every offer of %s is left out of the plan", act).Detail =
			"With no offer left the runtime's IKE daemon can never bring up an IKE SA with this action. " + fix
	}
}

// actionNames names an action in findings: "IpDynVpnAction vpn" and, after
// "offer … of", "vpn"; an action written inline has no name and is named
// by the rule it is written in.
func actionNames(typ, name string, inline bool, ruleType, rule string) (act, of string) {
	if inline {
		act = "the inline " + typ + " of " + ruleType + " " + rule
		return act, act
	}
	return typ + " " + name, name
}
