package ipsec

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/testkit/netnstest"
)

// The interop topology: two fresh network namespaces joined by a veth
// pair. charon (strongSwan with kernel-libipsec, ipsec.md §5) runs in the
// client namespace; our Endpoint's UDP sockets live in the gateway one.
var (
	ssGW     = netip.MustParseAddr("192.0.2.1")
	ssClient = netip.MustParseAddr("192.0.2.2")
)

const (
	ssPSK = "sysplex-test-psk"
)

// run runs a command and fails the test if it fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	return netnstest.Run(t, name, args...)
}

// listenInNetns opens our two UDP sockets inside the named network
// namespace.
func listenInNetns(t *testing.T, ns string, addr netip.Addr) *UDPConn {
	var conn *UDPConn
	netnstest.InNetns(t, ns, func() (err error) {
		conn, err = ListenUDP(addr)
		return err
	})
	return conn
}

// natPublic4 is the outside address of the NAT namespace, when there is
// one: what our endpoint sees charon's traffic come from.
var natOutside = netip.MustParseAddr("192.0.2.3")

// charonBehindNAT is charon's own address behind the NAT namespace.
var charonBehindNAT = netip.MustParseAddr("192.168.77.2")

// interopOpts vary the interop topology and charon's configuration.
type interopOpts struct {
	// encap is charon's encap setting, "yes" (the default) or "no".
	encap string
	// nat puts a third namespace between charon and us that masquerades
	// charon's traffic (nftables), a NAT that changes the source address
	// and, when it must, the port.
	nat bool
	// children are more CHILD_SA sections for charon's connection.
	children string
	// capture records what crosses our namespace's veth.
	capture bool
	// ike and esp are the proposals of charon's connection and of its
	// "net" child, in strongSwan's notation, and our endpoint's only
	// suites; empty: our defaults, aes128gcm16-prfsha256-x25519 and
	// aes128gcm16.
	ike, esp string
	// charonConf are more lines for charon's own section of
	// strongswan.conf (cookie_threshold = 1, …).
	charonConf string
	// strongswan6 runs charon and swanctl from the strongSwan 6 root that
	// .ci/strongswan6-root builds, with kernel-libipsec's raw_esp on, so
	// charon can send and take plain ESP when there is no NAT.
	strongswan6 bool
	// ikeLifetime is our endpoint's IKE SA lifetime for charon and reauth
	// its reauthentication interval (0: none).
	ikeLifetime, reauth time.Duration
	// connection are more lines for charon's connection (rekey_time, …).
	connection string
	// child are more lines for charon's "net" child (rekey_time, a
	// local_ts that replaces the default, …).
	child string
	// ourIKE and ourESP, when set, are our endpoint's suites instead of
	// ike and esp's, in strongSwan's notation, proposals separated by
	// commas.
	ourIKE, ourESP string
	// filter, when set, replaces our endpoint's one IPSEC filter for
	// the peer (its Action and Tunnel are set here).
	filter *Filter
	// initLimits are our endpoint's (nil: the defaults).
	initLimits *ikesa.InitLimits
	// dpdAction is charon's for the "net" child ("": clear).
	dpdAction string
}

// interop is one run of the interop test: namespaces, charon, our endpoint.
type interop struct {
	t          *testing.T
	dir        string
	gwNS, cNS  string
	natNS      string
	vgw        string // our side of the veth
	cap        *netnsCapture
	keylog     *syncBuffer
	sw         netnstest.StrongSwan // the host's strongSwan, or a root's
	vici       string
	charonLog  string
	charonAt   netip.Addr // where charon takes IKE
	ep         *Endpoint
	fromClient chan []byte // inner packets that reached our application
	// opts, peerAddr and the suites make our endpoint (startEndpoint).
	opts                 interopOpts
	peerAddr             netip.Addr
	ikeSuites, espSuites []ikesa.Suite
}

func (s *interop) swanctl(args ...string) string {
	s.t.Helper()
	argv := s.sw.Swanctl(s.dir, s.vici, args...)
	return run(s.t, argv[0], argv[1:]...)
}

// start launches a process in its own process group, ended with the test.
func (s *interop) start(_ string, cmd *exec.Cmd) { netnstest.StartGroup(s.t, cmd) }

func setupInterop(t *testing.T) *interop { return setupInteropWith(t, interopOpts{}) }

