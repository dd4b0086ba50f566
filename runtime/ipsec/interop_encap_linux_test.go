package ipsec

import (
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// checkCapture has tshark decrypt what crossed our veth with our key log:
// every ESP frame must decrypt with a good ICV, in UDP exactly when NAT
// detection found a NAT (RFC 7296 §2.23), plain (IP protocol 50) when it
// did not.
func (s *interop) checkCapture(natFound bool) {
	t := s.t
	t.Helper()
	frames := tsharkESP(t, s.cap.stop(), s.keylog.Bytes())
	if len(frames) < 10 {
		t.Fatalf("tshark saw %d ESP frames, want >= 10", len(frames))
	}
	for _, f := range frames {
		if f.icvGood != "1" || f.inUDP() != natFound || !f.inUDP() && f.ipProto != "50" {
			t.Errorf("ESP frame %+v: want a good ICV, in UDP %v", f, natFound)
		}
	}
	t.Logf("tshark decrypted %d ESP frames, in UDP: %v", len(frames), natFound)
}

// TestStrongSwanBehindNAT: charon sits behind a namespace that masquerades
// its traffic (nftables), with encap = no. NAT detection finds the NAT, so
// IKE floats to port 4500 and ESP travels in UDP to the NAT's mapping;
// traffic passes both ways, and tshark decrypts the capture on our side.
func TestStrongSwanBehindNAT(t *testing.T) {
	behindNAT(t, interopOpts{nat: true, encap: "no", capture: true})
}

// TestStrongSwan6BehindNAT is TestStrongSwanBehindNAT with strongSwan 6,
// whose kernel-libipsec could send plain ESP (raw_esp) but must not:
// the NAT is real, and both ends float to ESP in UDP.
func TestStrongSwan6BehindNAT(t *testing.T) {
	behindNAT(t, interopOpts{nat: true, encap: "no", capture: true, strongswan6: true})
}

func behindNAT(t *testing.T, o interopOpts) {
	needNFT(t)
	s := setupInteropWith(t, o)
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	ike, child := s.onlySA("the SAs charon initiated through the NAT")
	if !ike.NATRemote || ike.Remote.Addr() != natOutside {
		t.Errorf("IKE SA %+v: want the peer seen behind the NAT at %v", ike.IKESAInfo, natOutside)
	}
	if child.Remote.Addr() != natOutside || ike.Remote.Port() == ikePort || !child.UDPEncap {
		t.Errorf("ESP goes to %v (in UDP: %v), IKE to %v; want ESP in UDP to the NAT's address, IKE floated off port 500", child.Remote, child.UDPEncap, ike.Remote)
	}
	s.udpThroughTunnel(10)
	s.checkCapture(true)
	noDropsExcept(t, s.ep)
}

// TestStrongSwanEncapNo: the host's charon with encap = no and no NAT in
// between. Our endpoint carries ESP the way NAT detection decides.
// Debian bookworm's strongSwan 5.9.8 kernel-libipsec (the only data path
// here: this kernel has no ESP) can only do ESP in UDP and fakes NAT
// detection in both roles even without encap (raw ESP came in 5.9.11), so
// NAT detection reports a NAT, both ends use UDP 4500, and the tunnel
// works both ways: charon initiating, then us. A peer that does not fake
// it gets plain ESP: strongSwan 6 in TestStrongSwanPlainESP, our own
// endpoints in TestPlainESPOverRealSockets.
func TestStrongSwanEncapNo(t *testing.T) {
	s := setupInteropWith(t, interopOpts{encap: "no", capture: true})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	ike, _ := s.onlySA("the SAs charon initiated")
	natFound := ike.NATLocal || ike.NATRemote
	s.udpThroughTunnel(10)
	s.swanctl("--terminate", "--ike", "zos", "--timeout", "10")
	eventually(t, "our SAs deleted", func() bool { l := s.ep.SAs(); return len(l.IKE) == 0 && len(l.Dynamic) == 0 })
	s.weInitiate()
	ike2, _ := s.onlySA("the SAs we initiated")
	if ike2.NATLocal || ike2.NATRemote != natFound {
		t.Errorf("NAT detection as initiator %+v, as responder NAT %v", ike2.IKESAInfo, natFound)
	}
	s.checkCapture(natFound)
	noDropsExcept(t, s.ep)
}

// TestStrongSwanPlainESP: strongSwan 6 (kernel-libipsec with raw_esp, from
// the root .ci/strongswan6-root builds) with encap = no and no NAT in
// between. NAT detection finds none on either side, so ESP travels as IP
// protocol 50 both ways (RFC 7296 §2.23): charon initiates and traffic
// passes both ways, then we initiate and it passes again. Our SAs and
// charon's show no UDP encapsulation, and tshark decrypts every ESP frame
// of the capture as protocol 50 with a good ICV.
func TestStrongSwanPlainESP(t *testing.T) {
	s := setupInteropWith(t, interopOpts{encap: "no", capture: true, strongswan6: true})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	s.checkPlainESP("charon initiating")
	s.udpThroughTunnel(10)

	s.swanctl("--terminate", "--ike", "zos", "--timeout", "10")
	eventually(t, "our SAs deleted", func() bool { l := s.ep.SAs(); return len(l.IKE) == 0 && len(l.Dynamic) == 0 })
	s.weInitiate()
	s.checkPlainESP("us initiating")
	s.udpThroughTunnel(10)

	s.checkCapture(false)
	noDropsExcept(t, s.ep)
}

// checkPlainESP checks that our only SAs, and charon's child, found no NAT
// and carry ESP as IP protocol 50.
func (s *interop) checkPlainESP(who string) {
	t := s.t
	t.Helper()
	ike, child := s.onlySA("the SAs of " + who)
	if ike.NATLocal || ike.NATRemote {
		t.Errorf("%s: IKE SA %+v: want no NAT detected", who, ike.IKESAInfo)
	}
	// Remote keeps the IKE port, which plain ESP does not use.
	if child.UDPEncap || child.Remote.Addr() != ssClient || child.Local.Port() != 0 {
		t.Errorf("%s: child from %v to %v, in UDP %v; want plain ESP to %v", who, child.Local, child.Remote, child.UDPEncap, ssClient)
	}
	// swanctl lists an encapsulated child as TUNNEL-in-UDP.
	if sas := s.swanctl("--list-sas"); !regexp.MustCompile(`net: #\d+, reqid \d+, INSTALLED, TUNNEL, ESP:`).MatchString(sas) {
		t.Errorf("%s: charon's child is not plain ESP:\n%s", who, sas)
	}
}

// TestStrongSwanWiderSelectors: charon proposes wider traffic selectors
// than our policy allows. Our endpoint, the responder, narrows them to
// the filter rule inside the peer's locations (RFC 7296 §2.9): 10.99.0.0/16
// === 10.1.0.0/16 becomes 10.99.0.2/32 === 10.1.1.0/24, which charon
// accepts and installs, and traffic passes. Selectors that do not overlap
// the policy at all are refused with TS_UNACCEPTABLE, and no child SA is
// made for them.
func TestStrongSwanWiderSelectors(t *testing.T) {
	s := setupInteropWith(t, interopOpts{children: `
      wide {
        local_ts = 10.99.0.0/16
        remote_ts = 10.1.0.0/16
        esp_proposals = aes128gcm16
        start_action = none
      }
      outside {
        local_ts = 10.98.0.0/16
        remote_ts = 10.1.1.0/24
        esp_proposals = aes128gcm16
        start_action = none
      }`})
	s.swanctl("--initiate", "--child", "wide", "--timeout", "10")
	_, child := s.onlySA("the narrowed child")
	local, remote := ikesa.Prefix(netip.MustParsePrefix("10.1.1.0/24")), ikesa.Prefix(netip.MustParsePrefix("10.99.0.2/32"))
	if !eqSelectors(child.LocalTS, []wire.Selector{local}) || !eqSelectors(child.RemoteTS, []wire.Selector{remote}) {
		t.Errorf("our child's selectors %v === %v, want 10.1.1.0/24 === 10.99.0.2/32", child.LocalTS, child.RemoteTS)
	}
	if sas := s.swanctl("--list-sas"); !regexp.MustCompile(`wide: #\d+, .*INSTALLED(?s:.*)local  10\.99\.0\.2/32\s+remote 10\.1\.1\.0/24`).MatchString(sas) {
		t.Errorf("charon did not install the narrowed selectors:\n%s", sas)
	}
	s.udpThroughTunnel(3)

	out, err := s.trySwanctl("--initiate", "--child", "outside", "--timeout", "10")
	if err == nil {
		t.Errorf("charon got a child for selectors outside our policy:\n%s", out)
	}
	eventually(t, "TS_UNACCEPTABLE in charon's log", func() bool {
		log, _ := os.ReadFile(s.charonLog)
		return strings.Contains(string(log), "TS_UNACCEPTABLE")
	})
	if l := s.ep.SAs(); len(l.Dynamic) != 1 {
		t.Errorf("%d child SAs after the refused proposal, want 1", len(l.Dynamic))
	}
	noDropsExcept(t, s.ep)
}

// TestStrongSwanSHA2Suites: charon initiates with the larger RFC 4868
// integrity algorithms and the largest NIST curve (z/OS's
// HMAC_SHA2_512_256, HMAC_SHA2_384_192 and Group21), the only suites our
// endpoint accepts; both sides agree on them, traffic passes, and the
// child rekeys.
func TestStrongSwanSHA2Suites(t *testing.T) {
	s := setupInteropWith(t, interopOpts{ike: "aes256-sha512-ecp521", esp: "aes128-sha384"})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	ike, child := s.onlySA("the SAs charon initiated")
	if got := ike.Suite.String(); got != "AES_CBC_256-HMAC_SHA2_512_256-PRF_HMAC_SHA2_512-ECP_521" {
		t.Errorf("IKE suite %s", got)
	}
	if child.Encr != wire.ENCR_AES_CBC || child.KeyBits != 128 || child.Integ != wire.AUTH_HMAC_SHA2_384_192 {
		t.Errorf("child %v-%d-%v", child.Encr, child.KeyBits, child.Integ)
	}
	sas := s.swanctl("--list-sas")
	if !strings.Contains(sas, "AES_CBC-256/HMAC_SHA2_512_256/PRF_HMAC_SHA2_512/ECP_521") ||
		!strings.Contains(sas, "AES_CBC-128/HMAC_SHA2_384_192") {
		t.Errorf("charon's SAs:\n%s", sas)
	}
	s.udpThroughTunnel(3)
	s.charonRekeysChild(child)
	s.udpThroughTunnel(3)
	noDropsExcept(t, s.ep)
}

// TestStrongSwanIKERefresh: our endpoint refreshes the IKE SA charon
// initiated when its lifetime runs out (a CREATE_CHILD_SA rekey of the IKE
// SA that we start, as z/OS IKED does), charon takes the new SA, the child
// moves to it and traffic passes; at the old SA's lifetime nothing ends.
func TestStrongSwanIKERefresh(t *testing.T) {
	const life = 8 * time.Second
	s := setupInteropWith(t, interopOpts{ikeLifetime: life})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	ike, _ := s.onlySA("the SAs charon initiated")
	s.udpThroughTunnel(3)
	eventually(t, "our refresh of the IKE SA", func() bool {
		l := s.ep.SAs()
		return len(l.IKE) == 1 && l.IKE[0].ID != ike.ID && l.IKE[0].State == ikesa.StateEstablished && l.IKE[0].Initiator
	})
	refreshed := s.ep.SAs().IKE[0]
	if sas := s.swanctl("--list-sas"); !strings.Contains(sas, fmt.Sprintf("%016x_i", refreshed.ID.SPIi)) ||
		!strings.Contains(sas, fmt.Sprintf("%016x_r", refreshed.ID.SPIr)) {
		t.Errorf("charon does not hold the refreshed IKE SA %v:\n%s", refreshed.ID, sas)
	}
	s.udpThroughTunnel(3)
	time.Sleep(time.Until(ike.Established.Add(life + time.Second))) // the first SA's lifetime has passed
	if l := s.ep.SAs(); len(l.IKE) != 1 || l.IKE[0].ID != refreshed.ID || len(l.Dynamic) != 1 {
		t.Fatalf("after the first SA's lifetime: %d IKE SAs (want the refreshed one), %d children", len(l.IKE), len(l.Dynamic))
	}
	s.udpThroughTunnel(3)
	noDropsExcept(t, s.ep)
}

// TestStrongSwanIKERefreshBothSides: both ends refresh the IKE SA on about
// the same schedule (charon's rekey_time near our lifetime's refresh), so
// their rekeys may cross (RFC 7296 §2.25.2). Over several lifetimes one
// IKE SA stays up on both ends, the child with it, and traffic passes.
func TestStrongSwanIKERefreshBothSides(t *testing.T) {
	const life = 6 * time.Second
	s := setupInteropWith(t, interopOpts{ikeLifetime: life, connection: "    rekey_time = 5s\n    over_time = 2s\n    rand_time = 0s"})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	first, _ := s.onlySA("the SAs charon initiated")
	deadline := time.Now().Add(3 * life)
	for time.Now().Before(deadline) {
		s.udpThroughTunnel(1)
		time.Sleep(500 * time.Millisecond)
	}
	l := s.ep.SAs()
	if len(l.IKE) != 1 || l.IKE[0].ID == first.ID || l.IKE[0].State != ikesa.StateEstablished || len(l.Dynamic) != 1 {
		t.Fatalf("after three lifetimes: %+v", l)
	}
	if sas := s.swanctl("--list-sas"); !strings.Contains(sas, fmt.Sprintf("%016x_i", l.IKE[0].ID.SPIi)) {
		t.Errorf("charon does not hold our IKE SA %v:\n%s", l.IKE[0].ID, sas)
	}
	noDropsExcept(t, s.ep)
}

// TestStrongSwanNATRebinding: charon sits behind a NAT whose outside
// address changes under an established SA (a NAT reboot, a new lease),
// and charon does no DPD (swanctl's default, dpd_delay = 0), so no IKE
// message tells us. Its ESP now comes from the new address; an
// authentic packet moves the SA's NAT mapping there, as Linux does
// (XFRM's new-mapping event, which strongSwan acts on), so our replies,
// and our IKE messages, follow. Before, the replies went on to the old
// address and were lost, our liveness check there timed out and we
// deleted the SAs, while charon kept sending ESP we dropped as unknown.
func TestStrongSwanNATRebinding(t *testing.T) {
	needNFT(t)
	s := setupInteropWith(t, interopOpts{nat: true, encap: "no", connection: "    dpd_delay = 0s"})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	s.onlySA("the SAs charon initiated through the NAT")
	s.udpThroughTunnel(2)
	moved := netip.MustParseAddr("192.0.2.4")
	outside := "tno" + strings.TrimPrefix(s.vgw, "tgw")
	run(t, "ip", "-n", s.natNS, "addr", "del", natOutside.String()+"/24", "dev", outside)
	run(t, "ip", "-n", s.natNS, "addr", "add", moved.String()+"/24", "dev", outside)
	s.udpThroughTunnel(3)
	ike, child := s.onlySA("the SAs after the NAT moved")
	if child.Remote.Addr() != moved || ike.Remote.Addr() != moved {
		t.Errorf("ESP goes to %v, IKE to %v; want both at the NAT's new address %v", child.Remote, ike.Remote, moved)
	}
	answered := make(chan error, 1)
	if err := s.ep.Daemon().Lookup(ike.ID).CheckLiveness(func(err error) { answered <- err }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-answered:
		if err != nil {
			t.Errorf("our liveness check at the new address: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("our liveness check at the new address was not answered")
	}
	noDropsExcept(t, s.ep)
}
