package swsa

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"time"

	"github.com/tcpipc/tcpipc/plan"
)

// Version names the record format. It changes when a field changes
// meaning or disappears; Decode refuses every other version, so a stack
// never renegotiates from a record it misreads.
const Version = "tcpipc.swsa/v1"

// Limits that keep a record (and the work of decoding one) small.
const (
	MaxRecordBytes    = 64 << 10
	MaxChildren       = 64
	MaxSelectors      = 16
	MaxIdentityLength = 255
	// MaxLifetimeSeconds bounds lifetimes at a week: z/OS offers stay far
	// below it, and a larger value is a corrupt record.
	MaxLifetimeSeconds = 7 * 24 * 3600
)

// Record is what the structure keeps for one dynamic tunnel whose local
// end is a DVIPA: enough for another stack's IKE daemon to negotiate the
// same tunnel again, and the SPIs to delete the old child SAs on takeback.
//
// It has no field for key material (keys, nonces, SKEYSEED, pre-shared
// keys): TestRecordHoldsNoKeys walks the type to keep it so.
type Record struct {
	Version string `json:"version"`
	// DVIPA is the tunnel's local end.
	DVIPA netip.Addr `json:"dvipa"`
	// TunnelID names the tunnel on the writing stack (z/OS's tunnel ID);
	// it is the record's key under the DVIPA.
	TunnelID string `json:"tunnelId"`
	// VPNAction is the IpDynVpnAction the tunnel was negotiated under.
	VPNAction string `json:"vpnAction"`
	// Writer is the stack that wrote the record, Written when (from the
	// runtime's clock).
	Writer  string    `json:"writer"`
	Written time.Time `json:"written"`

	Local Identity `json:"local"`
	Peer  Peer     `json:"peer"`
	IKE   IKESA    `json:"ike"`
	// Children are the tunnel's child SAs (none between an IKE SA's
	// setup and its first child, or after the last child's delete).
	Children []ChildSA `json:"children"`
}

// Identity is an IKE identity (RFC 7296 §3.5): its type (IPADDR, FQDN,
// USERFQDN, X500DN, KEYID, the plan's words) and value.
type Identity struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Peer is the remote end of the tunnel as the writer last saw it.
type Peer struct {
	Identity Identity `json:"identity"`
	// Addr is the peer's current address and port: after NAT, the
	// mapping the writer's IKE SA last used.
	Addr netip.AddrPort `json:"addr"`
	// BehindNAT is true when NAT detection (RFC 7296 §2.23) found a NAT
	// in front of the peer: a new holder initiates to Addr on port 4500
	// if the NAT is one-to-one, and not at all behind a NAPT (planner.go).
	BehindNAT bool `json:"behindNat,omitempty"`
}

// IKESA is the negotiated IKE SA, without its keys.
type IKESA struct {
	Version string `json:"version"` // IKEv1 or IKEv2
	// SPIi and SPIr identify the writer's IKE SA (RFC 7296 §3.1).
	SPIi uint64 `json:"spii,string"`
	SPIr uint64 `json:"spir,string"`
	// Transforms are the chosen ENCR (with key length), PRF, INTEG and DH.
	Transforms      []plan.Transform `json:"transforms"`
	LifetimeSeconds int              `json:"lifetimeSeconds"`
}

// ChildSA is one negotiated pair of child SAs.
type ChildSA struct {
	Protocol string `json:"protocol"` // ESP or AH
	Mode     string `json:"mode"`     // TUNNEL or TRANSPORT
	// Encap is UDP for ESP in UDP (RFC 3948), NONE otherwise.
	Encap string `json:"encap"`
	// InboundSPI and OutboundSPI are the SPIs of the writer's inbound
	// and outbound SA: what a takeback deletes (RFC 7296 §3.11).
	InboundSPI  uint32 `json:"inboundSpi"`
	OutboundSPI uint32 `json:"outboundSpi"`
	// Transforms are the chosen ENCR (with key length), INTEG and ESN.
	Transforms []plan.Transform `json:"transforms"`
	// PFS is the Diffie-Hellman group of the child SA's PFS, nil without.
	PFS             *plan.Transform `json:"pfs,omitempty"`
	LifetimeSeconds int             `json:"lifetimeSeconds"`
	// Local and Remote are the traffic selectors (RFC 7296 §3.13).
	Local  []TrafficSelector `json:"local"`
	Remote []TrafficSelector `json:"remote"`
}

