package ipsec

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// PacketConn is the endpoint's pair of UDP sockets, on local ports 500 and
// 4500 of Config.Local. The endpoint owns it: it reads each port from its
// own goroutine and closes the conn in Endpoint.Close, after which ReadFrom
// must return an error.
type PacketConn interface {
	// ReadFrom blocks until a datagram arrives on localPort and copies it
	// into b.
	ReadFrom(localPort uint16, b []byte) (n int, src netip.AddrPort, err error)
	// WriteTo sends b from localPort to dst. It must not block for long;
	// like UDP it may lose the datagram.
	WriteTo(localPort uint16, b []byte, dst netip.AddrPort) error
	Close() error
}

// Peer is one remote IKE party.
type Peer struct {
	// Name is how SPD tunnel templates refer to the peer.
	Name string
	// Addr is where the peer is reached. The zero Addr means "any": the
	// peer may connect from anywhere, and we never initiate to it.
	Addr netip.Addr
	ID   ikesa.Identity
	PSK  []byte
	// AuthMe is how we authenticate to the peer: zero for PSK, or a
	// signature method with Config.Credentials (see ikesa.Peer.AuthMe).
	AuthMe wire.AuthMethod
	// CertAuth lets the peer authenticate with a certificate that chains
	// to Config.Credentials' CAs.
	CertAuth bool
	// IKELifetime is how long an IKE SA with the peer lives: it is
	// refreshed (rekeyed) before the end and deleted at it (ikelife.go).
	// Zero: no end.
	IKELifetime time.Duration
	// ReauthInterval is how long after the peer last authenticated an IKE
	// SA with it is negotiated afresh, both ends authenticated again
	// (ikelife.go). Zero: never.
	ReauthInterval time.Duration
	// LocalTS and RemoteTS are the widest traffic selectors for the
	// peer's child SAs: our side and its side. Each child SA carries one
	// IPSEC filter of the SPD for the peer, cut to them (see rules.go).
	LocalTS, RemoteTS []netip.Prefix
}

// Config configures an Endpoint.
type Config struct {
	// Local is the address IKE and ESP are terminated on, e.g. a DVIPA.
	Local netip.Addr
	// ID is our IKE identity.
	ID    ikesa.Identity
	Peers []Peer
	// Credentials are our certificate, key and CAs, for peers that
	// authenticate by signature (LoadCredentials reads them).
	Credentials *ikesa.Credentials
	// Identities, when set, is shared by the endpoints of one stack, so
	// INITIAL_CONTACT is decided by identity pair across them (see
	// ikesa.Identities); nil: this endpoint counts alone.
	Identities *ikesa.Identities
	// IKE and ESP are the acceptable suites, most preferred first; nil
	// means DefaultIKE and DefaultESP. The IKE daemon negotiates one ESP
	// list for all peers, so tunnel templates cannot narrow it.
	IKE, ESP []ikesa.Suite
	// LeftOut names the offers of the plan FromPlan left out of IKE and
	// ESP because tcpipc does not implement one of their algorithms, for
	// the run to report; New does not read it.
	LeftOut []string
	SPD     *SPD
	Clock   clock.Clock // clock.Real{} when nil
	Conn    PacketConn
	// OnCleartext receives each inbound packet after decryption and the
	// selector check. It owns the slice. It runs on a receive goroutine
	// and may call Outbound.
	OnCleartext func(ipPacket []byte)
	// KeyLog, when set, receives Wireshark esp_sa and
	// ikev2_decryption_table lines (see keylog.go).
	KeyLog io.Writer
	// Liveness is how often each established IKE SA is checked with an
	// empty INFORMATIONAL request; zero turns liveness checks off.
	Liveness time.Duration
	// Keepalive is the NAT keepalive interval when we are behind a NAT;
	// zero means natt.KeepaliveInterval, a negative value turns them off.
	Keepalive time.Duration
	// RekeyedGrace is how long the inbound SA of a child replaced by a
	// rekey keeps decrypting after its Delete, for packets in flight;
	// zero means DefaultRekeyedGrace, a negative value removes it at once.
	RekeyedGrace time.Duration
	// QueueLimit bounds the packets held per peer while its SA is
	// negotiated; zero means DefaultQueueLimit.
	QueueLimit int
	// RetransmitTimeout and RetransmitTries tune the IKE retransmission
	// schedule; zero means the ikesa defaults.
	RetransmitTimeout time.Duration
	RetransmitTries   int
	// InitLimits decide when the IKE daemon demands cookies of peers that
	// start IKE SAs and how many half-open ones it keeps; nil means
	// ikesa.DefaultInitLimits.
	InitLimits *ikesa.InitLimits
}

// DefaultQueueLimit is how many packets wait per peer for an SA.
const DefaultQueueLimit = 64

// DefaultRekeyedGrace is strongSwan's default delete_rekeyed_delay.
const DefaultRekeyedGrace = 5 * time.Second

// DefaultIKE and DefaultESP are the suites used when Config leaves them
// nil: strongSwan's aes128gcm16-prfsha256-x25519 and aes128gcm16.
var (
	DefaultIKE = []ikesa.Suite{{Encr: wire.ENCR_AES_GCM_16, KeyBits: 128, PRF: wire.PRF_HMAC_SHA2_256, DH: wire.Curve25519}}
	DefaultESP = []ikesa.Suite{{Encr: wire.ENCR_AES_GCM_16, KeyBits: 128}}
)

func (c *Config) validate() error {
	var errs []error
	if !c.Local.IsValid() {
		errs = append(errs, errors.New("no local address"))
	}
	if c.Conn == nil {
		errs = append(errs, errors.New("no PacketConn"))
	}
	if c.SPD == nil {
		errs = append(errs, errors.New("no SPD"))
	}
	names := map[string]bool{}
	for _, p := range c.Peers {
		if p.Name == "" || names[p.Name] {
			errs = append(errs, fmt.Errorf("peer name %q is empty or used twice", p.Name))
		}
		names[p.Name] = true
		if p.Addr.IsValid() && p.Addr.Is4() != c.Local.Is4() {
			errs = append(errs, fmt.Errorf("peer %q: address %s is not of the local address family", p.Name, p.Addr))
		}
	}
	if c.SPD != nil {
		for _, f := range c.SPD.filters {
			if f.Action == ActionIPsec && !names[f.Tunnel.Peer] {
				errs = append(errs, fmt.Errorf("filter %q names unknown peer %q", f.Name, f.Tunnel.Peer))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("ipsec: invalid config: %w", err)
	}
	return nil
}

// ikePeers translates our peers for the IKE daemon.
func (c *Config) ikePeers() []ikesa.Peer {
	out := make([]ikesa.Peer, 0, len(c.Peers))
	for _, p := range c.Peers {
		ip := ikesa.Peer{Name: p.Name, ID: p.ID, PSK: p.PSK, AuthMe: p.AuthMe, CertAuth: p.CertAuth,
			LocalTS: selectors(p.LocalTS), RemoteTS: selectors(p.RemoteTS), Policies: ruleSelectors(c.SPD, p)}
		if p.Addr.IsValid() {
			ip.Addr = netip.AddrPortFrom(p.Addr, ikePort)
		}
		out = append(out, ip)
	}
	return out
}

func selectors(ps []netip.Prefix) []wire.Selector {
	out := make([]wire.Selector, len(ps))
	for i, p := range ps {
		out[i] = ikesa.Prefix(p)
	}
	return out
}
