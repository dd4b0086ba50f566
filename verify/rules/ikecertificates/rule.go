package ikecertificates

import (
	_ "embed"
	"net/netip"
	"strings"
	"time"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/ike/certid"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

//go:embed doc.go
var doc string

// now is the time lint checks certificate validity at; tests move it.
var now = time.Now

// Rule is IKE001.
var Rule = &verify.Rule{
	ID:       "IKE001",
	Name:     "ike-certificates",
	Severity: diag.Error,
	Also:     []diag.Severity{diag.Warning}, // a key file others can read
	Summary:  "IKE signs with a certificate that is missing, broken, or does not carry the identity peers expect",
	Doc:      verify.DocOf(doc),
	Run:      run,
}

func run(p *verify.Pass) (any, error) {
	if !anyKeyRing(p.Sysplex) {
		return nil, nil // certificates not mapped: nothing to check them against
	}
	for _, s := range p.Sysplex.Stacks {
		if s.KeyRing != nil {
			for _, pr := range s.KeyRing.Problems {
				d := p.Reportf(pr.At, "%s: %s", s.Name, pr.Text)
				if pr.Warning {
					d.Severity = diag.Warning
				}
			}
		}
		checkValidity(p, s)
		for _, r := range signingRules(s) {
			checkLocal(p, s, r)
		}
	}
	for _, v := range p.Sysplex.DVIPAs {
		checkHolders(p, v)
	}
	return nil, nil
}

func anyKeyRing(sx *model.Sysplex) bool {
	for _, s := range sx.Stacks {
		if s.Entry != nil && len(s.Entry.KeyRings) > 0 {
			return true
		}
	}
	return false
}

// signs reports whether a rule authenticates us with a certificate.
func signs(r *model.KeyExchangeRule) bool {
	if r.Action == nil {
		return false
	}
	switch r.Action.HowToAuthMe {
	case "DIGITALSIGNATURE", "RSASIGNATURE", "ECDSA-256", "ECDSA-384", "ECDSA-521":
		return true
	}
	return false
}

func signingRules(s *model.Stack) []*model.KeyExchangeRule {
	var out []*model.KeyExchangeRule
	if s.Policy == nil || s.Policy.KeyExchange == nil {
		return nil
	}
	for _, r := range s.Policy.KeyExchange.Rules {
		if signs(r) {
			out = append(out, r)
		}
	}
	return out
}

// checkLocal reports a signing rule whose stack cannot present its local
// identity.
func checkLocal(p *verify.Pass, s *model.Stack, r *model.KeyExchangeRule) {
	switch {
	case s.KeyRing == nil:
		d := p.Reportf(r.Range, "%s: KeyExchangeRule %s signs with %s but the manifest maps no key ring for %s", s.Name, r.Name, r.Action.HowToAuthMe, s.Name)
		d.Detail = "Add keyrings: {" + ringName(s) + ": {cert: …, key: …, ca: …}} to stack " + s.Name + " in sysplex.yaml."
	case s.KeyRing.Leaf() == nil:
		// The file problem is reported at the manifest.
	case !carries(s.KeyRing, r.Local):
		d := p.Reportf(r.Range, "%s: KeyExchangeRule %s signs as %s, which certificate %s of key ring %s does not carry",
			s.Name, r.Name, identity(r.Local), s.KeyRing.Leaf().Subject, s.KeyRing.Files.Name)
		d.Detail = "The peer refuses a signature whose certificate does not carry the identity sent. The certificate carries: " +
			strings.Join(certid.Names(s.KeyRing.Leaf()), "; ") + "."
		d.Related = []diag.Related{{Range: s.KeyRing.Files.Ranges["cert"], Message: "the certificate file"}}
	}
}

// checkHolders reports a backup of a DVIPA that cannot present the
// identity the owner signs as for a peer (seed 003: the new holder
// re-authenticates in the DVIPA's name after a takeover).
func checkHolders(p *verify.Pass, v *model.DVIPA) {
	if len(v.Defines) == 0 {
		return
	}
	owner := v.Defines[0].Stack
	for _, o := range signingRules(owner) {
		if !o.Local.Covers(v.Addr) || o.Remote == nil {
			continue
		}
		for _, b := range v.Backups {
			if b.Stack == owner {
				continue
			}
			r := ruleFor(b.Stack, v.Addr, o.Remote)
			if r == nil || !signs(r) {
				continue // peer-credentials and ikedcoverage cover a missing or PSK rule
			}
			if b.Stack.KeyRing == nil || b.Stack.KeyRing.Leaf() == nil || carries(b.Stack.KeyRing, o.Local) {
				continue // no ring: reported by checkLocal
			}
			d := p.Reportf(r.Range, "%s cannot present %s, the identity peers of DVIPA %s expect from its owner %s: its certificate does not carry it",
				b.Stack.Name, identity(o.Local), v.Addr, owner.Name)
			d.Detail = "After a takeover " + b.Stack.Name + " renegotiates the DVIPA's SAs in its name and the peers refuse the signature. " +
				"Give " + b.Stack.Name + " a certificate carrying " + identity(o.Local) + "."
			d.Related = []diag.Related{{Range: o.Range, Message: owner.Name + "'s KeyExchangeRule " + o.Name + " here"}}
		}
	}
}

// ruleFor is the stack's first key exchange rule for the DVIPA and the
// same remote locations.
func ruleFor(s *model.Stack, dvipa netip.Addr, remote *model.SecurityEndpoint) *model.KeyExchangeRule {
	if s.Policy == nil || s.Policy.KeyExchange == nil {
		return nil
	}
	for _, r := range s.Policy.KeyExchange.Rules {
		if r.Remote != nil && r.Local.Covers(dvipa) && locations(r.Remote) == locations(remote) {
			return r
		}
	}
	return nil
}

func locations(e *model.SecurityEndpoint) string {
	var parts []string
	for _, l := range e.Locations {
		parts = append(parts, l.String())
	}
	return strings.Join(parts, " ")
}

func carries(k *model.KeyRing, e *model.SecurityEndpoint) bool {
	if e == nil || e.IdentityType == "" {
		return false
	}
	t, data, err := certid.FromPolicy(e.IdentityType, e.Identity)
	return err == nil && certid.Carries(k.Leaf(), t, data)
}

func identity(e *model.SecurityEndpoint) string {
	if e == nil || e.IdentityType == "" {
		return "no identity"
	}
	return e.IdentityType + " " + e.Identity
}

func ringName(s *model.Stack) string {
	if s.Iked != nil && s.Iked.Params["KeyRing"] != "" {
		return strings.ToUpper(s.Iked.Params["KeyRing"])
	}
	return "USERID/RING"
}