// TrafficSelector is one address range, port range and protocol (0: any),
// as RFC 7296 §3.13.1 writes it.
type TrafficSelector struct {
	Protocol  uint8      `json:"protocol"`
	Start     netip.Addr `json:"start"`
	End       netip.Addr `json:"end"`
	StartPort uint16     `json:"startPort"`
	EndPort   uint16     `json:"endPort"`
}

// Selector is the address part as the plan's one Selector type.
func (ts TrafficSelector) Selector() plan.Selector {
	return plan.Selector{Lo: ts.Start, Hi: ts.End}
}

// Key is the record's key in the structure: DVIPA/tunnel.
func (r *Record) Key() string { return Key(r.DVIPA, r.TunnelID) }

// Key is the structure key of a tunnel of a DVIPA.
func Key(dvipa netip.Addr, tunnel string) string { return Prefix(dvipa) + tunnel }

// Prefix is the key prefix of every record of a DVIPA.
func Prefix(dvipa netip.Addr) string { return dvipa.String() + "/" }

// ErrVersion is wrapped by Decode's error for a record of another version.
var ErrVersion = errors.New("unknown SWSA record version")

// Encode writes the record's wire form: JSON, fields in a fixed order.
func Encode(r *Record) ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(r)
}

// Decode reads a record's wire form. It refuses a record of another
// version, a field it does not know (there is no place for a key, and a
// key smuggled in under another name is refused rather than dropped), and
// any field Validate refuses.
func Decode(data []byte) (*Record, error) {
	if len(data) > MaxRecordBytes {
		return nil, fmt.Errorf("SWSA record of %d bytes: at most %d", len(data), MaxRecordBytes)
	}
	// Unmarshal also refuses data after the record.
	var head struct {
		Version *string `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("SWSA record: %w", err)
	}
	switch {
	case head.Version == nil:
		return nil, fmt.Errorf("SWSA record has no version: %w", ErrVersion)
	case *head.Version != Version:
		return nil, fmt.Errorf("%w %q (this tcpipc reads %s)", ErrVersion, *head.Version, Version)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Record
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("SWSA record: %w", err)
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

var (
	tunnelRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,32}$`)
	// stackRE is an MVS system name: 1 to 8 characters.
	stackRE = regexp.MustCompile(`^[A-Z$#@][A-Z0-9$#@]{0,7}$`)
	// nameRE is a policy object name (IpDynVpnAction): at most 32
	// characters, no blank, no comma, no leading dash.
	nameRE = regexp.MustCompile(`^[^\s,\-][^\s,]{0,31}$`)
)

