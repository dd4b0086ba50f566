package ipsec

import (
	"bytes"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/certid"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/testkit/netnstest"
	"github.com/tcpipc/tcpipc/internal/testkit/testpki"
)

// certInterop is one certificate case against strongSwan: the key types
// of each side, how we sign, how both sides name themselves, and what
// stands between them.
type certInterop struct {
	name          string
	caKey         testpki.KeyType // the CA's key; P-256 when empty
	swanKey       testpki.KeyType
	ourKey        testpki.KeyType
	ourAuth       wire.AuthMethod
	dn            bool   // identities are distinguished names; else FQDNs
	wantOurMethod string // the AUTH method number tshark must see from us
	// pss has the CA sign both certificates with RSASSA-PSS (so we sign
	// our AUTH with it too) and sets charon's rsa_pss = yes, so charon
	// signs its AUTH with RSASSA-PSS.
	pss bool
	// nat puts charon behind the NAT namespace (see interop.links).
	nat bool
	// swanUntrusted issues charon's certificate from a second CA that our
	// CA bundle lacks; oursUntrusted does the same to ours, and charon
	// trusts only the first CA.
	swanUntrusted, oursUntrusted bool
}

// TestStrongSwanCertificates authenticates our endpoint and strongSwan
// 5.9 with certificates from one CA, generated here (nothing checked in):
// strongSwan with RSA and we with ECDSA P-256 (we sign with RFC 7427),
// then strongSwan with ECDSA P-384 and we with RSA (RSA_SIG, method 1)
// and distinguished names as identities, then both with RSA certificates
// the CA signed with RSASSA-PSS and charon with rsa_pss = yes: both sign
// their AUTH with RSASSA-PSS (RFC 7427), which charon's log confirms for
// both directions. In each case charon initiates and traffic passes, then
// we initiate and charon answers; tshark decrypts the capture of the veth
// with our key log, sees the certificates and finds every ESP packet's
// ICV good.
func TestStrongSwanCertificates(t *testing.T) {
	for _, c := range []certInterop{
		{name: "strongswan-rsa/ours-p256", swanKey: testpki.RSA, ourKey: testpki.P256, ourAuth: wire.AuthDigitalSig, wantOurMethod: "14"},
		{name: "strongswan-p384/ours-rsa-dn", swanKey: testpki.P384, ourKey: testpki.RSA, ourAuth: wire.AuthRSASig, dn: true, wantOurMethod: "1"},
		{name: "strongswan-rsa-pss/ours-rsa-pss", caKey: testpki.RSA, swanKey: testpki.RSA, ourKey: testpki.RSA, pss: true, ourAuth: wire.AuthDigitalSig, wantOurMethod: "14"},
	} {
		t.Run(c.name, func(t *testing.T) { runCertInterop(t, c) })
	}
}

// TestStrongSwanCertificatesBehindNAT: charon with an ECDSA P-256
// certificate sits behind the NAT namespace (masquerade) and initiates;
// we sign with RSA and RFC 7427. NAT detection finds the NAT, IKE_AUTH
// (with both certificates, larger than IKE_SA_INIT) travels on port 4500
// and ESP in UDP to the NAT's mapping; traffic passes and tshark decrypts
// IKE_AUTH and every ESP packet of the capture. We do not initiate: the
// NAT has no mapping for a connection from outside.
func TestStrongSwanCertificatesBehindNAT(t *testing.T) {
	c := certInterop{swanKey: testpki.P256, ourKey: testpki.RSA, ourAuth: wire.AuthDigitalSig, wantOurMethod: "14", nat: true}
	s, capture := setupCertInterop(t, c)
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	ike, child := s.onlySA("the SAs charon initiated through the NAT with certificates")
	if !ike.NATRemote || ike.Remote.Addr() != natOutside || ike.Remote.Port() == ikePort {
		t.Errorf("IKE SA %+v: want the peer behind the NAT at %v, IKE floated off port 500", ike.IKESAInfo, natOutside)
	}
	if child.Remote.Addr() != natOutside {
		t.Errorf("ESP goes to %v, want the NAT's address %v", child.Remote, natOutside)
	}
	s.udpThroughTunnel(5)
	if n := s.ep.Daemon().Stats().AuthFailed; n != 0 {
		t.Errorf("%d authentication failures", n)
	}
	capture.stop()
	if !t.Failed() {
		checkCertCapture(t, s, capture, c, 1)
		checkESPInUDP(t, s, capture)
	}
}

