package ipsec

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/testkit/netnstest"
)

// TestStrongSwanCookie: charon asks for a cookie as soon as one other
// IKE SA is half open (cookie_threshold = 1; by default strongSwan 5.9.8
// does from 30, older releases from 10): our endpoint initiates on demand, answers the COOKIE by sending
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

// TestStrongSwanSendsOurCookie: our endpoint demands a cookie of every
// IKE_SA_INIT (ikesa.InitLimits with CookieThreshold 0). charon, which
// initiates, gets only a COOKIE, sends its request again with the cookie
// first (RFC 7296 section 2.6), and the IKE SA and its child come up and
// carry traffic both ways. Then a second IKE SA, made by charon's
// reauthentication, goes through the cookie again.
func TestStrongSwanSendsOurCookie(t *testing.T) {
	s := setupInteropWith(t, interopOpts{initLimits: &ikesa.InitLimits{CookieThreshold: 0}})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	ike, _ := s.onlySA("the SAs charon initiated after our cookie")
	if ike.Initiator {
		t.Errorf("IKE SA %+v: want charon as initiator", ike.IKESAInfo)
	}
	s.udpThroughTunnel(3)
	st := s.ep.Stats().IKE
	if st.CookiesSent != 1 || st.CookiesAccepted != 1 || st.CookiesInvalid != 0 || st.HalfOpen != 0 {
		t.Errorf("stats %+v: want one cookie sent and accepted", st)
	}
	s.swanctl("--rekey", "--ike", "zos", "--reauth")
	eventually(t, "the IKE SA of charon's reauthentication, alone", func() bool {
		l := s.ep.SAs()
		return len(l.IKE) == 1 && l.IKE[0].ID != ike.ID && l.IKE[0].State == ikesa.StateEstablished && len(l.Dynamic) == 1
	})
	s.udpThroughTunnel(3)
	// charon may miss our first answer to its reauthentication's request
	// (a capture shows it leave 0.1 ms after the request, while charon
	// deletes the old SA, and charon logs no packet); it retransmits, and
	// the copy gets the same cookie, counted again.
	if st := s.ep.Stats().IKE; st.CookiesSent < 2 || st.CookiesAccepted != 2 || st.CookiesInvalid != 0 || st.HalfOpen != 0 {
		t.Errorf("stats after the reauthentication %+v: want two cookies accepted", st)
	}
	if log := s.charonLogText(); !regexp.MustCompile(`parsed IKE_SA_INIT response 0 \[ N\(COOKIE\) \]`).MatchString(log) {
		t.Errorf("charon's log shows no answer holding only our COOKIE:\n%s", log)
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