// Validate checks every field; the error names the first bad one.
func (r *Record) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("SWSA record %s: %s: %s", r.TunnelID, field, fmt.Sprintf(format, args...))
	}
	switch {
	case r.Version != Version:
		return fmt.Errorf("%w %q (this tcpipc reads %s)", ErrVersion, r.Version, Version)
	case !tunnelRE.MatchString(r.TunnelID):
		return bad("tunnelId", "%q is not 1 to 32 letters, digits, '.', '_' or '-'", r.TunnelID)
	case !r.DVIPA.IsValid() || r.DVIPA.Zone() != "" || r.DVIPA.Is4In6():
		return bad("dvipa", "not an IPv4 or IPv6 address")
	case !nameRE.MatchString(r.VPNAction):
		return bad("vpnAction", "%q is not a policy name", r.VPNAction)
	case !stackRE.MatchString(r.Writer):
		return bad("writer", "%q is not a system name", r.Writer)
	case r.Written.IsZero():
		return bad("written", "missing")
	}
	if err := r.Local.validate(); err != nil {
		return bad("local", "%v", err)
	}
	if err := r.Peer.validate(r.DVIPA); err != nil {
		return bad("peer", "%v", err)
	}
	if err := r.IKE.validate(); err != nil {
		return bad("ike", "%v", err)
	}
	if len(r.Children) > MaxChildren {
		return bad("children", "%d child SAs, at most %d", len(r.Children), MaxChildren)
	}
	for i, c := range r.Children {
		if err := c.validate(r.DVIPA, r.Peer.Addr.Addr()); err != nil {
			return bad(fmt.Sprintf("children[%d]", i), "%v", err)
		}
		for _, o := range r.Children[:i] {
			if o.InboundSPI == c.InboundSPI || o.OutboundSPI == c.OutboundSPI {
				return bad(fmt.Sprintf("children[%d]", i), "SPI used twice in one tunnel")
			}
		}
	}
	return nil
}

var identityTypes = []string{"IPADDR", "FQDN", "USERFQDN", "X500DN", "KEYID"}

func (id Identity) validate() error {
	if !slices.Contains(identityTypes, id.Type) {
		return fmt.Errorf("identity type %q is not one of %v", id.Type, identityTypes)
	}
	if id.Value == "" || len(id.Value) > MaxIdentityLength {
		return fmt.Errorf("identity value of %d bytes: 1 to %d", len(id.Value), MaxIdentityLength)
	}
	for _, c := range id.Value {
		if c < 0x20 || c == 0x7f || c == 0xfffd {
			return fmt.Errorf("identity value holds control character %U", c)
		}
	}
	if id.Type == "IPADDR" {
		if _, err := netip.ParseAddr(id.Value); err != nil {
			return fmt.Errorf("IPADDR identity %q is not an address", id.Value)
		}
	}
	return nil
}

func (p Peer) validate(dvipa netip.Addr) error {
	if err := p.Identity.validate(); err != nil {
		return err
	}
	a := p.Addr.Addr()
	switch {
	case !a.IsValid() || a.Zone() != "" || a.Is4In6():
		return errors.New("addr: not an address and port")
	case a.BitLen() != dvipa.BitLen():
		return fmt.Errorf("addr %s: not of the DVIPA's family", a)
	case a.IsUnspecified() || a.IsMulticast() || a == dvipa:
		return fmt.Errorf("addr %s: not a peer's unicast address", a)
	case p.Addr.Port() == 0:
		return errors.New("addr: port 0")
	}
	return nil
}

func (s IKESA) validate() error {
	if s.Version != "IKEv1" && s.Version != "IKEv2" {
		return fmt.Errorf("version %q: IKEv1 or IKEv2", s.Version)
	}
	if s.SPIi == 0 {
		return errors.New("spii: 0 is no IKE SA")
	}
	if err := lifetime(s.LifetimeSeconds); err != nil {
		return err
	}
	if err := transforms(s.Transforms, ikeTransforms); err != nil {
		return err
	}
	for _, t := range s.Transforms {
		if t.Type == plan.TypeDH && t.ID == plan.DHNone {
			return errors.New("an IKE SA needs a Diffie-Hellman group")
		}
	}
	return nil
}

var (
	protocols = []string{"ESP", "AH"}
	modes     = []string{"TUNNEL", "TRANSPORT"}
	encaps    = []string{"NONE", "UDP"}
)

