package ikesa

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/certid"
	"github.com/tcpipc/tcpipc/internal/ike/ikecrypto"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// Identity is an IKE identity as carried in an ID payload.
type Identity struct {
	Type wire.IDType
	Data []byte
	// Wildcard makes a peer's identity stand for many peers, as IBM lets
	// a RemoteSecurityEndpoint's identity: for a name type Data is then a
	// pattern in which '*' stands for any run of characters (compared
	// without regard to case), for an address type First and Last bound
	// the addresses it covers. A wildcard is never sent.
	Wildcard    bool
	First, Last netip.Addr
}

// idOf is the identity an ID payload carries.
func idOf(p *wire.ID) Identity { return Identity{Type: p.IDType, Data: slices.Clone(p.Data)} }

// FQDN is an ID_FQDN identity.
func FQDN(name string) Identity { return Identity{Type: wire.ID_FQDN, Data: []byte(name)} }

func (id Identity) String() string {
	if id.Wildcard {
		if id.First.IsValid() {
			return id.First.String() + "-" + id.Last.String()
		}
		return string(id.Data)
	}
	switch id.Type {
	case wire.ID_IPV4_ADDR, wire.ID_IPV6_ADDR:
		if a, ok := netip.AddrFromSlice(id.Data); ok {
			return a.String()
		}
	case wire.ID_FQDN, wire.ID_RFC822_ADDR:
		return string(id.Data)
	case wire.ID_DER_ASN1_DN:
		if s, ok := certid.DNString(id.Data); ok {
			return s
		}
	}
	return fmt.Sprintf("%s:%x", id.Type, id.Data)
}

// equal compares an ID payload with id. Distinguished names compare by
// meaning (sameDN), since the peer encodes its DN from its certificate and
// we from the policy's text.
func (id Identity) equal(p *wire.ID) bool {
	if id.Wildcard {
		return id.covers(p)
	}
	if p.IDType == wire.ID_DER_ASN1_DN && id.Type == wire.ID_DER_ASN1_DN {
		return certid.SameDN(id.Data, p.Data)
	}
	return p.IDType == id.Type && string(p.Data) == string(id.Data)
}

// Suite is one combination of transforms we offer or accept. For an IKE
// SA every field but ESN matters. For a child SA PRF is unused, DH is the
// PFS group for children made by CREATE_CHILD_SA (the first child, made in
// IKE_AUTH, never has PFS) and ESN picks extended sequence numbers. Integ
// is AUTH_NONE with AES-GCM.
type Suite struct {
	Encr    wire.EncrID
	KeyBits int
	Integ   wire.IntegID
	PRF     wire.PRFID
	DH      wire.DHGroup
	ESN     bool
}

func (s Suite) String() string {
	out := fmt.Sprintf("%s_%d", s.Encr, s.KeyBits)
	if s.Integ != wire.AUTH_NONE {
		out += "-" + s.Integ.String()
	}
	if s.PRF != 0 {
		out += "-" + s.PRF.String()
	}
	if s.DH != wire.DHNone {
		out += "-" + s.DH.String()
	}
	if s.ESN {
		out += "-ESN"
	}
	return out
}

// Peer is what we know about one remote party: how to reach and
// recognise it, the key it shares with us and the traffic its child SAs
// carry. LocalTS and RemoteTS are the widest selectors we allow; as
// responder we narrow the initiator's proposal to them.
type Peer struct {
	Name string
	Addr netip.AddrPort // where Initiate sends IKE_SA_INIT
	ID   Identity
	// PSK is the pre-shared key; a peer without one cannot authenticate
	// with SHARED_KEY_MIC.
	PSK ikecrypto.Key
	// AuthMe is how we authenticate to the peer (z/OS HowToAuthMe): zero
	// or AuthSharedKeyMIC for PSK, or AuthRSASig, AuthECDSA256/384/521 or
	// AuthDigitalSig to sign with Config.Credentials.
	AuthMe wire.AuthMethod
	// CertAuth lets the peer authenticate with a signature by a
	// certificate that chains to Config.Credentials.CAs and carries ID.
	CertAuth bool
	LocalTS  []wire.Selector
	RemoteTS []wire.Selector
	// Policies, when set, are the selector pairs of the filter rules that
	// protect traffic with the peer, in search order, each already inside
	// LocalTS and RemoteTS. As responder we then narrow a proposal to one
	// of them (see chooseSelectors), so a child SA carries one rule's
	// addresses, protocol and ports, never a mix of two rules.
	Policies []Selectors
}

