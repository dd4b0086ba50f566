package model

import (
	"fmt"
	"strings"

	"github.com/tcpipc/tcpipc/plan"
)

// Transform is one IKEv2 transform an offer maps to: the plan's own type,
// with the IANA numbers plan defines once. compile puts it into the plan;
// lint uses the same mapping to report offers the plan leaves out, so the
// two always agree.
type Transform = plan.Transform

// IKEv2 transform ids of the z/OS algorithm names. A name mapped to a
// refusal is an algorithm z/OS knows that tcpipc will not run.
type transformDef struct {
	id   plan.TransformID
	name string
	// keyLen is the default key length for variable-length ciphers.
	keyLen  int
	refused string
}

var encrTransforms = map[string]transformDef{
	"AES_CBC":    {id: plan.EncrAESCBC, name: "ENCR_AES_CBC", keyLen: 128},
	"AES":        {id: plan.EncrAESCBC, name: "ENCR_AES_CBC", keyLen: 128},
	"AES_CTR":    {id: plan.EncrAESCTR, name: "ENCR_AES_CTR", keyLen: 128},
	"AES_GCM_8":  {id: plan.EncrAESGCM8, name: "ENCR_AES_GCM_8", keyLen: 128},
	"AES_GCM_12": {id: plan.EncrAESGCM12, name: "ENCR_AES_GCM_12", keyLen: 128},
	"AES_GCM_16": {id: plan.EncrAESGCM16, name: "ENCR_AES_GCM_16", keyLen: 128},
	"NULL":       {id: plan.EncrNull, name: "ENCR_NULL"},
	"DONOT":      {id: plan.EncrNull, name: "ENCR_NULL"},
	"DES":        {refused: "DES is broken (56-bit key) and refused"},
	"3DES":       {refused: "3DES (64-bit block) is refused"},
	"TRIPLEDES":  {refused: "3DES (64-bit block) is refused"},
}

var integTransforms = map[string]transformDef{
	"HMAC_SHA1":         {id: plan.IntegHMACSHA1_96, name: "AUTH_HMAC_SHA1_96"},
	"HMAC_SHA1_96":      {id: plan.IntegHMACSHA1_96, name: "AUTH_HMAC_SHA1_96"},
	"SHA1":              {id: plan.IntegHMACSHA1_96, name: "AUTH_HMAC_SHA1_96"},
	"AES_XCBC_96":       {id: plan.IntegAESXCBC96, name: "AUTH_AES_XCBC_96"},
	"AES128_XCBC_96":    {id: plan.IntegAESXCBC96, name: "AUTH_AES_XCBC_96"},
	"AES_CMAC_96":       {id: plan.IntegAESCMAC96, name: "AUTH_AES_CMAC_96"},
	"AES128_CMAC_96":    {id: plan.IntegAESCMAC96, name: "AUTH_AES_CMAC_96"},
	"AES128_GMAC_128":   {id: plan.IntegAES128GMAC, name: "AUTH_AES_128_GMAC"},
	"AES_GMAC_128":      {id: plan.IntegAES128GMAC, name: "AUTH_AES_128_GMAC"},
	"HMAC_SHA2_256":     {id: plan.IntegHMACSHA2_256_128, name: "AUTH_HMAC_SHA2_256_128"},
	"HMAC_SHA2_256_128": {id: plan.IntegHMACSHA2_256_128, name: "AUTH_HMAC_SHA2_256_128"},
	"SHA2_256":          {id: plan.IntegHMACSHA2_256_128, name: "AUTH_HMAC_SHA2_256_128"},
	"HMAC_SHA2_384":     {id: plan.IntegHMACSHA2_384_192, name: "AUTH_HMAC_SHA2_384_192"},
	"HMAC_SHA2_384_192": {id: plan.IntegHMACSHA2_384_192, name: "AUTH_HMAC_SHA2_384_192"},
	"SHA2_384":          {id: plan.IntegHMACSHA2_384_192, name: "AUTH_HMAC_SHA2_384_192"},
	"HMAC_SHA2_512":     {id: plan.IntegHMACSHA2_512_256, name: "AUTH_HMAC_SHA2_512_256"},
	"HMAC_SHA2_512_256": {id: plan.IntegHMACSHA2_512_256, name: "AUTH_HMAC_SHA2_512_256"},
	"SHA2_512":          {id: plan.IntegHMACSHA2_512_256, name: "AUTH_HMAC_SHA2_512_256"},
	"HMAC_MD5":          {refused: "MD5 is broken and refused"},
	"HMAC_MD5_96":       {refused: "MD5 is broken and refused"},
	"MD5":               {refused: "MD5 is broken and refused"},
}

var prfTransforms = map[string]transformDef{
	"HMAC_SHA1":     {id: plan.PRFHMACSHA1, name: "PRF_HMAC_SHA1"},
	"AES128_XCBC":   {id: plan.PRFAES128XCBC, name: "PRF_AES128_XCBC"},
	"AES_XCBC":      {id: plan.PRFAES128XCBC, name: "PRF_AES128_XCBC"},
	"HMAC_SHA2_256": {id: plan.PRFHMACSHA2_256, name: "PRF_HMAC_SHA2_256"},
	"HMAC_SHA2_384": {id: plan.PRFHMACSHA2_384, name: "PRF_HMAC_SHA2_384"},
	"HMAC_SHA2_512": {id: plan.PRFHMACSHA2_512, name: "PRF_HMAC_SHA2_512"},
	"AES128_CMAC":   {id: plan.PRFAES128CMAC, name: "PRF_AES128_CMAC"},
	"AES_CMAC":      {id: plan.PRFAES128CMAC, name: "PRF_AES128_CMAC"},
	"HMAC_MD5":      {refused: "MD5 is broken and refused"},
}

var dhTransforms = map[string]transformDef{
	"GROUP1":  {refused: "DH group 1 (768-bit MODP) is refused"},
	"GROUP2":  {refused: "DH group 2 (1024-bit MODP) is refused"},
	"GROUP5":  {refused: "DH group 5 (1536-bit MODP) is refused"},
	"GROUP14": {id: plan.DHMODP2048, name: "MODP_2048"},
	"GROUP15": {id: plan.DHMODP3072, name: "MODP_3072"},
	"GROUP16": {id: plan.DHMODP4096, name: "MODP_4096"},
	"GROUP19": {id: plan.DHECP256, name: "ECP_256"},
	"GROUP20": {id: plan.DHECP384, name: "ECP_384"},
	"GROUP21": {id: plan.DHECP521, name: "ECP_521"},
	"GROUP24": {refused: "DH group 24 (2048-bit MODP with 256-bit subgroup) is not supported"},
}

// prfFor gives the PRF that goes with an integrity algorithm when the
// offer names none.
var prfFor = map[plan.TransformID]string{plan.IntegHMACSHA1_96: "HMAC_SHA1", plan.IntegAESXCBC96: "AES128_XCBC", plan.IntegAESCMAC96: "AES128_CMAC",
	plan.IntegHMACSHA2_256_128: "HMAC_SHA2_256", plan.IntegHMACSHA2_384_192: "HMAC_SHA2_384", plan.IntegHMACSHA2_512_256: "HMAC_SHA2_512"}

// lookupTransform looks a z/OS algorithm name up in a table.
func lookupTransform(table map[string]transformDef, typ plan.TransformType, zos string, keyLen int) (Transform, string) {
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

func esn() Transform { return Transform{Type: plan.TypeESN, ID: plan.ESNNo, Name: "NO_ESN"} }

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
	if enc.ID == plan.EncrNull {
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
