package keyexchangeagreement

import (
	"crypto/subtle"
	_ "embed"
	"net/netip"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is IPSEC005.
var Rule = &verify.Rule{
	ID:       "IPSEC005",
	Name:     "key-exchange-agreement",
	Severity: diag.Error,
	Summary:  "two stacks' key exchange rules for each other share no offer or no pre-shared key",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

type keyRule struct {
	s *model.Stack
	r *model.KeyExchangeRule
}

func run(p *verify.Pass) (any, error) {
	var all []keyRule
	for _, s := range p.Sysplex.Stacks {
		if s.Policy != nil && s.Policy.KeyExchange != nil {
			for _, r := range s.Policy.KeyExchange.Rules {
				if r.Local != nil && r.Remote != nil && r.Action != nil {
					all = append(all, keyRule{s, r})
				}
			}
		}
	}
	// Rules between stacks are few; each pair is looked at once.
	for i, a := range all {
		for _, b := range all[i+1:] {
			if a.s == b.s || !peers(a.r, b.r) {
				continue
			}
			if !shareOffer(a.r.Action, b.r.Action) {
				d := p.Reportf(a.r.Range, "key exchange rules %s (%s) and %s (%s) are peers but share no KeyExchangeOffer", a.r.Name, a.s.Name, b.r.Name, b.s.Name)
				d.Detail = "IKE between the two stacks fails with NO_PROPOSAL_CHOSEN. Give both actions an offer with the same encryption, key length, integrity, PRF and DH group."
				d.Related = []diag.Related{{Range: b.r.Range, Message: "the peer's rule"}}
			}
			if a.r.Action.HowToAuthMe == "PRESHAREDKEY" && b.r.Action.HowToAuthMe == "PRESHAREDKEY" &&
				a.r.SharedKey.Present() && b.r.SharedKey.Present() &&
				subtle.ConstantTimeCompare([]byte(a.r.SharedKey.Reveal()), []byte(b.r.SharedKey.Reveal())) != 1 {
				d := p.Reportf(a.r.Range, "key exchange rules %s (%s) and %s (%s) are peers with different pre-shared keys", a.r.Name, a.s.Name, b.r.Name, b.s.Name)
				d.Detail = "Authentication between the two stacks fails. Give both rules the same SharedKey (the keys are not shown)."
				d.Related = []diag.Related{{Range: b.r.Range, Message: "the peer's rule"}}
			}
		}
	}
	return nil, nil
}

// peers reports whether each rule's remote endpoint covers the other's
// local endpoint.
func peers(a, b *model.KeyExchangeRule) bool {
	return coversSome(a.Remote, b.Local) && coversSome(b.Remote, a.Local)
}

func coversSome(remote, local *model.SecurityEndpoint) bool {
	for _, l := range local.Locations {
		for _, a := range sample(l) {
			if remote.Covers(a) {
				return true
			}
		}
	}
	return false
}

// sample returns addresses a selector certainly contains.
func sample(s model.AddrSel) []netip.Addr {
	switch {
	case s.All:
		return nil
	case s.IsRange():
		return []netip.Addr{s.From, s.To}
	case s.Prefix.IsValid():
		return []netip.Addr{s.Prefix.Masked().Addr()}
	}
	return nil
}

// shareOffer reports whether two actions have an offer in common.
func shareOffer(a, b *model.KeyExchangeAction) bool {
	if len(a.Offers) == 0 || len(b.Offers) == 0 {
		return true // IBM's defaults on both sides
	}
	for _, x := range a.Offers {
		for _, y := range b.Offers {
			if x.HowToEncrypt == y.HowToEncrypt && x.KeyLength == y.KeyLength &&
				x.HowToVerifyMsgs == y.HowToVerifyMsgs && x.HowToAuthMsgs == y.HowToAuthMsgs &&
				x.PseudoRandomFunction == y.PseudoRandomFunction && x.DHGroup == y.DHGroup {
				return true
			}
		}
	}
	return false
}
