package wire

import "fmt"

// nameOf returns the registered name of v, or kind(v) for a value the IANA
// registry has but this package does not name.
func nameOf[T ~uint8 | ~uint16](names map[T]string, kind string, v T) string {
	if s, ok := names[v]; ok {
		return s
	}
	return fmt.Sprintf("%s(%d)", kind, v)
}

// ExchangeType is the Exchange Type field of the header (RFC 7296 section 3.1).
type ExchangeType uint8

// Exchange types.
const (
	IKE_SA_INIT     ExchangeType = 34
	IKE_AUTH        ExchangeType = 35
	CREATE_CHILD_SA ExchangeType = 36
	INFORMATIONAL   ExchangeType = 37
)

var exchangeNames = map[ExchangeType]string{
	IKE_SA_INIT:     "IKE_SA_INIT",
	IKE_AUTH:        "IKE_AUTH",
	CREATE_CHILD_SA: "CREATE_CHILD_SA",
	INFORMATIONAL:   "INFORMATIONAL",
}

func (e ExchangeType) String() string { return nameOf(exchangeNames, "ExchangeType", e) }

// Flags is the Flags octet of the header (RFC 7296 section 3.1).
type Flags uint8

// Header flags.
const (
	FlagInitiator Flags = 0x08 // sender is the original initiator of the IKE SA
	FlagVersion   Flags = 0x10 // sender could speak a higher major version
	FlagResponse  Flags = 0x20 // message is a response
)

func (f Flags) String() string {
	s := ""
	for _, b := range []struct {
		f    Flags
		name string
	}{{FlagInitiator, "I"}, {FlagVersion, "V"}, {FlagResponse, "R"}} {
		if f&b.f != 0 {
			s += b.name
		}
	}
	if rest := f &^ (FlagInitiator | FlagVersion | FlagResponse); rest != 0 {
		s += fmt.Sprintf("+%#02x", uint8(rest))
	}
	if s == "" {
		return "-"
	}
	return s
}

// PayloadType is the Next Payload value naming a payload (RFC 7296 section 3.2).
type PayloadType uint8

// Payload types.
const (
	NoNextPayload  PayloadType = 0
	PayloadSA      PayloadType = 33
	PayloadKE      PayloadType = 34
	PayloadIDi     PayloadType = 35
	PayloadIDr     PayloadType = 36
	PayloadCERT    PayloadType = 37
	PayloadCERTREQ PayloadType = 38
	PayloadAUTH    PayloadType = 39
	PayloadNonce   PayloadType = 40
	PayloadNotify  PayloadType = 41
	PayloadDelete  PayloadType = 42
	PayloadVendor  PayloadType = 43
	PayloadTSi     PayloadType = 44
	PayloadTSr     PayloadType = 45
	PayloadSK      PayloadType = 46
	PayloadCP      PayloadType = 47
	PayloadEAP     PayloadType = 48
	PayloadSKF     PayloadType = 53
)

var payloadNames = map[PayloadType]string{
	NoNextPayload:  "NONE",
	PayloadSA:      "SA",
	PayloadKE:      "KE",
	PayloadIDi:     "IDi",
	PayloadIDr:     "IDr",
	PayloadCERT:    "CERT",
	PayloadCERTREQ: "CERTREQ",
	PayloadAUTH:    "AUTH",
	PayloadNonce:   "Nonce",
	PayloadNotify:  "N",
	PayloadDelete:  "D",
	PayloadVendor:  "V",
	PayloadTSi:     "TSi",
	PayloadTSr:     "TSr",
	PayloadSK:      "SK",
	PayloadCP:      "CP",
	PayloadEAP:     "EAP",
	PayloadSKF:     "SKF",
}

func (p PayloadType) String() string { return nameOf(payloadNames, "PayloadType", p) }

// ProtocolID names the protocol of a proposal, Notify or Delete (RFC 7296 section 3.3.1).
type ProtocolID uint8