func setupInteropWith(t *testing.T, o interopOpts) *interop {
	var sw netnstest.StrongSwan
	if o.strongswan6 {
		sw = netnstest.NeedStrongSwan6(t)
	} else {
		netnstest.NeedStrongSwan(t)
	}
	if o.encap == "" {
		o.encap = "yes"
	}
	if o.dpdAction == "" {
		o.dpdAction = "clear"
	}
	var ikeSuites, espSuites []ikesa.Suite
	if o.ike == "" {
		o.ike, o.esp = "aes128gcm16-prfsha256-x25519", "aes128gcm16"
	} else if o.ourIKE == "" {
		o.ourIKE, o.ourESP = o.ike, o.esp
	}
	if o.ourIKE != "" {
		ikeSuites, espSuites = parseSuiteList(t, o.ourIKE, true), parseSuiteList(t, o.ourESP, false)
	}
	suffix := make([]byte, 3)
	rand.Read(suffix)
	tag := hex.EncodeToString(suffix)
	s := &interop{t: t, sw: sw, dir: t.TempDir(), gwNS: "tcpipc-gw-" + tag, cNS: "tcpipc-ssc-" + tag, fromClient: make(chan []byte, 256)}
	s.vici = filepath.Join(s.dir, "charon.vici")
	s.charonLog = filepath.Join(s.dir, "charon.log")
	namespaces := []string{s.gwNS, s.cNS}
	if o.nat {
		s.natNS = "tcpipc-nat-" + tag
		namespaces = append(namespaces, s.natNS)
	}
	for _, ns := range namespaces {
		run(t, "ip", "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	}
	s.vgw = "tgw" + tag
	charonAddr, peerAddr := s.links(tag, o.nat)
	s.charonAt = peerAddr
	if o.capture {
		s.cap = startCapture(t, s.gwNS, s.vgw, filepath.Join(s.dir, "interop.pcap"))
	}
	// IPv6 router solicitations over ipsec0 only add log noise.
	run(t, "ip", "netns", "exec", s.cNS, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6")

	conf := fmt.Sprintf(`charon {
  load = %s
  retransmit_timeout = 1.0
  retransmit_tries = 2
  retransmit_jitter = 0
%s  filelog {
    log {
      path = %s
      time_format = %%T
      flush_line = yes
      default = 1
      ike = 2
      knl = 1
    }
  }
  plugins {
    vici { socket = unix://%s }
    kernel-libipsec { raw_esp = %s }
  }
}
`, s.plugins("random nonce openssl gcm aes sha1 sha2 hmac kdf pem pkcs1 x509 pubkey curve25519 gmp kernel-libipsec kernel-netlink socket-default vici"),
		o.charonConf, s.charonLog, s.vici, yesNo(o.strongswan6))
	swan := fmt.Sprintf(`connections {
  zos {
    version = 2
    local_addrs = %s
    remote_addrs = %s
    encap = %s
    proposals = %s
    dpd_delay = 2s
%s
    local {
      auth = psk
      id = peer.example
    }
    remote {
      auth = psk
      id = gw.example
    }
    children {
      net {
        local_ts = 10.99.0.2/32
        remote_ts = 10.1.1.0/24
        esp_proposals = %s
        start_action = none
        dpd_action = %s
%s
      }
%s
    }
  }
}
secrets {
  ike-1 {
    id-1 = peer.example
    id-2 = gw.example
    secret = "%s"
  }
}
`, charonAddr, ssGW, o.encap, o.ike, o.connection, o.esp, o.dpdAction, o.child, o.children, ssPSK)
	s.startCharon(conf, swan)

	s.opts, s.peerAddr, s.ikeSuites, s.espSuites = o, peerAddr, ikeSuites, espSuites
	s.startEndpoint()
	return s
}

// startEndpoint starts our endpoint in our namespace, as s.ep, closed
// with the test.
func (s *interop) startEndpoint() {
	t, o, peerAddr, ikeSuites, espSuites := s.t, s.opts, s.peerAddr, s.ikeSuites, s.espSuites
	filter := Filter{Name: "client", Local: PrefixRange(netip.MustParsePrefix("10.1.1.0/24")),
		Remote: PrefixRange(netip.MustParsePrefix("10.99.0.2/32"))}
	if o.filter != nil {
		filter = *o.filter
	}
	filter.Action, filter.Tunnel.Peer = ActionIPsec, "client"
	spd, err := NewSPD(filter)
	if err != nil {
		t.Fatal(err)
	}
	s.keylog = &syncBuffer{}
	// OnCleartext finds the endpoint through a channel filled once New
	// has returned it.
	self := make(chan *Endpoint, 1)
	ep, err := New(Config{
		Local: ssGW, ID: ikesa.FQDN("gw.example"), SPD: spd, Conn: listenInNetns(t, s.gwNS, ssGW), IKE: ikeSuites, ESP: espSuites,
		Peers: []Peer{{Name: "client", Addr: peerAddr, ID: ikesa.FQDN("peer.example"), PSK: []byte(ssPSK), IKELifetime: o.ikeLifetime, ReauthInterval: o.reauth,
			LocalTS:  []netip.Prefix{netip.MustParsePrefix("10.1.1.0/24")},
			RemoteTS: []netip.Prefix{netip.MustParsePrefix("10.99.0.2/32")}}},
		Liveness: 5 * time.Second, RekeyedGrace: 500 * time.Millisecond, RetransmitTimeout: 500 * time.Millisecond, RetransmitTries: 3,
		KeyLog: s.keylog, InitLimits: o.initLimits,
		OnCleartext: func(p []byte) {
			// The application: an echo service on 10.1.1.1 port 7.
			if fl, err := parseFlow(p); err == nil && fl.proto == protoUDP && fl.dst == appAddr && fl.dstPort == 7 {
				e := <-self
				self <- e
				e.Outbound(reply(p))
				return
			}
			s.fromClient <- p
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.ep = ep
	self <- ep
	t.Cleanup(func() { ep.Close() })
}

// links joins the namespaces: our namespace and charon's by a veth pair,
// or through the NAT namespace, which masquerades what charon sends. It
// returns charon's own address and the one our endpoint sees it at.
func (s *interop) links(tag string, nat bool) (charon, seen netip.Addr) {
	t := s.t
	up := [][2]string{{s.gwNS, s.vgw}, {s.gwNS, "lo"}, {s.cNS, "lo"}}
	vc := "tss" + tag
	run(t, "ip", "-n", s.cNS, "addr", "add", "10.99.0.2/32", "dev", "lo")
	if !nat {
		run(t, "ip", "link", "add", s.vgw, "netns", s.gwNS, "type", "veth", "peer", "name", vc, "netns", s.cNS)
		run(t, "ip", "-n", s.gwNS, "addr", "add", ssGW.String()+"/24", "dev", s.vgw)
		run(t, "ip", "-n", s.cNS, "addr", "add", ssClient.String()+"/24", "dev", vc)
		charon, seen = ssClient, ssClient
	} else {
		out, in := "tno"+tag, "tni"+tag
		run(t, "ip", "link", "add", s.vgw, "netns", s.gwNS, "type", "veth", "peer", "name", out, "netns", s.natNS)
		run(t, "ip", "link", "add", in, "netns", s.natNS, "type", "veth", "peer", "name", vc, "netns", s.cNS)
		run(t, "ip", "-n", s.gwNS, "addr", "add", ssGW.String()+"/24", "dev", s.vgw)
		run(t, "ip", "-n", s.natNS, "addr", "add", natOutside.String()+"/24", "dev", out)
		run(t, "ip", "-n", s.natNS, "addr", "add", "192.168.77.1/24", "dev", in)
		run(t, "ip", "-n", s.cNS, "addr", "add", charonBehindNAT.String()+"/24", "dev", vc)
		up = append(up, [2]string{s.natNS, out}, [2]string{s.natNS, in}, [2]string{s.natNS, "lo"})
		for _, l := range up {
			run(t, "ip", "-n", l[0], "link", "set", l[1], "up")
		}
		run(t, "ip", "-n", s.cNS, "link", "set", vc, "up")
		run(t, "ip", "-n", s.cNS, "route", "add", "default", "via", "192.168.77.1")
		run(t, "ip", "netns", "exec", s.natNS, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
		run(t, "ip", "netns", "exec", s.natNS, "nft", "add table ip nat; add chain ip nat post { type nat hook postrouting priority 100 ; } ; add rule ip nat post oifname "+out+" masquerade")
		return charonBehindNAT, natOutside
	}
	for _, l := range append(up, [2]string{s.cNS, vc}) {
		run(t, "ip", "-n", l[0], "link", "set", l[1], "up")
	}
	return charon, seen
}

// udpThroughTunnel runs the UDP client helper in the client namespace:
// count datagrams from 10.99.0.2 to our echo service, through ipsec0.
func (s *interop) udpThroughTunnel(count int) {
	s.t.Helper()
	self, err := os.Executable()
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", s.cNS, self)
	cmd.Env = append(os.Environ(), helperEnv+"=udp-client", "HELPER_LOCAL=10.99.0.2:0",
		"HELPER_REMOTE=10.1.1.1:7", fmt.Sprintf("HELPER_COUNT=%d", count))
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("UDP through the tunnel: %v\n%s\nendpoint stats %+v", err, out, s.ep.Stats())
	}
}

// onlySA waits until we hold exactly one IKE SA and one child, and
// returns them.
func (s *interop) onlySA(what string) (IKETunnel, DynamicTunnel) {
	s.t.Helper()
	var l SAList
	eventually(s.t, what, func() bool {
		l = s.ep.SAs()
		return len(l.IKE) == 1 && l.IKE[0].State == ikesa.StateEstablished && len(l.Dynamic) == 1 && s.ep.sad.Len() == 1
	})
	return l.IKE[0], l.Dynamic[0]
}

// charonRekeysChild has charon rekey its "net" child and waits until the
// old one is deleted on both sides.
func (s *interop) charonRekeysChild(old DynamicTunnel) {
	s.t.Helper()
	s.swanctl("--rekey", "--child", "net")
	eventually(s.t, "the rekeyed child, alone", func() bool {
		l := s.ep.SAs()
		return len(l.Dynamic) == 1 && l.Dynamic[0].InboundSPI != old.InboundSPI && s.ep.sad.Len() == 1
	})
}

// dpdAnswered counts the liveness checks (empty INFORMATIONAL requests,
// which strongSwan only sends for DPD) that charon logged as sent and
// answered.
func (s *interop) dpdAnswered() int {
	log, err := os.ReadFile(s.charonLog)
	if err != nil {
		return 0
	}
	n := 0
	requests := regexp.MustCompile(`generating INFORMATIONAL request (\d+) \[ \]`).FindAllSubmatchIndex(log, -1)
	for _, m := range requests {
		id := string(log[m[2]:m[3]])
		if bytes.Contains(log[m[1]:], []byte("parsed INFORMATIONAL response "+id+" [ ]")) {
			n++
		}
	}
	return n
}

// TestStrongSwanInterop runs our endpoint against strongSwan 5.9 with
// kernel-libipsec: charon initiates (IKEv2 PSK, AES-GCM-16, X25519,
// forced UDP encapsulation), traffic passes both ways, charon rekeys the
// child and the IKE SA, both sides check liveness, and charon's terminate
// removes our SAs. Then our endpoint initiates on demand and charon
// answers.
func TestStrongSwanInterop(t *testing.T) {
	s := setupInterop(t)
	start := time.Now()

	// charon initiates.
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	ike, child := s.onlySA("the SAs charon initiated")
	if !ike.NATRemote || ike.Initiator {
		t.Errorf("IKE SA %+v: want responder, NAT detected on the peer (kernel-libipsec fakes it)", ike.IKESAInfo)
	}
	if child.Remote.Port() != nattPort {
		t.Errorf("ESP goes to %v, want charon's port 4500", child.Remote)
	}
	s.udpThroughTunnel(5)

	s.charonRekeysChild(child)
	s.udpThroughTunnel(5)

	// charon rekeys the IKE SA; the child moves to the new one.
	s.swanctl("--rekey", "--ike", "zos")
	eventually(t, "the rekeyed IKE SA", func() bool {
		l := s.ep.SAs()
		return len(l.IKE) == 1 && l.IKE[0].ID != ike.ID && l.IKE[0].State == ikesa.StateEstablished
	})
	s.udpThroughTunnel(5)

	// Liveness both ways while idle: charon's DPD (dpd_delay 2s) and ours
	// (every 5s) must both be answered.
	dpdBefore, okBefore := s.dpdAnswered(), s.ep.Stats().LivenessOK
	eventually(t, "liveness answered both ways", func() bool {
		return s.dpdAnswered() > dpdBefore && s.ep.Stats().LivenessOK > okBefore
	})
	if l := s.ep.SAs(); len(l.IKE) != 1 || len(l.Dynamic) != 1 {
		t.Fatalf("SAs after liveness checks: %+v", l)
	}

	// charon terminates; all our SAs go.
	s.swanctl("--terminate", "--ike", "zos", "--timeout", "10")
	eventually(t, "our SAs deleted", func() bool {
		l := s.ep.SAs()
		return len(l.IKE) == 0 && len(l.Dynamic) == 0 && s.ep.sad.Len() == 0
	})

	// The reverse: we initiate on demand to charon, which responds.
	s.weInitiate()
	noDropsExcept(t, s.ep)
	t.Logf("interop took %v; endpoint stats %+v", time.Since(start), s.ep.Stats())
}

// noDropsExcept fails on any drop but the unknown-SPI ESP that may arrive
// from charon between an SA's deletion on our side and on its own.
func noDropsExcept(t *testing.T, e *Endpoint) {
	t.Helper()
	for r, n := range e.Stats().Drops {
		if r != DropUnknownSPI {
			t.Errorf("%d packets dropped for %v", n, r)
		}
	}
}

// weInitiate has our endpoint initiate on demand to charon, with a UDP
// echo service behind it, and waits for the echo of our datagram.
func (s *interop) weInitiate() {
	t := s.t
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	echo := exec.Command("ip", "netns", "exec", s.cNS, self)
	echo.Env = append(os.Environ(), helperEnv+"=udp-echo", "HELPER_LOCAL=10.99.0.2:7")
	stdout, err := echo.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.start("UDP echo", echo)
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "listening\n" {
		t.Fatalf("UDP echo helper: %q, %v", line, err)
	}
	pkt := udp4(appAddr, netip.MustParseAddr("10.99.0.2"), 7000, 7, []byte("from the sysplex"))
	if v := s.ep.Outbound(pkt); v != Queued {
		t.Fatalf("first outbound packet: %v, want queued", v)
	}
	ike2, _ := s.onlySA("the SAs we initiated")
	if !ike2.Initiator {
		t.Errorf("IKE SA %+v: want us as initiator", ike2.IKESAInfo)
	}
	resend := time.NewTicker(time.Second)
	defer resend.Stop()
	deadline := time.After(10 * time.Second)
	for echoed := false; !echoed; {
		select {
		case got := <-s.fromClient:
			// The kernel's IP header differs from ours (ID, DF), so
			// compare the flow and the UDP payload; ICMP errors from an
			// echo service still starting are skipped.
			fl, err := parseFlow(got)
			echoed = err == nil && fl.proto == protoUDP && fl.src == netip.MustParseAddr("10.99.0.2") && fl.srcPort == 7 &&
				fl.dst == appAddr && fl.dstPort == 7000 && bytes.HasSuffix(got, []byte("from the sysplex"))
		case <-resend.C:
			s.ep.Outbound(pkt)
		case <-deadline:
			t.Fatalf("no echo from the client through charon; stats %+v", s.ep.Stats())
		}
	}
}

// charonLogText is charon's log so far.
func (s *interop) charonLogText() string {
	b, _ := os.ReadFile(s.charonLog)
	return string(b)
}

// trySwanctl runs swanctl when it may fail, returning its output and error.
func (s *interop) trySwanctl(args ...string) ([]byte, error) {
	argv := s.sw.Swanctl(s.dir, s.vici, args...)
	return exec.Command(argv[0], argv[1:]...).CombinedOutput()
}

// plugins is charon's load list: the plugins of load that this strongSwan
// has. Debian builds strongSwan 6 without the plugins whose algorithms
// its openssl plugin provides (aes, sha1, sha2, hmac, kdf, curve25519,
// gmp); loading only what is there keeps charon's log free of failures.
func (s *interop) plugins(load string) string {
	if s.sw.Root == "" {
		return load
	}
	var have []string
	for _, p := range strings.Fields(load) {
		if _, err := os.Stat(filepath.Join(s.sw.Root, "usr/lib/ipsec/plugins", "libstrongswan-"+p+".so")); err == nil {
			have = append(have, p)
		}
	}
	return strings.Join(have, " ")
}

// startCharon writes charon's strongswan.conf and swanctl.conf into the
// test's directory, starts charon in the client namespace with a private
// /run (its pid file path is fixed, ipsec.md §5), and loads swanctl.conf;
// a failing test logs charon's log.
func (s *interop) startCharon(conf, swanctl string) {
	t := s.t
	t.Helper()
	for name, body := range map[string]string{"strongswan.conf": conf, "swanctl.conf": swanctl} {
		if err := os.WriteFile(filepath.Join(s.dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			if log, err := os.ReadFile(s.charonLog); err == nil {
				t.Logf("charon log:\n%s", log)
			}
		}
	})
	s.start("charon", s.sw.Charon(s.cNS, s.dir, filepath.Join(s.dir, "strongswan.conf")))
	eventually(t, "charon's vici socket", func() bool { _, err := os.Stat(s.vici); return err == nil })
	s.swanctl("--load-all", "--file", filepath.Join(s.dir, "swanctl.conf"))
}
