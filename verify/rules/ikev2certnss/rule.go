package ikev2certnss

import (
	_ "embed"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// Rule is SWSA010.
var Rule = &verify.Rule{
	ID:       "SWSA010",
	Name:     "ikev2-cert-nss",
	Severity: diag.Error,
	Summary:  "IKEv2 with certificate authentication without NSS (NetworkSecurityServer and NssStackConfig ServiceType Cert)",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	for _, s := range p.Sysplex.Stacks {
		if s.Policy == nil || s.Policy.KeyExchange == nil {
			continue
		}
		for _, r := range s.Policy.KeyExchange.Rules {
			a := r.Action
			if !a.IKEv2() || !certificate(a.HowToAuthMe) {
				continue
			}
			if missing := nssMissing(s); missing != "" {
				d := p.Reportf(a.Range, "%s: key exchange rule %s uses IKEv2 with %s but %s", s.Name, r.Name, a.HowToAuthMe, missing)
				d.Detail = "IKED does IKEv2 certificate operations only through the network security server: configure NetworkSecurityServer and NssStackConfig with ServiceType Cert, or use a pre-shared key."
			}
		}
	}
	return nil, nil
}

func certificate(how string) bool {
	switch how {
	case "DIGITALSIGNATURE", "RSASIGNATURE", "ECDSA-256", "ECDSA-384", "ECDSA-521":
		return true
	}
	return false
}

// nssMissing says what of the NSS configuration a stack lacks ("" if
// nothing).
func nssMissing(s *model.Stack) string {
	switch {
	case s.Iked == nil:
		return "the stack has no IKED configuration"
	case s.Iked.NetworkSecurityServer == "":
		return "iked.conf has no NetworkSecurityServer"
	}
	for _, name := range []string{s.Job, s.Name} {
		for _, t := range s.Iked.NssStacks[name] {
			if t == "CERT" {
				return ""
			}
		}
	}
	return "iked.conf has no NssStackConfig " + s.Job + " with ServiceType Cert"
}