// Protocol IDs.
const (
	ProtoNone ProtocolID = 0
	ProtoIKE  ProtocolID = 1
	ProtoAH   ProtocolID = 2
	ProtoESP  ProtocolID = 3
)

var protocolNames = map[ProtocolID]string{ProtoNone: "NONE", ProtoIKE: "IKE", ProtoAH: "AH", ProtoESP: "ESP"}

func (p ProtocolID) String() string { return nameOf(protocolNames, "ProtocolID", p) }

// TransformType is the type of a transform in a proposal (RFC 7296 section 3.3.2).
type TransformType uint8

// Transform types.
const (
	TransformENCR  TransformType = 1
	TransformPRF   TransformType = 2
	TransformINTEG TransformType = 3
	TransformDH    TransformType = 4
	TransformESN   TransformType = 5
)

var transformTypeNames = map[TransformType]string{
	TransformENCR: "ENCR", TransformPRF: "PRF", TransformINTEG: "INTEG", TransformDH: "DH", TransformESN: "ESN",
}

func (t TransformType) String() string { return nameOf(transformTypeNames, "TransformType", t) }

// EncrID is a Transform ID of type ENCR.
type EncrID uint16

// Encryption algorithms.
const (
	ENCR_NULL              EncrID = 11
	ENCR_AES_CBC           EncrID = 12
	ENCR_AES_CTR           EncrID = 13
	ENCR_AES_GCM_8         EncrID = 18
	ENCR_AES_GCM_12        EncrID = 19
	ENCR_AES_GCM_16        EncrID = 20
	ENCR_CHACHA20_POLY1305 EncrID = 28
)

var encrNames = map[EncrID]string{
	ENCR_NULL: "NULL", ENCR_AES_CBC: "AES_CBC", ENCR_AES_CTR: "AES_CTR", ENCR_AES_GCM_8: "AES_GCM_8",
	ENCR_AES_GCM_12: "AES_GCM_12", ENCR_AES_GCM_16: "AES_GCM_16", ENCR_CHACHA20_POLY1305: "CHACHA20_POLY1305",
}

func (e EncrID) String() string { return nameOf(encrNames, "ENCR", e) }

// PRFID is a Transform ID of type PRF.
type PRFID uint16

// Pseudorandom functions.
const (
	PRF_HMAC_SHA1     PRFID = 2
	PRF_AES128_XCBC   PRFID = 4
	PRF_HMAC_SHA2_256 PRFID = 5
	PRF_HMAC_SHA2_384 PRFID = 6
	PRF_HMAC_SHA2_512 PRFID = 7
	PRF_AES128_CMAC   PRFID = 8
)

var prfNames = map[PRFID]string{
	PRF_HMAC_SHA1: "PRF_HMAC_SHA1", PRF_AES128_XCBC: "PRF_AES128_XCBC", PRF_HMAC_SHA2_256: "PRF_HMAC_SHA2_256",
	PRF_HMAC_SHA2_384: "PRF_HMAC_SHA2_384", PRF_HMAC_SHA2_512: "PRF_HMAC_SHA2_512", PRF_AES128_CMAC: "PRF_AES128_CMAC",
}

func (p PRFID) String() string { return nameOf(prfNames, "PRF", p) }

// IntegID is a Transform ID of type INTEG.
type IntegID uint16

// Integrity algorithms.
const (
	AUTH_NONE              IntegID = 0
	AUTH_HMAC_SHA1_96      IntegID = 2
	AUTH_AES_XCBC_96       IntegID = 5
	AUTH_AES_CMAC_96       IntegID = 8
	AUTH_AES_128_GMAC      IntegID = 9
	AUTH_AES_256_GMAC      IntegID = 11
	AUTH_HMAC_SHA2_256_128 IntegID = 12
	AUTH_HMAC_SHA2_384_192 IntegID = 13
	AUTH_HMAC_SHA2_512_256 IntegID = 14
)

