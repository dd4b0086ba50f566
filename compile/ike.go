package compile

import (
	"fmt"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
)

// IKEv2 transform ids (IANA "IKEv2 Parameters", RFC 7296 §3.3.2). A name
// mapped to a refusal is an algorithm z/OS knows that tcpipc will not run.
type transformDef struct {
	id   int
	name string
	// keyLen is the default key length for variable-length ciphers.
	keyLen  int
	refused string
}

var encrTransforms = map[string]transformDef{
	"AES_CBC":    {id: 12, name: "ENCR_AES_CBC", keyLen: 128},
	"AES":        {id: 12, name: "ENCR_AES_CBC", keyLen: 128},
	"AES_CTR":    {id: 13, name: "ENCR_AES_CTR", keyLen: 128},
	"AES_GCM_8":  {id: 18, name: "ENCR_AES_GCM_8", keyLen: 128},
	"AES_GCM_12": {id: 19, name: "ENCR_AES_GCM_12", keyLen: 128},
	"AES_GCM_16": {id: 20, name: "ENCR_AES_GCM_16", keyLen: 128},
	"NULL":       {id: 11, name: "ENCR_NULL"},
	"DONOT":      {id: 11, name: "ENCR_NULL"},
	"DES":        {refused: "DES is broken (56-bit key) and refused"},
	"3DES":       {refused: "3DES (64-bit block) is refused"},
	"TRIPLEDES":  {refused: "3DES (64-bit block) is refused"},
}

var integTransforms = map[string]transformDef{
	"HMAC_SHA1":         {id: 2, name: "AUTH_HMAC_SHA1_96"},
	"HMAC_SHA1_96":      {id: 2, name: "AUTH_HMAC_SHA1_96"},
	"SHA1":              {id: 2, name: "AUTH_HMAC_SHA1_96"},
	"AES_XCBC_96":       {id: 5, name: "AUTH_AES_XCBC_96"},
	"AES128_XCBC_96":    {id: 5, name: "AUTH_AES_XCBC_96"},
	"AES_CMAC_96":       {id: 8, name: "AUTH_AES_CMAC_96"},
	"AES128_CMAC_96":    {id: 8, name: "AUTH_AES_CMAC_96"},
	"AES128_GMAC_128":   {id: 9, name: "AUTH_AES_128_GMAC"},
	"AES_GMAC_128":      {id: 9, name: "AUTH_AES_128_GMAC"},
	"HMAC_SHA2_256":     {id: 12, name: "AUTH_HMAC_SHA2_256_128"},
	"HMAC_SHA2_256_128": {id: 12, name: "AUTH_HMAC_SHA2_256_128"},
	"SHA2_256":          {id: 12, name: "AUTH_HMAC_SHA2_256_128"},
	"HMAC_SHA2_384":     {id: 13, name: "AUTH_HMAC_SHA2_384_192"},
	"HMAC_SHA2_384_192": {id: 13, name: "AUTH_HMAC_SHA2_384_192"},
	"SHA2_384":          {id: 13, name: "AUTH_HMAC_SHA2_384_192"},
	"HMAC_SHA2_512":     {id: 14, name: "AUTH_HMAC_SHA2_512_256"},
	"HMAC_SHA2_512_256": {id: 14, name: "AUTH_HMAC_SHA2_512_256"},
	"SHA2_512":          {id: 14, name: "AUTH_HMAC_SHA2_512_256"},
	"HMAC_MD5":          {refused: "MD5 is broken and refused"},
	"HMAC_MD5_96":       {refused: "MD5 is broken and refused"},
	"MD5":               {refused: "MD5 is broken and refused"},
}

var prfTransforms = map[string]transformDef{
	"HMAC_SHA1":     {id: 2, name: "PRF_HMAC_SHA1"},
	"AES128_XCBC":   {id: 4, name: "PRF_AES128_XCBC"},
	"AES_XCBC":      {id: 4, name: "PRF_AES128_XCBC"},
	"HMAC_SHA2_256": {id: 5, name: "PRF_HMAC_SHA2_256"},
	"HMAC_SHA2_384": {id: 6, name: "PRF_HMAC_SHA2_384"},
	"HMAC_SHA2_512": {id: 7, name: "PRF_HMAC_SHA2_512"},
	"AES128_CMAC":   {id: 8, name: "PRF_AES128_CMAC"},
	"AES_CMAC":      {id: 8, name: "PRF_AES128_CMAC"},
	"HMAC_MD5":      {refused: "MD5 is broken and refused"},
}