func (c ChildSA) validate(dvipa, peer netip.Addr) error {
	switch {
	case !slices.Contains(protocols, c.Protocol):
		return fmt.Errorf("protocol %q: ESP or AH", c.Protocol)
	case !slices.Contains(modes, c.Mode):
		return fmt.Errorf("mode %q: TUNNEL or TRANSPORT", c.Mode)
	case !slices.Contains(encaps, c.Encap):
		return fmt.Errorf("encap %q: NONE or UDP", c.Encap)
	case c.Protocol == "AH" && c.Encap == "UDP":
		return errors.New("AH cannot be encapsulated in UDP (RFC 3948)")
	case c.InboundSPI < 256 || c.OutboundSPI < 256:
		// RFC 4303 §2.1: SPIs 1 to 255 are reserved, 0 is none.
		return fmt.Errorf("SPIs %#x/%#x: 0 to 255 are reserved", c.InboundSPI, c.OutboundSPI)
	}
	if err := lifetime(c.LifetimeSeconds); err != nil {
		return err
	}
	allowed := espTransforms
	if c.Protocol == "AH" {
		allowed = ahTransforms
	}
	if err := transforms(c.Transforms, allowed); err != nil {
		return err
	}
	if c.PFS != nil {
		if err := transforms([]plan.Transform{*c.PFS}, map[plan.TransformType]bool{plan.TypeDH: true}); err != nil {
			return fmt.Errorf("pfs: %v", err)
		}
		if c.PFS.ID == plan.DHNone {
			return errors.New("pfs: group none; omit pfs instead")
		}
	}
	if err := selectors(c.Local, dvipa, true); err != nil {
		return fmt.Errorf("local: %v", err)
	}
	// The peer's current address may be a NAT mapping outside its inner
	// selectors, so only the DVIPA side must be covered.
	if err := selectors(c.Remote, peer, false); err != nil {
		return fmt.Errorf("remote: %v", err)
	}
	return nil
}

func lifetime(s int) error {
	if s <= 0 || s > MaxLifetimeSeconds {
		return fmt.Errorf("lifetime %ds: 1 to %d", s, MaxLifetimeSeconds)
	}
	return nil
}

// selectors checks a side's traffic selectors: ranges in order, of the
// family of the side's address, and, when cover says so, holding it.
func selectors(ts []TrafficSelector, end netip.Addr, cover bool) error {
	if len(ts) == 0 || len(ts) > MaxSelectors {
		return fmt.Errorf("%d traffic selectors: 1 to %d", len(ts), MaxSelectors)
	}
	covered := false
	for _, s := range ts {
		switch {
		case !s.Start.IsValid() || !s.End.IsValid() || s.Start.Zone() != "" || s.End.Zone() != "":
			return errors.New("selector without addresses")
		case s.Start.BitLen() != end.BitLen() || s.End.BitLen() != end.BitLen():
			return fmt.Errorf("selector %s-%s: not of the family of %s", s.Start, s.End, end)
		case s.End.Less(s.Start):
			return fmt.Errorf("selector %s-%s: end before start", s.Start, s.End)
		case s.EndPort < s.StartPort:
			return fmt.Errorf("selector ports %d-%d: end before start", s.StartPort, s.EndPort)
		}
		covered = covered || s.Selector().Contains(end)
	}
	if cover && !covered {
		return fmt.Errorf("no selector covers %s", end)
	}
	return nil
}

// The transform types each SA must choose exactly one of (true) or may
// choose (false).
var (
	ikeTransforms = map[plan.TransformType]bool{plan.TypeENCR: true, plan.TypePRF: true, plan.TypeINTEG: false, plan.TypeDH: true}
	espTransforms = map[plan.TransformType]bool{plan.TypeENCR: true, plan.TypeINTEG: false, plan.TypeESN: false}
	ahTransforms  = map[plan.TransformType]bool{plan.TypeINTEG: true, plan.TypeESN: false}
)