var integNames = map[IntegID]string{
	AUTH_NONE: "NONE", AUTH_HMAC_SHA1_96: "HMAC_SHA1_96", AUTH_AES_XCBC_96: "AES_XCBC_96",
	AUTH_HMAC_SHA2_256_128: "HMAC_SHA2_256_128", AUTH_HMAC_SHA2_384_192: "HMAC_SHA2_384_192",
	AUTH_HMAC_SHA2_512_256: "HMAC_SHA2_512_256", AUTH_AES_CMAC_96: "AES_CMAC_96",
	AUTH_AES_128_GMAC: "AES_128_GMAC", AUTH_AES_256_GMAC: "AES_256_GMAC",
}

func (i IntegID) String() string { return nameOf(integNames, "INTEG", i) }

// DHGroup is a Transform ID of type DH, and the group number in a KE payload.
type DHGroup uint16

// Diffie-Hellman groups.
const (
	DHNone     DHGroup = 0
	MODP2048   DHGroup = 14
	MODP3072   DHGroup = 15
	MODP4096   DHGroup = 16
	ECP256     DHGroup = 19
	ECP384     DHGroup = 20
	ECP521     DHGroup = 21
	Curve25519 DHGroup = 31
)

var dhNames = map[DHGroup]string{
	DHNone: "NONE", MODP2048: "MODP_2048", MODP3072: "MODP_3072", MODP4096: "MODP_4096", ECP256: "ECP_256", ECP384: "ECP_384", ECP521: "ECP_521",
	Curve25519: "CURVE25519",
}

func (g DHGroup) String() string { return nameOf(dhNames, "DH", g) }

// ESNID is a Transform ID of type ESN.
type ESNID uint16

// Extended sequence numbers.
const (
	ESNNo  ESNID = 0
	ESNYes ESNID = 1
)

func (e ESNID) String() string {
	return nameOf(map[ESNID]string{ESNNo: "NO_ESN", ESNYes: "ESN"}, "ESN", e)
}

// IDType is the ID Type of an IDi or IDr payload (RFC 7296 section 3.5).
type IDType uint8

// Identification types.
const (
	ID_IPV4_ADDR   IDType = 1
	ID_FQDN        IDType = 2
	ID_RFC822_ADDR IDType = 3
	ID_IPV6_ADDR   IDType = 5
	ID_DER_ASN1_DN IDType = 9
	ID_DER_ASN1_GN IDType = 10
	ID_KEY_ID      IDType = 11
)

var idNames = map[IDType]string{
	ID_IPV4_ADDR: "ID_IPV4_ADDR", ID_FQDN: "ID_FQDN", ID_RFC822_ADDR: "ID_RFC822_ADDR", ID_IPV6_ADDR: "ID_IPV6_ADDR",
	ID_DER_ASN1_DN: "ID_DER_ASN1_DN", ID_DER_ASN1_GN: "ID_DER_ASN1_GN", ID_KEY_ID: "ID_KEY_ID",
}

func (t IDType) String() string { return nameOf(idNames, "IDType", t) }

// AuthMethod is the Auth Method of an AUTH payload (RFC 7296 section 3.8).
type AuthMethod uint8

// Authentication methods.
const (
	AuthRSASig       AuthMethod = 1
	AuthSharedKeyMIC AuthMethod = 2
	AuthDSSSig       AuthMethod = 3
	AuthECDSA256     AuthMethod = 9 // ECDSA with SHA-256 on P-256 (RFC 4754)
	AuthECDSA384     AuthMethod = 10
	AuthECDSA521     AuthMethod = 11
	AuthDigitalSig   AuthMethod = 14 // RFC 7427
)

var authNames = map[AuthMethod]string{
	AuthRSASig: "RSA_SIG", AuthSharedKeyMIC: "SHARED_KEY_MIC", AuthDSSSig: "DSS_SIG", AuthDigitalSig: "DIGITAL_SIGNATURE",
	AuthECDSA256: "ECDSA_SHA256_P256", AuthECDSA384: "ECDSA_SHA384_P384", AuthECDSA521: "ECDSA_SHA512_P521",
}

