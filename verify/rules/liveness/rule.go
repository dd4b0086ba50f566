package liveness

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules/ikedcoverage"
)

//go:embed doc.go
var doc string

// Rule is SWSA012.
var Rule = &verify.Rule{
	ID:       "SWSA012",
	Name:     "liveness",
	Severity: diag.Warning,
	Summary:  "IKEv2 key exchange policy without LivenessInterval on a stack owning or backing up a DVIPA",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	reported := map[*model.Stack]bool{}
	check := func(s *model.Stack, v *model.DVIPA) {
		r := ikedcoverage.KeyRuleFor(s, v.Addr)
		if r == nil || !r.Action.IKEv2() || reported[s] {
			return
		}
		kp := s.Policy.KeyExchange
		if kp.LivenessInterval != nil && *kp.LivenessInterval > 0 {
			return
		}
		reported[s] = true
		d := p.Reportf(kp.Range, "%s negotiates IKEv2 for DVIPA %s but its KeyExchangePolicy has no LivenessInterval", s.Name, v.Addr)
		d.Detail = "After a takeover the peer keeps the old IKEv2 SA until liveness checking removes it. Add LivenessInterval (seconds) to KeyExchangePolicy."
		d.Related = []diag.Related{{Range: r.Range, Message: "IKEv2 key exchange rule for the DVIPA"}}
	}
	for _, v := range p.Sysplex.DVIPAs {
		for _, d := range v.Defines {
			check(d.Stack, v)
		}
		for _, b := range v.Backups {
			check(b.Stack, v)
		}
	}
	return nil, nil
}