// Selectors is one pair of traffic selector lists seen from our side:
// Local for our end of the traffic, Remote for the peer's.
type Selectors struct {
	Local, Remote []wire.Selector
}

func (s Selectors) empty() bool { return len(s.Local) == 0 || len(s.Remote) == 0 }

// policies returns the selector pairs a child SA with p may carry.
func (p *Peer) policies() []Selectors {
	if len(p.Policies) > 0 {
		return p.Policies
	}
	return []Selectors{{Local: p.LocalTS, Remote: p.RemoteTS}}
}

// Config configures a Daemon.
type Config struct {
	// Local is our IKE address; NAT detection hashes it.
	Local netip.AddrPort
	// ID is our identity, sent as IDi or IDr.
	ID    Identity
	Peers []Peer
	// Credentials, when peers authenticate by certificate: our chain
	// and key (which must carry ID) and the CAs we trust.
	Credentials *Credentials
	// IKE and ESP list acceptable suites, most preferred first.
	IKE []Suite
	ESP []Suite

	Transport Transport
	Clock     clock.Clock // clock.Real{} when nil
	Rand      io.Reader   // crypto/rand when nil

	// RetransmitTimeout is the wait before the first retransmission; each
	// further wait doubles it. After RetransmitTries retransmissions
	// without an answer the IKE SA is declared dead.
	RetransmitTimeout time.Duration
	RetransmitTries   int
	// HalfOpenTimeout bounds how long a responder keeps an IKE SA whose
	// IKE_AUTH never came.
	HalfOpenTimeout time.Duration
	// InitLimits decide when IKE_SA_INIT requests must carry a cookie and
	// how many half-open SAs we keep (cookies.go); nil: DefaultInitLimits.
	InitLimits *InitLimits

	// OnChildSA is called when a child SA is established, OnChildSADeleted
	// when it goes away, OnIKESA when an IKE SA becomes established or
	// dead (err says why for a failure). Callbacks run without the
	// daemon's lock held, on the goroutine that delivered the datagram or
	// fired the timer.
	OnChildSA        func(ChildSA)
	OnChildSADeleted func(ChildSA)
	OnIKESA          func(info IKESAInfo, err error)
	// OnChildRefused is called when the child SA an initiator proposed
	// in IKE_AUTH is not set up (the responder refused it, or its answer
	// could not be accepted) while the IKE SA comes up without it (RFC
	// 7296 section 1.2): without it a caller waiting for that child
	// would wait as long as the IKE SA lives.
	OnChildRefused func(info IKESAInfo, err error)
	// Identities, when set, is shared by the daemons of one host (a
	// stack's endpoints), so INITIAL_CONTACT is decided by identity pair
	// across them; nil: the daemon counts its own IKE SAs only.
	Identities *Identities
	// OnKeys, when set, is called each time an IKE SA's SK_* keys are
	// derived: after IKE_SA_INIT and after an IKE SA rekey. It exists
	// only so that a caller asked to write a Wireshark key log can; it
	// runs like the other callbacks, without the daemon's lock held.
	OnKeys func(IKESAKeys)
}

// IKESAKeys are the keys of one IKE SA as OnKeys reports them. The keys
// are ikecrypto.Key values, so printing an IKESAKeys never shows them.
type IKESAKeys struct {
	ID    IKESAID
	Suite Suite
	Keys  ikecrypto.IKEKeys
}