// CertX509Signature is the Cert Encoding of a DER X.509 certificate in a
// CERT payload, and of a list of SHA-1 CA key hashes in a CERTREQ
// (RFC 7296 sections 3.6 and 3.7).
const CertX509Signature uint8 = 4

// HashAlgorithm is one entry of a SIGNATURE_HASH_ALGORITHMS notification
// (RFC 7427 section 4).
type HashAlgorithm uint16

// Hash algorithms of RFC 7427.
const (
	HashSHA1     HashAlgorithm = 1
	HashSHA2_256 HashAlgorithm = 2
	HashSHA2_384 HashAlgorithm = 3
	HashSHA2_512 HashAlgorithm = 4
)

func (m AuthMethod) String() string { return nameOf(authNames, "AuthMethod", m) }

// TSType is the type of one traffic selector (RFC 7296 section 3.13.1).
type TSType uint8

// Traffic selector types.
const (
	TS_IPV4_ADDR_RANGE TSType = 7
	TS_IPV6_ADDR_RANGE TSType = 8
)

var tsNames = map[TSType]string{TS_IPV4_ADDR_RANGE: "TS_IPV4_ADDR_RANGE", TS_IPV6_ADDR_RANGE: "TS_IPV6_ADDR_RANGE"}

func (t TSType) String() string { return nameOf(tsNames, "TSType", t) }

// NotifyType is the Notify Message Type of a Notify payload (RFC 7296
// section 3.10.1). Types below 16384 report errors; the rest carry status.
type NotifyType uint16

// Error notifications.
const (
	UNSUPPORTED_CRITICAL_PAYLOAD NotifyType = 1
	INVALID_IKE_SPI              NotifyType = 4
	INVALID_MAJOR_VERSION        NotifyType = 5
	INVALID_SYNTAX               NotifyType = 7
	INVALID_MESSAGE_ID           NotifyType = 9
	INVALID_SPI                  NotifyType = 11
	NO_PROPOSAL_CHOSEN           NotifyType = 14
	INVALID_KE_PAYLOAD           NotifyType = 17
	AUTHENTICATION_FAILED        NotifyType = 24
	SINGLE_PAIR_REQUIRED         NotifyType = 34
	NO_ADDITIONAL_SAS            NotifyType = 35
	INTERNAL_ADDRESS_FAILURE     NotifyType = 36
	FAILED_CP_REQUIRED           NotifyType = 37
	TS_UNACCEPTABLE              NotifyType = 38
	INVALID_SELECTORS            NotifyType = 39
	TEMPORARY_FAILURE            NotifyType = 43
	CHILD_SA_NOT_FOUND           NotifyType = 44
)

// Status notifications.
const (
	INITIAL_CONTACT                 NotifyType = 16384
	SET_WINDOW_SIZE                 NotifyType = 16385
	NAT_DETECTION_SOURCE_IP         NotifyType = 16388
	NAT_DETECTION_DESTINATION_IP    NotifyType = 16389
	COOKIE                          NotifyType = 16390
	USE_TRANSPORT_MODE              NotifyType = 16391
	REKEY_SA                        NotifyType = 16393
	ESP_TFC_PADDING_NOT_SUPPORTED   NotifyType = 16394
	NON_FIRST_FRAGMENTS_ALSO        NotifyType = 16395
	MOBIKE_SUPPORTED                NotifyType = 16396
	NO_ADDITIONAL_ADDRESSES         NotifyType = 16399
	MULTIPLE_AUTH_SUPPORTED         NotifyType = 16404
	REDIRECT_SUPPORTED              NotifyType = 16406
	EAP_ONLY_AUTHENTICATION         NotifyType = 16417
	CHILDLESS_IKEV2_SUPPORTED       NotifyType = 16418
	IKEV2_MESSAGE_ID_SYNC_SUPPORTED NotifyType = 16420
	IKEV2_FRAGMENTATION_SUPPORTED   NotifyType = 16430
	SIGNATURE_HASH_ALGORITHMS       NotifyType = 16431
)