// knownIDs are the transform ids of plan/transforms.go: a record names
// only what the plan can offer.
var knownIDs = map[plan.TransformType][]plan.TransformID{
	plan.TypeENCR: {plan.EncrNull, plan.EncrAESCBC, plan.EncrAESCTR, plan.EncrAESGCM8, plan.EncrAESGCM12, plan.EncrAESGCM16, plan.EncrChaCha20Poly1305},
	plan.TypePRF:  {plan.PRFHMACSHA1, plan.PRFAES128XCBC, plan.PRFHMACSHA2_256, plan.PRFHMACSHA2_384, plan.PRFHMACSHA2_512, plan.PRFAES128CMAC},
	plan.TypeINTEG: {plan.IntegNone, plan.IntegHMACSHA1_96, plan.IntegAESXCBC96, plan.IntegAESCMAC96, plan.IntegAES128GMAC,
		plan.IntegHMACSHA2_256_128, plan.IntegHMACSHA2_384_192, plan.IntegHMACSHA2_512_256},
	plan.TypeDH:  {plan.DHNone, plan.DHMODP2048, plan.DHMODP3072, plan.DHMODP4096, plan.DHECP256, plan.DHECP384, plan.DHECP521, plan.DHCurve25519},
	plan.TypeESN: {plan.ESNNo, plan.ESNYes},
}

// aes lists the encryption ids that take a key length (RFC 7296 §3.3.5).
var aes = []plan.TransformID{plan.EncrAESCBC, plan.EncrAESCTR, plan.EncrAESGCM8, plan.EncrAESGCM12, plan.EncrAESGCM16}

// aead lists the combined-mode ciphers, which take no separate integrity
// transform (RFC 5282).
var aead = []plan.TransformID{plan.EncrAESGCM8, plan.EncrAESGCM12, plan.EncrAESGCM16, plan.EncrChaCha20Poly1305}

// transforms checks one SA's chosen transforms: one of each type at
// most, every required type present, known ids, AES key lengths of 128,
// 192 or 256 and none elsewhere, and integrity exactly when the cipher is
// not combined-mode.
func transforms(ts []plan.Transform, allowed map[plan.TransformType]bool) error {
	seen := map[plan.TransformType]plan.Transform{}
	for _, t := range ts {
		if _, ok := allowed[t.Type]; !ok {
			return fmt.Errorf("transform type %q not allowed here", t.Type)
		}
		if _, dup := seen[t.Type]; dup {
			return fmt.Errorf("two %s transforms", t.Type)
		}
		if !slices.Contains(knownIDs[t.Type], t.ID) {
			return fmt.Errorf("%s transform id %d unknown", t.Type, t.ID)
		}
		if len(t.Name) > 64 {
			return fmt.Errorf("%s transform name of %d bytes", t.Type, len(t.Name))
		}
		keyed := t.Type == plan.TypeENCR && slices.Contains(aes, t.ID)
		switch {
		case keyed && t.KeyLength != 128 && t.KeyLength != 192 && t.KeyLength != 256:
			return fmt.Errorf("ENCR %d key length %d: 128, 192 or 256", t.ID, t.KeyLength)
		case !keyed && t.KeyLength != 0:
			return fmt.Errorf("%s %d takes no key length", t.Type, t.ID)
		}
		seen[t.Type] = t
	}
	for typ, required := range allowed {
		if _, ok := seen[typ]; required && !ok {
			return fmt.Errorf("no %s transform", typ)
		}
	}
	if enc, ok := seen[plan.TypeENCR]; ok {
		integ, hasInteg := seen[plan.TypeINTEG]
		combined := slices.Contains(aead, enc.ID)
		switch {
		case combined && hasInteg && integ.ID != plan.IntegNone:
			return fmt.Errorf("combined-mode ENCR %d with INTEG %d", enc.ID, integ.ID)
		case !combined && (!hasInteg || integ.ID == plan.IntegNone):
			return fmt.Errorf("ENCR %d needs an integrity transform", enc.ID)
		}
	}
	return nil
}