// Defaults for Config fields left zero. The retransmission schedule is
// shorter than strongSwan's (4 s × 1.8^n, 5 tries) because our peers are
// local.
const (
	DefaultRetransmitTimeout = 2 * time.Second
	DefaultRetransmitTries   = 5
	DefaultHalfOpenTimeout   = 30 * time.Second
)

func (c *Config) validate() error {
	var errs []error
	if !c.Local.IsValid() {
		errs = append(errs, errors.New("no local address"))
	}
	if len(c.ID.Data) == 0 {
		errs = append(errs, errors.New("no local identity"))
	}
	if c.Transport == nil {
		errs = append(errs, errors.New("no transport"))
	}
	if len(c.IKE) == 0 || len(c.ESP) == 0 {
		errs = append(errs, errors.New("no IKE or no ESP suites"))
	}
	for _, s := range c.IKE {
		if _, err := resolveIKE(s); err != nil {
			errs = append(errs, fmt.Errorf("IKE suite %s: %w", s, err))
		}
	}
	for _, s := range c.ESP {
		if _, _, err := resolveESP(s); err != nil {
			errs = append(errs, fmt.Errorf("ESP suite %s: %w", s, err))
		}
	}
	for _, p := range c.Peers {
		if len(p.LocalTS) == 0 || len(p.RemoteTS) == 0 {
			errs = append(errs, fmt.Errorf("peer %q needs traffic selectors", p.Name))
		}
		if len(p.PSK) == 0 && (p.authMe() == wire.AuthSharedKeyMIC || !p.CertAuth) {
			errs = append(errs, fmt.Errorf("peer %q needs a PSK", p.Name))
		}
	}
	if c.InitLimits != nil {
		if err := c.InitLimits.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, c.validateCredentials()...)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("ikesa: invalid config: %w", err)
	}
	return nil
}

// CheckSuite reports whether tcpipc implements every algorithm of an IKE
// suite (ike) or an ESP suite, and if not, which one it lacks.
func CheckSuite(s Suite, ike bool) error {
	if ike {
		_, err := resolveIKE(s)
		return err
	}
	_, _, err := resolveESP(s)
	return err
}

// ikeAlgs is a resolved IKE suite.
type ikeAlgs struct {
	suite Suite
	encr  *ikecrypto.Encr
	integ *ikecrypto.Integ // nil with AEAD
	prf   *ikecrypto.PRF
	dh    *ikecrypto.DH
}

func resolveIKE(s Suite) (*ikeAlgs, error) {
	a := &ikeAlgs{suite: s}
	var err error
	if a.encr, a.integ, err = resolveESP(s); err != nil {
		return nil, err
	}
	if a.prf, err = ikecrypto.LookupPRF(s.PRF); err != nil {
		return nil, err
	}
	if a.dh, err = ikecrypto.LookupDH(s.DH); err != nil {
		return nil, err
	}
	return a, nil
}

// resolveESP resolves the cipher and integrity part of a suite, which is
// all a child SA negotiates here.
func resolveESP(s Suite) (*ikecrypto.Encr, *ikecrypto.Integ, error) {
	encr, err := ikecrypto.LookupEncr(s.Encr, s.KeyBits)
	if err != nil {
		return nil, nil, err
	}
	if encr.IsAEAD() != (s.Integ == wire.AUTH_NONE) {
		return nil, nil, fmt.Errorf("%s needs %s integrity", encr, map[bool]string{true: "no", false: "an"}[encr.IsAEAD()])
	}
	if s.DH != wire.DHNone {
		// For ESP, the PFS group of CREATE_CHILD_SA.
		if _, err := ikecrypto.LookupDH(s.DH); err != nil {
			return nil, nil, err
		}
	}
	if s.Integ == wire.AUTH_NONE {
		return encr, nil, nil
	}
	integ, err := ikecrypto.LookupInteg(s.Integ)
	return encr, integ, err
}