var dhTransforms = map[string]transformDef{
	"GROUP1":  {refused: "DH group 1 (768-bit MODP) is refused"},
	"GROUP2":  {refused: "DH group 2 (1024-bit MODP) is refused"},
	"GROUP5":  {refused: "DH group 5 (1536-bit MODP) is refused"},
	"GROUP14": {id: 14, name: "MODP_2048"},
	"GROUP15": {id: 15, name: "MODP_3072"},
	"GROUP16": {id: 16, name: "MODP_4096"},
	"GROUP19": {id: 19, name: "ECP_256"},
	"GROUP20": {id: 20, name: "ECP_384"},
	"GROUP21": {id: 21, name: "ECP_521"},
	"GROUP24": {refused: "DH group 24 (2048-bit MODP with 256-bit subgroup) is not supported"},
}

// prfFor gives the PRF that goes with an integrity algorithm when the
// offer names none.
var prfFor = map[int]string{2: "HMAC_SHA1", 5: "AES128_XCBC", 8: "AES128_CMAC", 12: "HMAC_SHA2_256", 13: "HMAC_SHA2_384", 14: "HMAC_SHA2_512"}

// transform looks a z/OS algorithm name up in a table.
func transform(table map[string]transformDef, typ, zos string, keyLen int) (Transform, string) {
	def, ok := table[strings.ToUpper(zos)]
	switch {
	case !ok:
		return Transform{}, fmt.Sprintf("%s %s has no IKEv2 transform tcpipc knows", typ, zos)
	case def.refused != "":
		return Transform{}, def.refused
	}
	t := Transform{Type: typ, ID: def.id, Name: def.name}
	if def.keyLen > 0 {
		t.KeyLength = def.keyLen
		if keyLen > 0 {
			t.KeyLength = keyLen
		}
	}
	return t, ""
}

func esn() Transform { return Transform{Type: "ESN", ID: 0, Name: "NO_ESN"} }

// offerName names an offer for messages: its name, or where it is.
func (c *compiler) offerName(name string, r diag.Range) string {
	if name != "" {
		return name
	}
	return "offer at " + c.source(r)
}

// ikeProposal turns a KeyExchangeOffer into an IKE SA proposal.
func (c *compiler) ikeProposal(o *model.KeyExchangeOffer, v2 bool) (Proposal, string) {
	p := Proposal{Protocol: "IKE", LifetimeSeconds: o.LifetimeProposed * 60, Offer: o.Name}
	if o.HowToEncrypt == "" {
		return p, "HowToEncrypt is not coded"
	}
	enc, why := transform(encrTransforms, "ENCR", o.HowToEncrypt, o.KeyLength)
	if why != "" {
		return p, why
	}
	if enc.ID == 11 {
		return p, "an IKE SA cannot do without encryption"
	}
	p.Transforms = append(p.Transforms, enc)
	integName := o.HowToVerifyMsgs
	if !v2 || integName == "" {
		integName = o.HowToAuthMsgs
	}
	var integ Transform
	if !strings.HasPrefix(o.HowToEncrypt, "AES_GCM") {
		if integName == "" {
			return p, "no integrity algorithm is coded (HowToVerifyMsgs or HowToAuthMsgs)"
		}
		integ, why = transform(integTransforms, "INTEG", integName, 0)
		if why != "" {
			return p, why
		}
	}
	prfName := o.PseudoRandomFunction
	if prfName == "" {
		prfName = prfFor[integ.ID]
	}
	if prfName == "" {
		return p, "PseudoRandomFunction is not coded"
	}
	prf, why := transform(prfTransforms, "PRF", prfName, 0)
	if why != "" {
		return p, why
	}
	p.Transforms = append(p.Transforms, prf)
	if integ.Name != "" {
		p.Transforms = append(p.Transforms, integ)
	}
	if o.DHGroup == "" {
		return p, "DHGroup is not coded; tcpipc does not assume a default group"
	}
	dh, why := transform(dhTransforms, "DH", o.DHGroup, 0)
	if why != "" {
		return p, why
	}
	p.Transforms = append(p.Transforms, dh)
	return p, ""
}

