package ipsec

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/testkit/netnstest"
)

// TestStrongSwanCookie: charon asks for a cookie as soon as one other
// IKE SA is half open (cookie_threshold = 1, as it does by default from
// ten): our endpoint initiates on demand, answers the COOKIE by sending
// IKE_SA_INIT again with the cookie first (RFC 7296 section 2.6), and the
// IKE SA and its child come up.
func TestStrongSwanCookie(t *testing.T) {
	s := setupInteropWith(t, interopOpts{charonConf: "  cookie_threshold = 1\n  block_threshold = 0\n"})
	s.halfOpenAtCharon()
	s.weInitiate()
	log, err := os.ReadFile(s.charonLog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "N(COOKIE)") {
		t.Errorf("charon asked for no cookie, so the test shows nothing:\n%s", log)
	}
	noDropsExcept(t, s.ep)
}

// halfOpenAtCharon sends charon an IKE_SA_INIT from another port of our
// namespace and never goes on, so charon holds one half-open IKE SA.
func (s *interop) halfOpenAtCharon() {
	t := s.t
	var conn *net.UDPConn
	netnstest.InNetns(t, s.gwNS, func() (err error) {
		conn, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IP(ssGW.AsSlice()), Port: 5555})
		return err
	})
	defer conn.Close()
	random := func(n int) []byte {
		b := make([]byte, n)
		rand.Read(b)
		return b
	}
	m := &wire.Message{SPIi: binary.BigEndian.Uint64(random(8)), Exchange: wire.IKE_SA_INIT, Flags: wire.FlagInitiator,
		Payloads: []wire.Payload{
			&wire.SA{Proposals: []wire.Proposal{{Number: 1, Protocol: wire.ProtoIKE, Transforms: []wire.Transform{
				{Type: wire.TransformENCR, ID: uint16(wire.ENCR_AES_GCM_16), KeyLength: 128},
				{Type: wire.TransformPRF, ID: uint16(wire.PRF_HMAC_SHA2_256)},
				{Type: wire.TransformDH, ID: uint16(wire.Curve25519)},
			}}}},
			&wire.KE{Group: wire.Curve25519, Data: random(32)},
			&wire.Nonce{Data: random(32)},
		}}
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.WriteToUDP(b, &net.UDPAddr{IP: net.IP(s.charonAt.AsSlice()), Port: 500}); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 2048)
	n, _, err := conn.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("charon did not answer the half-open IKE_SA_INIT: %v", err)
	}
	if r, err := wire.DecodeMessage(buf[:n]); err != nil || wire.Find(r.Payloads, wire.PayloadSA) == nil {
		t.Fatalf("charon's answer to the half-open IKE_SA_INIT: %v %v", r, err)
	}
}

// TestStrongSwanSimultaneousInitiation: both ends initiate at once, and
// both IKE_AUTH requests carry INITIAL_CONTACT; charon holds our IKE_AUTH
// back 1.5 s so its own exchange overtakes it. INITIAL_CONTACT drops only
// established SAs (RFC 7296 section 2.4), so the two sides end up sharing
// an IKE SA and traffic from charon's side passes. Each side used to drop
// the SA it was negotiating, and they shared none.
func TestStrongSwanSimultaneousInitiation(t *testing.T) {
	s := setupInteropWith(t, interopOpts{charonConf: "  receive_delay = 1500\n  receive_delay_type = 35\n" +
		"  receive_delay_request = yes\n  receive_delay_response = no\n"})
	if v := s.ep.Outbound(udp4(appAddr, netip.MustParseAddr("10.99.0.2"), 7000, 7, []byte("both at once"))); v != Queued {
		t.Fatalf("our first packet: %v, want queued", v)
	}
	time.Sleep(100 * time.Millisecond)
	_, _ = s.trySwanctl("--initiate", "--child", "net", "--timeout", "10")
	// Past charon's hold on our IKE_AUTH and its answer: the outcome of
	// both INITIAL_CONTACTs is settled.
	time.Sleep(3 * time.Second)
	eventually(t, "an IKE SA established on both sides", func() bool {
		sas, err := s.trySwanctl("--list-sas")
		if err != nil {
			return false
		}
		for _, i := range s.ep.SAs().IKE {
			if i.State == ikesa.StateEstablished && strings.Contains(string(sas), fmt.Sprintf("%016x_i", i.ID.SPIi)) {
				return true
			}
		}
		return false
	})
	s.udpThroughTunnel(2)
}