// checkESPInUDP has tshark confirm that every ESP packet of the capture
// travelled in UDP on port 4500 (RFC 3948), as NAT traversal demands.
func checkESPInUDP(t *testing.T, s *interop, capture *tcpdump) {
	t.Helper()
	bin, conf := writeWiresharkConf(t, s)
	out := tshark(t, bin, conf, "-r", capture.path, "-Y", "esp", "-T", "fields", "-e", "udp.port")
	lines := strings.Fields(out)
	if len(lines) == 0 {
		t.Fatal("tshark finds no ESP in the capture")
	}
	for _, l := range lines {
		if !strings.Contains(l, "4500") {
			t.Errorf("ESP packet with UDP ports %q, want ESP in UDP on 4500", l)
		}
	}
}

// TestStrongSwanCertificateUntrusted: a certificate from a CA the other
// side does not trust is refused, both ways and in both roles.
//
//   - charon's certificate from another CA: when charon initiates we answer
//     AUTHENTICATION_FAILED (tshark decrypts our response and sees it) and
//     count the failure; when we initiate we refuse charon's response,
//     count it again and tell charon in an INFORMATIONAL, which ends the
//     SA charon had set up. No SA either time.
//   - our certificate from another CA: when charon initiates it refuses
//     our IKE_AUTH response and tells us in an INFORMATIONAL, which ends
//     our SA; when we initiate charon refuses us with
//     AUTHENTICATION_FAILED, which ends our attempt and drops the packet
//     that waited for it; charon's log names the missing trust.
func TestStrongSwanCertificateUntrusted(t *testing.T) {
	t.Run("charon-untrusted", func(t *testing.T) {
		c := certInterop{swanKey: testpki.RSA, ourKey: testpki.P256, ourAuth: wire.AuthDigitalSig, swanUntrusted: true}
		s, capture := setupCertInterop(t, c)
		if out, err := s.trySwanctl("--initiate", "--child", "net", "--timeout", "10"); err == nil {
			t.Errorf("charon got an SA with an untrusted certificate:\n%s", out)
		}
		eventually(t, "the failure counted", func() bool { return s.ep.Daemon().Stats().AuthFailed == 1 })
		charonSaw(t, s, "received AUTHENTICATION_FAILED notify error")

		s.ep.Outbound(udp4(appAddr, netip.MustParseAddr("10.99.0.2"), 7000, 7, []byte("to an untrusted peer")))
		eventually(t, "our refusal counted", func() bool { return s.ep.Daemon().Stats().AuthFailed == 2 })
		// charon, the responder, had authenticated us; our INFORMATIONAL
		// AUTHENTICATION_FAILED ends its SA at once.
		charonSaw(t, s, "parsed INFORMATIONAL request 2 [ N(AUTH_FAILED) ]")
		charonSaw(t, s, "IKE_SA deleted")
		noSAs(t, s)
		capture.stop()
		if !t.Failed() {
			checkAuthFailedNotify(t, s, capture, ssGW)
		}
	})
	t.Run("ours-untrusted", func(t *testing.T) {
		c := certInterop{swanKey: testpki.P256, ourKey: testpki.RSA, ourAuth: wire.AuthRSASig, oursUntrusted: true}
		s, capture := setupCertInterop(t, c)
		// charon initiates, we answer with our certificate, charon refuses
		// it and tells us in an INFORMATIONAL: our SA ends too.
		if out, err := s.trySwanctl("--initiate", "--child", "net", "--timeout", "10"); err == nil {
			t.Errorf("charon got an SA with our untrusted certificate:\n%s", out)
		}
		charonSaw(t, s, "generating INFORMATIONAL request 2 [ N(AUTH_FAILED) ]")
		eventually(t, "our SA ended by charon's refusal", func() bool { l := s.ep.SAs(); return len(l.IKE) == 0 && len(l.Dynamic) == 0 })

		s.ep.Outbound(udp4(appAddr, netip.MustParseAddr("10.99.0.2"), 7000, 7, []byte("from an untrusted gateway")))
		charonSaw(t, s, "no trusted RSA public key found for 'gw.example'")
		eventually(t, "the waiting packet dropped", func() bool { return s.ep.Stats().Drops[DropNoSA] == 1 })
		noSAs(t, s)
		if n := s.ep.Daemon().Stats().AuthFailed; n != 0 {
			t.Errorf("%d authentication failures counted; charon failed us, not we it", n)
		}
		capture.stop()
		if !t.Failed() {
			checkAuthFailedNotify(t, s, capture, charonAddrOf(c))
		}
	})
}

