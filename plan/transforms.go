package plan

// The IKEv2 transforms of the plan's proposals, numbered as IANA's "IKEv2
// Parameters" registry numbers them (RFC 7296 §3.3.2). They are defined
// here once: the model maps z/OS offers onto these constants, and the
// runtime's IKE and ESP code (internal/ike/wire, internal/esp), which the
// plan may not import, is checked against them by
// runtime/ipsec's TestTransformIDsAgree.

// TransformType is the type of a transform.
type TransformType string

const (
	TypeENCR  TransformType = "ENCR"
	TypePRF   TransformType = "PRF"
	TypeINTEG TransformType = "INTEG"
	TypeDH    TransformType = "DH"
	TypeESN   TransformType = "ESN"
)

// TransformTypes lists every TransformType, in the schema's order.
var TransformTypes = []TransformType{TypeENCR, TypePRF, TypeINTEG, TypeDH, TypeESN}

// TransformID is a transform's IANA number; what it names depends on the
// transform's type.
type TransformID int

// Encryption algorithms (Transform Type 1).
const (
	EncrNull             TransformID = 11
	EncrAESCBC           TransformID = 12
	EncrAESCTR           TransformID = 13
	EncrAESGCM8          TransformID = 18
	EncrAESGCM12         TransformID = 19
	EncrAESGCM16         TransformID = 20
	EncrChaCha20Poly1305 TransformID = 28
)

// Pseudorandom functions (Transform Type 2).
const (
	PRFHMACSHA1     TransformID = 2
	PRFAES128XCBC   TransformID = 4
	PRFHMACSHA2_256 TransformID = 5
	PRFHMACSHA2_384 TransformID = 6
	PRFHMACSHA2_512 TransformID = 7
	PRFAES128CMAC   TransformID = 8
)

// Integrity algorithms (Transform Type 3).
const (
	IntegNone             TransformID = 0
	IntegHMACSHA1_96      TransformID = 2
	IntegAESXCBC96        TransformID = 5
	IntegAESCMAC96        TransformID = 8
	IntegAES128GMAC       TransformID = 9
	IntegHMACSHA2_256_128 TransformID = 12
	IntegHMACSHA2_384_192 TransformID = 13
	IntegHMACSHA2_512_256 TransformID = 14
)

// Diffie-Hellman groups (Transform Type 4).
const (
	DHNone       TransformID = 0
	DHMODP2048   TransformID = 14
	DHMODP3072   TransformID = 15
	DHMODP4096   TransformID = 16
	DHECP256     TransformID = 19
	DHECP384     TransformID = 20
	DHECP521     TransformID = 21
	DHCurve25519 TransformID = 31
)

// Extended sequence numbers (Transform Type 5).
const (
	ESNNo  TransformID = 0
	ESNYes TransformID = 1
)
