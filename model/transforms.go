package model

import (
	"fmt"
	"strings"
)

// Transform is one IKEv2 transform an offer maps to (IANA "IKEv2
// Parameters", RFC 7296 §3.3.2). compile copies it into the plan; lint
// uses the same mapping to report offers the plan leaves out, so the two
// always agree.
type Transform struct {
	Type      string `json:"type"` // ENCR, PRF, INTEG, DH, ESN
	ID        int    `json:"id"`
	Name      string `json:"name"`
	KeyLength int    `json:"keyLength,omitempty"`
}

// IKEv2 transform ids of the z/OS algorithm names. A name mapped to a
// refusal is an algorithm z/OS knows that tcpipc will not run.
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

// lookupTransform looks a z/OS algorithm name up in a table.
func lookupTransform(table map[string]transformDef, typ, zos string, keyLen int) (Transform, string) {
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

// IKEProposal maps a KeyExchangeOffer to the transforms of an IKE SA
// proposal, or says why it cannot be expressed or is refused.
func IKEProposal(o *KeyExchangeOffer, v2 bool) ([]Transform, string) {
	var ts []Transform
	if o.HowToEncrypt == "" {
		return ts, "HowToEncrypt is not coded"
	}
	enc, why := lookupTransform(encrTransforms, "ENCR", o.HowToEncrypt, o.KeyLength)
	if why != "" {
		return ts, why
	}
	if enc.ID == 11 {
		return ts, "an IKE SA cannot do without encryption"
	}
	ts = append(ts, enc)
	integName := o.HowToVerifyMsgs
	if !v2 || integName == "" {
		integName = o.HowToAuthMsgs
	}
	var integ Transform
	if !strings.HasPrefix(o.HowToEncrypt, "AES_GCM") {
		if integName == "" {
			return ts, "no integrity algorithm is coded (HowToVerifyMsgs or HowToAuthMsgs)"
		}
		integ, why = lookupTransform(integTransforms, "INTEG", integName, 0)
		if why != "" {
			return ts, why
		}
	}
	prfName := o.PseudoRandomFunction
	if prfName == "" {
		prfName = prfFor[integ.ID]
	}
	if prfName == "" {
		return ts, "PseudoRandomFunction is not coded"
	}
	prf, why := lookupTransform(prfTransforms, "PRF", prfName, 0)
	if why != "" {
		return ts, why
	}
	ts = append(ts, prf)
	if integ.Name != "" {
		ts = append(ts, integ)
	}
	if o.DHGroup == "" {
		return ts, "DHGroup is not coded; tcpipc does not assume a default group"
	}
	dh, why := lookupTransform(dhTransforms, "DH", o.DHGroup, 0)
	if why != "" {
		return ts, why
	}
	ts = append(ts, dh)
	return ts, ""
}

// ChildProposal maps an IpDataOffer to the protocol (ESP or AH) and
// transforms of a child SA proposal, or says why it cannot be expressed or
// is refused.
func ChildProposal(o *DataOffer, pfs *Transform) (string, []Transform, string) {
	protocol := o.AuthProtocol
	var ts []Transform
	if protocol != "AH" {
		protocol = "ESP"
		enc, why := lookupTransform(encrTransforms, "ENCR", o.Encrypt, o.KeyLength)
		if why != "" {
			return protocol, ts, why
		}
		ts = append(ts, enc)
	}
	if o.AuthAlgorithm != "" && o.AuthAlgorithm != "NULL" {
		integ, why := lookupTransform(integTransforms, "INTEG", o.AuthAlgorithm, 0)
		if why != "" {
			return protocol, ts, why
		}
		ts = append(ts, integ)
	} else if protocol == "AH" || !strings.HasPrefix(o.Encrypt, "AES_GCM") && o.Encrypt != "NULL" && o.Encrypt != "DONOT" {
		return protocol, ts, "no integrity algorithm: only AES-GCM protects the data without one"
	}
	if pfs != nil {
		ts = append(ts, *pfs)
	}
	ts = append(ts, esn())
	return protocol, ts, ""
}

// PFSGroup maps an InitiateWithPfs group to its DH transform, or says why
// the plan leaves it out. "", NO and NONE mean no PFS (ok false, why "").
func PFSGroup(name string) (t Transform, ok bool, why string) {
	if name == "" || name == "NO" || name == "NONE" {
		return Transform{}, false, ""
	}
	t, why = lookupTransform(dhTransforms, "DH", name, 0)
	return t, why == "", why
}