func charonAddrOf(c certInterop) netip.Addr {
	if c.nat {
		return charonBehindNAT
	}
	return ssClient
}

// charonSaw waits until charon's log holds line.
func charonSaw(t *testing.T, s *interop, line string) {
	t.Helper()
	eventually(t, "charon's log: "+line, func() bool {
		log, _ := os.ReadFile(s.charonLog)
		return strings.Contains(string(log), line)
	})
}

// noSAs checks that neither side holds an SA.
func noSAs(t *testing.T, s *interop) {
	t.Helper()
	if l := s.ep.SAs(); len(l.IKE) != 0 || len(l.Dynamic) != 0 {
		t.Errorf("we hold SAs: %+v", l)
	}
	var out string
	eventually(t, "charon without SAs", func() bool {
		time.Sleep(50 * time.Millisecond) // swanctl is a process: poll gently
		out = s.swanctl("--list-sas")
		return !strings.Contains(out, "ESTABLISHED") && !strings.Contains(out, "INSTALLED")
	})
}

// checkAuthFailedNotify has tshark decrypt the IKE_AUTH responses of the
// capture and find one from refuser that carries AUTHENTICATION_FAILED
// (notify type 24) and no AUTH payload.
func checkAuthFailedNotify(t *testing.T, s *interop, capture *tcpdump, refuser netip.Addr) {
	t.Helper()
	bin, conf := writeWiresharkConf(t, s)
	out := tshark(t, bin, conf, "-r", capture.path, "-Y", "isakmp.exchangetype == 35 && isakmp.flag_r == 1",
		"-T", "fields", "-E", "separator=/t", "-e", "ip.src", "-e", "isakmp.notify.msgtype", "-e", "isakmp.auth.method")
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) == 3 && f[0] == refuser.String() && strings.Contains(","+f[1]+",", ",24,") && f[2] == "" {
			t.Logf("tshark: IKE_AUTH response from %s carries AUTHENTICATION_FAILED", refuser)
			return
		}
	}
	t.Errorf("tshark finds no decrypted IKE_AUTH response from %s with AUTHENTICATION_FAILED:\n%s", refuser, out)
}

func runCertInterop(t *testing.T, c certInterop) {
	s, capture := setupCertInterop(t, c)

	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	s.onlySA("the SAs charon initiated with certificates")
	s.udpThroughTunnel(3)
	s.swanctl("--terminate", "--ike", "zos", "--timeout", "10")
	eventually(t, "our SAs deleted", func() bool {
		l := s.ep.SAs()
		return len(l.IKE) == 0 && len(l.Dynamic) == 0
	})

	s.weInitiate()
	ike, _ := s.onlySA("the SAs we initiated with certificates")
	if !ike.Initiator {
		t.Errorf("IKE SA %+v: want us as initiator", ike.IKESAInfo)
	}
	if n := s.ep.Daemon().Stats().AuthFailed; n != 0 {
		t.Errorf("%d authentication failures", n)
	}
	if c.pss {
		checkCharonPSS(t, s)
	}
	capture.stop()
	if !t.Failed() {
		checkCertCapture(t, s, capture, c, 2)
	}
}

