package compile

import (
	"encoding/hex"

	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/plan"
)

// ikeProposal turns a KeyExchangeOffer into an IKE SA proposal; the
// mapping lives in the model so that lint reports the same offers left out.
func (c *compiler) ikeProposal(o *model.KeyExchangeOffer, v2 bool) (plan.Proposal, string) {
	ts, why := model.IKEProposal(o, v2)
	return plan.Proposal{Protocol: "IKE", LifetimeSeconds: o.LifetimeProposed * 60, Offer: o.Name, Transforms: transforms(ts)}, why
}

// childProposal turns an IpDataOffer into an ESP or AH proposal.
func childProposal(o *model.DataOffer, pfs *plan.Transform, mode string) (plan.Proposal, string) {
	var mpfs *model.Transform
	if pfs != nil {
		t := model.Transform(*pfs)
		mpfs = &t
	}
	protocol, ts, why := model.ChildProposal(o, mpfs)
	return plan.Proposal{Protocol: protocol, Mode: mode, LifetimeSeconds: o.LifetimeProposed * 60, Offer: o.Name, Transforms: transforms(ts)}, why
}

// transforms copies the model's transforms into the plan's.
func transforms(ts []model.Transform) []plan.Transform {
	out := make([]plan.Transform, 0, len(ts))
	for _, t := range ts {
		out = append(out, plan.Transform(t))
	}
	return out
}

func (c *compiler) vpnAction(a *model.DynVpnAction) plan.VPNAction {
	out := plan.VPNAction{Name: a.Name, Initiation: a.Initiation, LifetimeSeconds: a.VpnLifeMinutes * 60, Proposals: []plan.Proposal{}}
	if dh, ok, why := model.PFSGroup(a.InitiateWithPfs); ok {
		t := plan.Transform(dh)
		out.PFS = &t
	} else if why != "" {
		g := a.InitiateWithPfs
		c.warn(a.Range, "IpDynVpnAction %s: InitiateWithPfs %s left out: %s", a.Name, g, why)
		out.Refused = append(out.Refused, plan.Refused{Offer: "InitiateWithPfs " + g, Reason: why})
	}
	mode := a.HowToEncapIKEv2
	for _, o := range a.Offers {
		m := mode
		if m == "" {
			m = o.Encap
		}
		p, why := childProposal(o, out.PFS, m)
		if why != "" {
			name := o.Name
			c.warn(o.Range, "IpDataOffer %s of %s cannot be expressed as IKEv2 transforms: %s", name, a.Name, why)
			out.Refused = append(out.Refused, plan.Refused{Offer: name, Reason: why})
			continue
		}
		p.Number = len(out.Proposals) + 1
		out.Proposals = append(out.Proposals, p)
	}
	return out
}

// ike compiles the stack's key exchange policy. IKED reads it from Policy
// Agent, so an uninstalled policy leaves IKED without peers.
func (c *compiler) ike(s *model.Stack) plan.IKE {
	out := plan.IKE{Peers: []plan.Peer{}}
	if s.Policy == nil || !s.Policy.Installed || s.Policy.KeyExchange == nil {
		return out
	}
	kp := s.Policy.KeyExchange
	out.AllowNAT = kp.AllowNat
	if kp.LivenessInterval != nil {
		out.LivenessSeconds = *kp.LivenessInterval
	}
	for _, r := range kp.Rules {
		peer := plan.Peer{Rule: r.Name, Version: "IKEv1", Initiate: "MAIN", Auth: "DIGITALSIGNATURE",
			Local: identity(r.Local), Remote: identity(r.Remote), Proposals: []plan.Proposal{}}
		if a := r.Action; a != nil {
			peer.Initiate, peer.Auth = a.HowToInitiate, a.HowToAuthMe
			if a.IKEv2() {
				peer.Version = "IKEv2"
				// Reauthentication is IKEv2's (IBM, "Refreshing phase 1
				// Security Associations").
				if a.ReauthInterval != nil {
					peer.ReauthSeconds = *a.ReauthInterval * 60
				}
			}
			for _, o := range a.Offers {
				p, why := c.ikeProposal(o, a.IKEv2())
				if why != "" {
					name := o.Name
					c.warn(o.Range, "KeyExchangeOffer %s cannot be expressed as IKEv2 transforms: %s", name, why)
					peer.Refused = append(peer.Refused, plan.Refused{Offer: name, Reason: why})
					continue
				}
				p.Number = len(peer.Proposals) + 1
				peer.Proposals = append(peer.Proposals, p)
			}
		}
		if plan.SignatureAuth(peer.Auth) {
			peer.CertPresents = certPresents(s, peer.Local)
		}
		if r.SharedKey.Present() {
			peer.PSK, peer.PSKFormat = plan.Redacted, r.SharedKey.Format
			peer.PSKGroup = c.pskGroup(r.SharedKey)
			if c.opts.IncludeSecrets {
				peer.PSK = r.SharedKey.Reveal()
			}
		}
		out.Peers = append(out.Peers, peer)
	}
	return out
}

func identity(e *model.SecurityEndpoint) plan.Identity {
	id := plan.Identity{Locations: []string{}}
	if e == nil {
		return id
	}
	id.Type, id.Value = e.IdentityType, e.Identity
	if id.Type == "KEYID" {
		// The plan carries the ID_KEY_ID bytes in hex, whichever format
		// (Ascii, Ebcdic, Hex) wrote them; a key ID lint reported as
		// unreadable stays empty and the runtime refuses the peer.
		b, err := model.KeyIDBytes(e.KeyIDFormat, e.Identity)
		id.Value = ""
		if err == nil {
			id.Value = hex.EncodeToString(b)
		}
	}
	for _, l := range e.Locations {
		id.Locations = append(id.Locations, l.String())
	}
	return id
}

// pskGroup numbers the distinct pre-shared keys of the sysplex in the
// order they are met: a key equal to one seen before (the same bytes,
// however written, compared in constant time) gets that key's number. The plan
// carries the number, so SWSA and whatif can tell an owner's key from a
// backup's without the plan holding either.
func (c *compiler) pskGroup(k model.Secret) int {
	for i, seen := range c.psks {
		if model.SameKey(seen, k) {
			return i + 1
		}
	}
	c.psks = append(c.psks, k)
	return len(c.psks)
}