// childProposal turns an IpDataOffer into an ESP or AH proposal.
func childProposal(o *model.DataOffer, pfs *Transform, mode string) (Proposal, string) {
	p := Proposal{Protocol: o.AuthProtocol, Mode: mode, LifetimeSeconds: o.LifetimeProposed * 60, Offer: o.Name}
	if p.Protocol != "AH" {
		p.Protocol = "ESP"
		enc, why := transform(encrTransforms, "ENCR", o.Encrypt, o.KeyLength)
		if why != "" {
			return p, why
		}
		p.Transforms = append(p.Transforms, enc)
	}
	if o.AuthAlgorithm != "" && o.AuthAlgorithm != "NULL" {
		integ, why := transform(integTransforms, "INTEG", o.AuthAlgorithm, 0)
		if why != "" {
			return p, why
		}
		p.Transforms = append(p.Transforms, integ)
	} else if p.Protocol == "AH" || !strings.HasPrefix(o.Encrypt, "AES_GCM") && o.Encrypt != "NULL" && o.Encrypt != "DONOT" {
		return p, "no integrity algorithm: only AES-GCM protects the data without one"
	}
	if pfs != nil {
		p.Transforms = append(p.Transforms, *pfs)
	}
	p.Transforms = append(p.Transforms, esn())
	return p, ""
}

func (c *compiler) vpnAction(a *model.DynVpnAction) VPNAction {
	out := VPNAction{Name: a.Name, Initiation: a.Initiation, LifetimeSeconds: a.VpnLifeMinutes * 60, Proposals: []Proposal{}}
	if g := a.InitiateWithPfs; g != "" && g != "NO" && g != "NONE" {
		dh, why := transform(dhTransforms, "DH", g, 0)
		if why != "" {
			c.warn(a.Range, "IpDynVpnAction %s: InitiateWithPfs %s left out: %s", a.Name, g, why)
			out.Refused = append(out.Refused, Refused{Offer: "InitiateWithPfs " + g, Reason: why})
		} else {
			out.PFS = &dh
		}
	}
	mode := a.HowToEncapIKEv2
	for _, o := range a.Offers {
		m := mode
		if m == "" {
			m = o.Encap
		}
		p, why := childProposal(o, out.PFS, m)
		if why != "" {
			name := c.offerName(o.Name, o.Range)
			c.warn(o.Range, "IpDataOffer %s of %s cannot be expressed as IKEv2 transforms: %s", name, a.Name, why)
			out.Refused = append(out.Refused, Refused{Offer: name, Reason: why})
			continue
		}
		p.Number = len(out.Proposals) + 1
		out.Proposals = append(out.Proposals, p)
	}
	return out
}

// ike compiles the stack's key exchange policy. IKED reads it from Policy
// Agent, so an uninstalled policy leaves IKED without peers.
func (c *compiler) ike(s *model.Stack) IKE {
	out := IKE{Peers: []Peer{}}
	if s.Policy == nil || !s.Policy.Installed || s.Policy.KeyExchange == nil {
		return out
	}
	kp := s.Policy.KeyExchange
	out.AllowNAT = kp.AllowNat
	if kp.LivenessInterval != nil {
		out.LivenessSeconds = *kp.LivenessInterval
	}
	for _, r := range kp.Rules {
		peer := Peer{Rule: r.Name, Version: "IKEv1", Initiate: "MAIN", Auth: "DIGITALSIGNATURE",
			Local: identity(r.Local), Remote: identity(r.Remote), Proposals: []Proposal{}}
		if a := r.Action; a != nil {
			peer.Initiate, peer.Auth = a.HowToInitiate, a.HowToAuthMe
			if a.IKEv2() {
				peer.Version = "IKEv2"
			}
			for _, o := range a.Offers {
				p, why := c.ikeProposal(o, a.IKEv2())
				if why != "" {
					name := c.offerName(o.Name, o.Range)
					c.warn(o.Range, "KeyExchangeOffer %s cannot be expressed as IKEv2 transforms: %s", name, why)
					peer.Refused = append(peer.Refused, Refused{Offer: name, Reason: why})
					continue
				}
				p.Number = len(peer.Proposals) + 1
				peer.Proposals = append(peer.Proposals, p)
			}
		}
		if r.SharedKey.Present() {
			peer.PSK, peer.PSKFormat = Redacted, r.SharedKey.Format
			if c.opts.IncludeSecrets {
				peer.PSK = r.SharedKey.Reveal()
			}
		}
		out.Peers = append(out.Peers, peer)
	}
	return out
}

func identity(e *model.SecurityEndpoint) Identity {
	id := Identity{Locations: []string{}}
	if e == nil {
		return id
	}
	id.Type, id.Value = e.IdentityType, e.Identity
	for _, l := range e.Locations {
		id.Locations = append(id.Locations, l.String())
	}
	return id
}