var notifyNames = map[NotifyType]string{
	UNSUPPORTED_CRITICAL_PAYLOAD:    "UNSUPPORTED_CRITICAL_PAYLOAD",
	INVALID_IKE_SPI:                 "INVALID_IKE_SPI",
	INVALID_MAJOR_VERSION:           "INVALID_MAJOR_VERSION",
	INVALID_SYNTAX:                  "INVALID_SYNTAX",
	INVALID_MESSAGE_ID:              "INVALID_MESSAGE_ID",
	INVALID_SPI:                     "INVALID_SPI",
	NO_PROPOSAL_CHOSEN:              "NO_PROPOSAL_CHOSEN",
	INVALID_KE_PAYLOAD:              "INVALID_KE_PAYLOAD",
	AUTHENTICATION_FAILED:           "AUTHENTICATION_FAILED",
	SINGLE_PAIR_REQUIRED:            "SINGLE_PAIR_REQUIRED",
	NO_ADDITIONAL_SAS:               "NO_ADDITIONAL_SAS",
	INTERNAL_ADDRESS_FAILURE:        "INTERNAL_ADDRESS_FAILURE",
	FAILED_CP_REQUIRED:              "FAILED_CP_REQUIRED",
	TS_UNACCEPTABLE:                 "TS_UNACCEPTABLE",
	INVALID_SELECTORS:               "INVALID_SELECTORS",
	TEMPORARY_FAILURE:               "TEMPORARY_FAILURE",
	CHILD_SA_NOT_FOUND:              "CHILD_SA_NOT_FOUND",
	INITIAL_CONTACT:                 "INITIAL_CONTACT",
	SET_WINDOW_SIZE:                 "SET_WINDOW_SIZE",
	NAT_DETECTION_SOURCE_IP:         "NAT_DETECTION_SOURCE_IP",
	NAT_DETECTION_DESTINATION_IP:    "NAT_DETECTION_DESTINATION_IP",
	COOKIE:                          "COOKIE",
	USE_TRANSPORT_MODE:              "USE_TRANSPORT_MODE",
	REKEY_SA:                        "REKEY_SA",
	ESP_TFC_PADDING_NOT_SUPPORTED:   "ESP_TFC_PADDING_NOT_SUPPORTED",
	NON_FIRST_FRAGMENTS_ALSO:        "NON_FIRST_FRAGMENTS_ALSO",
	MOBIKE_SUPPORTED:                "MOBIKE_SUPPORTED",
	NO_ADDITIONAL_ADDRESSES:         "NO_ADDITIONAL_ADDRESSES",
	MULTIPLE_AUTH_SUPPORTED:         "MULTIPLE_AUTH_SUPPORTED",
	REDIRECT_SUPPORTED:              "REDIRECT_SUPPORTED",
	EAP_ONLY_AUTHENTICATION:         "EAP_ONLY_AUTHENTICATION",
	CHILDLESS_IKEV2_SUPPORTED:       "CHILDLESS_IKEV2_SUPPORTED",
	IKEV2_MESSAGE_ID_SYNC_SUPPORTED: "IKEV2_MESSAGE_ID_SYNC_SUPPORTED",
	IKEV2_FRAGMENTATION_SUPPORTED:   "IKEV2_FRAGMENTATION_SUPPORTED",
	SIGNATURE_HASH_ALGORITHMS:       "SIGNATURE_HASH_ALGORITHMS",
}

func (n NotifyType) String() string { return nameOf(notifyNames, "Notify", n) }

// IsError reports whether n is in the error range (below 16384). An error
// notification in a response means the request failed.
func (n NotifyType) IsError() bool { return n < 16384 }
