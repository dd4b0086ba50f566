package releasemix

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules/ikedcoverage"
)

//go:embed doc.go
var doc string

// Rule is SWSA011.
var Rule = &verify.Rule{
	ID:       "SWSA011",
	Name:     "release-mix",
	Severity: diag.Warning,
	Also:     []diag.Severity{diag.Error},
	Summary:  "a backup below V1R13 for a DVIPA with IKEv2 tunnels",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	for _, v := range p.Sysplex.DVIPAs {
		var ikev2 *model.KeyExchangeRule
		for _, d := range v.Defines {
			if r := ikedcoverage.KeyRuleFor(d.Stack, v.Addr); r != nil && r.Action.IKEv2() {
				ikev2 = r
				break
			}
		}
		if ikev2 == nil {
			continue
		}
		for _, b := range v.Backups {
			rel := b.Stack.Release
			if !rel.Known() || !rel.Before(model.V1R13) {
				continue
			}
			own := ikedcoverage.KeyRuleFor(b.Stack, v.Addr)
			if own != nil && own.Action.IKEv2() {
				d := p.Reportf(own.Action.Range, "%s (%s) backs up %s with HowToInitiate IKEv2: takeover of its IKEv2 tunnels fails", b.Stack.Name, rel, v.Addr)
				d.Severity = diag.Error
				d.Detail = "Below V1R13 a backup cannot renegotiate IKEv2 SWSA tunnels; with HowToInitiate IKEv2 the takeover fails. Use Main or Aggressive on this stack, or upgrade it."
				continue
			}
			d := p.Reportf(b.Addr.Range, "%s (%s) backs up %s, whose tunnels use IKEv2: it recovers them as IKEv1", b.Stack.Name, rel, v.Addr)
			d.Detail = "A backup below V1R13 renegotiates IKEv2 tunnels as IKEv1 for the life of the SA, without IKEv2-only attributes. Upgrade the backup to V1R13 or later."
			d.Related = []diag.Related{{Range: ikev2.Range, Message: "the owner's IKEv2 key exchange rule"}}
		}
	}
	return nil, nil
}