// checkCharonPSS reads in charon's log which signature scheme each side
// authenticated with: RSASSA-PSS with SHA-256 and a 32-byte salt both
// ways, twice (once per IKE SA).
func checkCharonPSS(t *testing.T, s *interop) {
	t.Helper()
	log, _ := os.ReadFile(s.charonLog)
	for _, who := range []string{
		"authentication of 'peer.example' (myself) with RSA_EMSA_PSS_SHA2_256_SALT_32 successful",
		"authentication of 'gw.example' with RSA_EMSA_PSS_SHA2_256_SALT_32 successful",
	} {
		if n := strings.Count(string(log), who); n < 2 {
			t.Errorf("charon's log has %q %d times, want 2 or more", who, n)
		}
	}
	if strings.Contains(string(log), "with RSA_EMSA_PKCS1") {
		t.Errorf("charon's log shows a PKCS#1 v1.5 signature")
	}
}

// setupCertInterop is setupInterop with certificates instead of the
// pre-shared key, and a tcpdump on the gateway's side of the veth.
func setupCertInterop(t *testing.T, c certInterop) (*interop, *tcpdump) {
	netnstest.NeedStrongSwan(t)
	if c.nat {
		needNFT(t)
	}
	tag := make([]byte, 3)
	rand.Read(tag)
	x := hex.EncodeToString(tag)
	s := &interop{t: t, dir: t.TempDir(), gwNS: "tcpipc-cgw-" + x, cNS: "tcpipc-css-" + x, fromClient: make(chan []byte, 256)}
	s.vici = filepath.Join(s.dir, "charon.vici")
	s.charonLog = filepath.Join(s.dir, "charon.log")
	namespaces := []string{s.gwNS, s.cNS}
	if c.nat {
		s.natNS = "tcpipc-cnat-" + x
		namespaces = append(namespaces, s.natNS)
	}
	for _, ns := range namespaces {
		run(t, "ip", "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	}
	s.vgw = "cgw" + x
	charonAddr, peerAddr := s.links(x, c.nat)
	run(t, "ip", "netns", "exec", s.cNS, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6")
	capture := startTcpdump(t, s.gwNS, s.vgw, filepath.Join(s.dir, "veth.pcap"))

	// The PKI: one CA, a certificate for each side; a second CA for the
	// untrusted cases.
	now := time.Now()
	caKey := c.caKey
	if caKey == "" {
		caKey = testpki.P256
	}
	ca := testpki.NewCA(t, "tcpipc interop CA", caKey, now)
	issuer := func(untrusted bool) *testpki.Pair {
		if untrusted {
			return testpki.NewCA(t, "an untrusted CA", testpki.P256, now)
		}
		return ca
	}
	subject := func(cn string) pkix.Name { return pkix.Name{CommonName: cn, Organization: []string{"tcpipc"}} }
	swan := issuer(c.swanUntrusted).Issue(t, testpki.Leaf{Key: c.swanKey, Subject: subject("peer.example"), DNS: []string{"peer.example"}, PSS: c.pss}, now)
	gw := issuer(c.oursUntrusted).Issue(t, testpki.Leaf{Key: c.ourKey, Subject: subject("gw.example"), DNS: []string{"gw.example"}, PSS: c.pss}, now)
	swanCert, swanKey, caFile := swan.WriteFiles(t, s.dir, "swan", ca)
	gwCert, gwKey, _ := gw.WriteFiles(t, s.dir, "gw", ca)
	creds, err := LoadCredentials(gwCert, gwKey, caFile)
	if err != nil {
		t.Fatal(err)
	}
	swanID, ourID := "peer.example", "gw.example"
	ourIdentity, peerIdentity := ikesa.FQDN(ourID), ikesa.FQDN(swanID)
	if c.dn {
		// strongSwan writes DNs in certificate order; ours is written the
		// other way round, as z/OS policy often is.
		swanID, ourID = "O=tcpipc, CN=peer.example", "O=tcpipc, CN=gw.example"
		ourDER, err := certid.DN("CN=gw.example,O=tcpipc")
		if err != nil {
			t.Fatal(err)
		}
		peerDER, err := certid.DN("CN=peer.example,O=tcpipc")
		if err != nil {
			t.Fatal(err)
		}
		ourIdentity = ikesa.Identity{Type: wire.ID_DER_ASN1_DN, Data: ourDER}
		peerIdentity = ikesa.Identity{Type: wire.ID_DER_ASN1_DN, Data: peerDER}
	}

	conf := fmt.Sprintf(`charon {
  load = random nonce openssl gcm aes sha1 sha2 hmac kdf pem pkcs1 pkcs8 x509 pubkey constraints curve25519 gmp kernel-libipsec kernel-netlink socket-default vici
  retransmit_timeout = 1.0
  retransmit_tries = 2
  retransmit_jitter = 0
  rsa_pss = %s
  filelog {
    log {
      path = %s
      time_format = %%T
      flush_line = yes
      default = 1
      ike = 2
      cfg = 2
      knl = 1
    }
  }
  plugins {
    vici { socket = unix://%s }
  }
}
`, yesNo(c.pss), s.charonLog, s.vici)
	swanctl := fmt.Sprintf(`connections {
  zos {
    version = 2
    local_addrs = %s
    remote_addrs = %s
    encap = yes
    proposals = aes128gcm16-prfsha256-x25519
    local {
      auth = pubkey
      certs = %s
      id = "%s"
    }
    remote {
      auth = pubkey
      id = "%s"
      cacerts = %s
    }
    children {
      net {
        local_ts = 10.99.0.2/32
        remote_ts = 10.1.1.0/24
        esp_proposals = aes128gcm16
        start_action = none
      }
    }
  }
}
`, charonAddr, ssGW, swanCert, swanID, ourID, caFile)
	// swanctl loads private keys only from the pkcs8/ directory beside
	// swanctl.conf (the secrets section merely unlocks them).
	if err := os.Mkdir(filepath.Join(s.dir, "pkcs8"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(swanKey, filepath.Join(s.dir, "pkcs8", "swan.key")); err != nil {
		t.Fatal(err)
	}
	s.startCharon(conf, swanctl)

	spd, err := NewSPD(Filter{Name: "client", Local: PrefixRange(netip.MustParsePrefix("10.1.1.0/24")),
		Remote: PrefixRange(netip.MustParsePrefix("10.99.0.2/32")), Action: ActionIPsec, Tunnel: Tunnel{Peer: "client"}})
	if err != nil {
		t.Fatal(err)
	}
	keylog, err := os.Create(filepath.Join(s.dir, "keylog"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keylog.Close() })
	self := make(chan *Endpoint, 1)
	ep, err := New(Config{
		Local: ssGW, ID: ourIdentity, SPD: spd, Conn: listenInNetns(t, s.gwNS, ssGW), Credentials: creds,
		Peers: []Peer{{Name: "client", Addr: peerAddr, ID: peerIdentity, AuthMe: c.ourAuth, CertAuth: true,
			LocalTS:  []netip.Prefix{netip.MustParsePrefix("10.1.1.0/24")},
			RemoteTS: []netip.Prefix{netip.MustParsePrefix("10.99.0.2/32")}}},
		RekeyedGrace: 500 * time.Millisecond, RetransmitTimeout: 500 * time.Millisecond, RetransmitTries: 3,
		KeyLog: keylog,
		OnCleartext: func(p []byte) {
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
	return s, capture
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// needNFT skips (or under CI fails) a test that needs nftables for its NAT.
func needNFT(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nft"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nft is required under CI=true (.ci/run installs nftables)")
		}
		t.Skip("nft not installed (apt-get install nftables)")
	}
}

// tcpdump captures one interface of a namespace into a file.
type tcpdump struct {
	t      *testing.T
	cmd    *exec.Cmd
	path   string
	done   chan error
	stderr *syncBuffer
}

func startTcpdump(t *testing.T, ns, dev, path string) *tcpdump {
	t.Helper()
	if _, err := exec.LookPath("tcpdump"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tcpdump not on PATH; CI must install it")
		}
		t.Skip("tcpdump not on PATH")
	}
	cmd := exec.Command("ip", "netns", "exec", ns, "tcpdump", "-Z", "root", "--immediate-mode", "-i", dev, "-U", "-n", "-s", "0", "-w", path, "udp or esp")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &tcpdump{t: t, cmd: cmd, path: path, done: make(chan error, 1), stderr: stderr}
	go func() { d.done <- cmd.Wait() }()
	t.Cleanup(func() { d.stop() })
	// tcpdump says "listening on" once the capture runs.
	eventually(t, "tcpdump listening", func() bool { return bytes.Contains(stderr.Bytes(), []byte("listening on")) })
	return d
}

// stop ends the capture (SIGINT flushes the file) and returns its path.
func (d *tcpdump) stop() string {
	if d.cmd.Process == nil {
		return d.path
	}
	syscall.Kill(-d.cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.done
	}
	d.cmd.Process = nil
	return d.path
}

// writeWiresharkConf finds tshark and writes a Wireshark configuration
// directory with our key log as esp_sa and ikev2_decryption_table.
func writeWiresharkConf(t *testing.T, s *interop) (bin, conf string) {
	t.Helper()
	bin, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tshark not on PATH; CI must install it")
		}
		t.Skip("tshark not on PATH")
	}
	log, err := os.ReadFile(filepath.Join(s.dir, "keylog"))
	if err != nil {
		t.Fatal(err)
	}
	conf = filepath.Join(s.dir, "wireshark")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	espSA, ikev2 := SplitKeyLog(log)
	for name, data := range map[string][]byte{"esp_sa": espSA, "ikev2_decryption_table": ikev2} {
		if err := os.WriteFile(filepath.Join(conf, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return bin, conf
}

// checkCertCapture has tshark decrypt the capture with our key log: both
// IKE_AUTH messages of each of the ikeSAs IKE SAs decrypt and carry CERT
// payloads, the AUTH method we used is the one asked for, and every ESP
// packet's ICV is good.
func checkCertCapture(t *testing.T, s *interop, capture *tcpdump, c certInterop, ikeSAs int) {
	pcap := capture.path
	bin, conf := writeWiresharkConf(t, s)
	base := []string{"-r", pcap, "-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE"}
	out := tshark(t, bin, conf, append(base, "-Y", "isakmp.exchangetype == 35", "-T", "fields", "-E", "separator=/t",
		"-e", "frame.number", "-e", "isakmp.flag_r", "-e", "isakmp.cert.encoding", "-e", "isakmp.auth.method", "-e", "ip.src")...)
	if strings.TrimSpace(out) == "" {
		fi, _ := os.Stat(pcap)
		t.Fatalf("tshark finds no IKE_AUTH in the capture (%v bytes; tcpdump said %q):\n%s", fi.Size(), capture.stderr.Bytes(), tshark(t, bin, conf, "-r", pcap))
	}
	var withCert, ours int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			t.Fatalf("unexpected tshark line %q", line)
		}
		if strings.HasPrefix(f[2], "4") {
			withCert++
		}
		if f[4] == ssGW.String() {
			ours++
			if f[3] != c.wantOurMethod {
				t.Errorf("our IKE_AUTH frame %s has AUTH method %q, want %s", f[0], f[3], c.wantOurMethod)
			}
		}
	}
	if withCert != 2*ikeSAs || ours != ikeSAs {
		t.Errorf("tshark decrypted %d IKE_AUTH messages with an X.509 CERT (want %d), %d of them ours (want %d):\n%s", withCert, 2*ikeSAs, ours, ikeSAs, out)
	}
	esp := tshark(t, bin, conf, append(base, "-Y", "esp", "-T", "fields", "-e", "esp.icv_good")...)
	good := strings.Count(esp, "1")
	if good == 0 || good != len(strings.Fields(esp)) {
		t.Errorf("ESP ICVs: %q, want every one good", esp)
	}
	t.Logf("tshark: %d IKE_AUTH messages with certificates decrypted, %d ESP packets with good ICVs", withCert, good)
}
