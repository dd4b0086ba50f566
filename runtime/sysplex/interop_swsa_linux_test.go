package sysplex

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/netnstest"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/link"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// TestStrongSwanSWSATakeoverTakeback: strongSwan 5.9.8's kernel-libipsec
// asks for ESP in UDP and fakes NAT detection (RFC 7296 §2.23), so MVS1
// records it as behind NAT at port 4500: a one-to-one NAT to z/OS, which
// recovers it (IBM, "DVIPA recovery support"). strongSwan keeps a TCP
// connection to APP A on MVS2 through DVA1. MVS1 fails: MVS5 initiates to
// strongSwan from DVA1 at once, the connection carries on byte for byte,
// and charon's dead-peer detection never gives up on the old SA (its
// INITIAL_CONTACT removed it). MVS1 returns and takes DVA1 back with the
// tunnel; MVS5 deletes its SAs, and strongSwan ends with one IKE SA, to
// MVS1.
func TestStrongSwanSWSATakeoverTakeback(t *testing.T) { takeoverTakeback(t, hostCharon) }

// TestStrongSwan6SWSAPlainESP is TestStrongSwanSWSATakeoverTakeback with
// strongSwan 6 (kernel-libipsec with raw_esp, from the root that
// .ci/strongswan6-root builds) and encap = no: there is no NAT and none is
// faked, so MVS1's SAs, those MVS5 initiates from the coupling facility
// records, and MVS1's again after the takeback all carry ESP as IP
// protocol 50, which tshark decrypts on the LAN.
func TestStrongSwan6SWSAPlainESP(t *testing.T) { takeoverTakeback(t, charon6) }

func takeoverTakeback(t *testing.T, from charonFrom) {
	sx, swan, kept := failUnderConnection(t, noNAT, from)
	waitFor(t, "MVS5 to renegotiate the tunnel", func() bool { o := lastOutcome(sx, "MVS5"); return o != nil && !o.Done.IsZero() })
	o := lastOutcome(sx, "MVS5")
	if len(o.Recovered) != 1 || len(o.NotRecovered)+len(o.Failed) != 0 {
		t.Fatalf("MVS5's outcome %+v", o)
	}
	if d := o.Recovered[0]; d.UDPEncap == swan.plainESP {
		t.Errorf("MVS5 recovered the tunnel to %s with UDP encapsulation %v, want %v", d.Peer, d.UDPEncap, !swan.plainESP)
	}
	echoOnce(t, kept, "after the takeover")
	// Longer than charon's dead-peer detection (dpd_delay 1 s, two
	// retransmits of 1 s and 1.8 s) would need to give up on MVS1's SA.
	time.Sleep(6 * time.Second)
	echoOnce(t, kept, "well after the takeover")
	log := readCharonLog(t, swan.log)
	for _, bad := range []string{"giving up after", "restarting CHILD_SA"} {
		if strings.Contains(log, bad) {
			t.Fatalf("charon's dead-peer detection fired (%q)", bad)
		}
	}
	if n := strings.Count(log, dva1.String()+" is initiating an IKE_SA"); n != 1 {
		t.Fatalf("charon saw %d IKE_SAs initiated by %s, want 1 (MVS5's)", n, dva1)
	}
	if n := strings.Count(log, "initiating IKE_SA dva1["); n != 1 {
		t.Fatalf("charon initiated %d IKE_SAs, want only its first", n)
	}

	if err := sx.Recover("MVS1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "MVS1 to take DVA1 back", func() bool { return sx.Owner(dva1) == "MVS1" })
	waitFor(t, "MVS1 to renegotiate the tunnel", func() bool { o := lastOutcome(sx, "MVS1"); return o != nil && !o.Done.IsZero() })
	if o := lastOutcome(sx, "MVS1"); len(o.Recovered) != 1 {
		t.Fatalf("MVS1's outcome %+v", o)
	}
	waitFor(t, "strongSwan to hold one IKE SA", func() bool { return len(ikeSAsOf(swan.ctl("--list-sas"))) == 1 })
	waitFor(t, "MVS5 to delete its SAs", func() bool { sas := sx.Stack("MVS5").IPsecSAs(dva1); return sas == nil || len(sas.IKE) == 0 })
	if sas := sx.Stack("MVS1").IPsecSAs(dva1); sas == nil || len(sas.IKE) != 1 {
		t.Fatalf("MVS1's tunnels after the takeback: %+v", sas)
	}
	echoOnce(t, kept, "after the takeback")
	// Three generations of SAs (MVS1's, MVS5's, MVS1's again) carried
	// the connection, each decrypted with its keys.
	if spis, ike := swan.decryptsInTshark(t); len(spis) < 6 || ike < 6 {
		t.Errorf("tshark decrypted ESP under %d SPIs and %d IKE messages; want the child SAs and IKE exchanges of three holders", len(spis), ike)
	}
}

// TestStrongSwanSWSABehindOneToOneNAT: strongSwan behind a static
// one-to-one NAT (10.77.0.2 is 192.0.2.10 outside, ports kept). MVS1
// records it behind NAT at 192.0.2.10:4500; on MVS1's failure MVS5
// initiates to that public address on port 4500 (IBM recovers through a
// one-to-one NAT, where IKE can initiate) and the connection on MVS2
// carries on without charon's dead-peer detection giving up.
func TestStrongSwanSWSABehindOneToOneNAT(t *testing.T) {
	sx, swan, kept := failUnderConnection(t, oneToOne, hostCharon)
	waitFor(t, "MVS5 to renegotiate the tunnel", func() bool { o := lastOutcome(sx, "MVS5"); return o != nil && !o.Done.IsZero() })
	o := lastOutcome(sx, "MVS5")
	if len(o.Recovered) != 1 || len(o.NotRecovered)+len(o.Failed) != 0 {
		t.Fatalf("MVS5's outcome %+v", o)
	}
	if d := o.Recovered[0]; !d.UDPEncap || d.Peer != netip.MustParseAddrPort("192.0.2.10:4500") {
		t.Fatalf("MVS5 recovered the tunnel to %s (UDP encapsulation %v); want 192.0.2.10:4500 in UDP", d.Peer, d.UDPEncap)
	}
	echoOnce(t, kept, "after the takeover")
	time.Sleep(6 * time.Second) // longer than charon's DPD needs to give up
	echoOnce(t, kept, "well after the takeover")
	log := readCharonLog(t, swan.log)
	if strings.Contains(log, "giving up after") || strings.Contains(log, "restarting CHILD_SA") {
		t.Fatal("charon's dead-peer detection fired")
	}
	if n := strings.Count(log, dva1.String()+" is initiating an IKE_SA"); n != 1 {
		t.Fatalf("charon saw %d IKE_SAs initiated by %s, want 1 (MVS5's)", n, dva1)
	}
	if spis, ike := swan.decryptsInTshark(t); len(spis) < 4 || ike < 4 {
		t.Errorf("tshark decrypted ESP under %d SPIs and %d IKE messages; want MVS1's and MVS5's", len(spis), ike)
	}
}

// TestStrongSwanSWSABehindNAPT: strongSwan behind a NAT that translates
// its ports (its IKE reaches DVA1 from 192.0.2.10:20000-30000). z/OS
// cannot initiate to a peer behind a NAPT, so IBM recovers no SA there
// ("DVIPA recovery support"); MVS5 reports the tunnel as not recovered
// (peer-behind-napt) and strongSwan's dead-peer detection renegotiates
// with MVS5 through the NAPT; the connection on MVS2 carries on.
func TestStrongSwanSWSABehindNAPT(t *testing.T) {
	sx, swan, kept := failUnderConnection(t, napt, hostCharon)
	waitFor(t, "MVS5's SWSA outcome", func() bool { return lastOutcome(sx, "MVS5") != nil })
	o := lastOutcome(sx, "MVS5")
	if len(o.Recovered) != 0 || len(o.NotRecovered) != 1 || o.NotRecovered[0].Reasons[0].Code != "peer-behind-napt" {
		t.Fatalf("MVS5's outcome %+v", o)
	}
	if tl := timelineText(sx); !strings.Contains(tl, "not recovered: peer-behind-napt") {
		t.Fatalf("timeline:\n%s", tl)
	}
	waitFor(t, "strongSwan's DPD to renegotiate with MVS5", func() bool {
		sas := sx.Stack("MVS5").IPsecSAs(dva1)
		return sas != nil && len(sas.Dynamic) > 0
	})
	var err error
	for range 5 {
		if err = tryEcho(kept, "after the takeover"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("the connection on MVS2 after the takeover: %v", err)
	}
	if log := readCharonLog(t, swan.log); !strings.Contains(log, "giving up after") {
		t.Fatal("charon renegotiated without its dead-peer detection giving up on MVS1's SA")
	}
	if spis, ike := swan.decryptsInTshark(t); len(spis) < 4 || ike < 4 {
		t.Errorf("tshark decrypted ESP under %d SPIs and %d IKE messages; want MVS1's and MVS5's", len(spis), ike)
	}
}

// readCharonLog is charon's log so far.
func readCharonLog(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ikeSAsOf picks the IKE SA lines ("dva1: #3, ESTABLISHED, IKEv2, …")
// out of swanctl --list-sas.
func ikeSAsOf(out string) []string {
	var sas []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "dva1: #") {
			sas = append(sas, l)
		}
	}
	return sas
}

// swanDVA1 is strongSwan as the IPsec client of figure 9's DVA1: its
// namespace, its charon log, and swanctl on its vici socket.
type swanDVA1 struct {
	ns, log string
	ctl     func(args ...string) string
	// pcap is the capture of the sysplex's LAN; keys the key log of
	// every stack's SAs, the strongSwan ends of them included.
	pcap string
	keys *syncBuffer
	// plainESP is set when ESP must travel as IP protocol 50: strongSwan
	// 6 with encap = no.
	plainESP bool
	// servers are APP A's echo servers, by stack.
	servers map[string]*echoServer
}

// syncBuffer is a key log the endpoints' goroutines share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// decryptsInTshark has Wireshark decrypt the LAN capture with the key
// log: every ESP frame (in UDP when strongSwan 5.9.8's kernel-libipsec
// asks for it, plain when sw.plainESP) has a good ICV and carries TCP, and every IKE message past IKE_SA_INIT
// decrypts. It returns the SPIs of the ESP frames and the IKE messages
// decrypted.
func (sw swanDVA1) decryptsInTshark(t *testing.T) (map[string]bool, int) {
	t.Helper()
	bin, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tshark is required under CI=true (.ci/run installs it)")
		}
		t.Skip("tshark not installed (apt-get install tshark)")
	}
	conf := filepath.Join(t.TempDir(), "wireshark")
	if err := os.Mkdir(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	espSA, ikev2 := ipsec.SplitKeyLog(sw.keys.Bytes())
	for name, b := range map[string][]byte{"esp_sa": espSA, "ikev2_decryption_table": ikev2} {
		if err := os.WriteFile(filepath.Join(conf, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-r", sw.pcap, "-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE",
		"-T", "fields", "-E", "separator=/t", "-e", "esp.spi", "-e", "esp.icv_good", "-e", "isakmp.exchangetype",
		"-e", "isakmp.enc.decrypted", "-e", "frame.protocols")
	cmd.Env = append(os.Environ(), "WIRESHARK_CONFIG_DIR="+conf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	spis, ike := map[string]bool{}, 0
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			continue
		}
		spi, good, exch, decrypted, protos := f[0], f[1], f[2], f[3], f[4]
		switch {
		case spi != "" && !strings.Contains(spi, ","):
			spis[spi] = true
			if good != "1" || !strings.Contains(protos, "esp:ip:tcp") || strings.Contains(protos, "udp") == sw.plainESP {
				t.Errorf("ESP frame SPI %s: icv_good=%q protocols %s; want plain ESP %v", spi, good, protos, sw.plainESP)
			}
		case exch != "" && exch != "34":
			ike++
			if decrypted == "" {
				t.Errorf("IKE exchange %s not decrypted: %s", exch, protos)
			}
		}
	}
	t.Logf("tshark decrypted ESP under %d SPIs and %d IKE messages", len(spis), ike)
	return spis, ike
}

// natMode is what stands between strongSwan and the sysplex.
type natMode int

const (
	noNAT natMode = iota
	// oneToOne maps 10.77.0.2 to 192.0.2.10 both ways, ports kept: a
	// static one-to-one NAT, through which IKE can initiate.
	oneToOne
	// napt translates strongSwan's ports to 192.0.2.10:20000-30000, as a
	// NAPT does: only strongSwan can open the mapping.
	napt
)

// ruleset is the nftables ruleset of the NAT namespace; %s is its
// interface toward the sysplex.
func (m natMode) ruleset() string {
	if m == oneToOne {
		return `table ip nat11 {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "%[1]s" ip daddr 192.0.2.10 dnat to 10.77.0.2
  }
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "%[1]s" ip saddr 10.77.0.2 snat to 192.0.2.10
  }
}
`
	}
	return `table ip napt {
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "%s" meta l4proto udp snat to 192.0.2.10:20000-30000 random
  }
}
`
}

// charonFrom says which strongSwan plays DVA1's client.
type charonFrom int

const (
	// hostCharon is the machine's strongSwan (Debian bookworm's 5.9.8),
	// with encap = yes: its kernel-libipsec can only do ESP in UDP.
	hostCharon charonFrom = iota
	// charon6 is strongSwan 6 from .ci/strongswan6-root, with encap = no
	// and raw_esp: plain ESP when there is no NAT.
	charon6
)

// failUnderConnection starts figure 9 with strongSwan (from) as a client
// of DVA1 behind nat, opens two connections to APP A (round robin puts the second
// on MVS2), checks the second echoes, and fails MVS1; it returns the
// second. A failing test logs the sysplex's timeline.
func failUnderConnection(t *testing.T, nat natMode, from charonFrom) (*Sysplex, swanDVA1, net.Conn) {
	t.Helper()
	sx, swan := startStrongSwanDVA1(t, nat, from)
	first := dialInNetns(t, swan.ns, netip.AddrPortFrom(dva1, 60))
	t.Cleanup(func() { first.Close() })
	kept := dialInNetns(t, swan.ns, netip.AddrPortFrom(dva1, 60))
	t.Cleanup(func() { kept.Close() })
	echoOnce(t, kept, "before the takeover")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("timeline:\n%s", timelineText(sx))
		}
	})
	if err := sx.Fail("MVS1"); err != nil {
		t.Fatal(err)
	}
	return sx, swan, kept
}

// startStrongSwanDVA1 runs figure 9's sysplex with its IPsec policy, a
// relay between its LAN and DVA1's addresses in a gateway namespace, and
// charon (kernel-libipsec) in a client namespace at 192.0.2.10, whose
// IKE SA and child SA to MVS1 are up when it returns. Behind a NAT,
// charon sits at 10.77.0.2 (192.0.2.10 its inner address) behind a
// namespace that maps it to 192.0.2.10.
func startStrongSwanDVA1(t *testing.T, nat natMode, from charonFrom) (*Sysplex, swanDVA1) {
	t.Helper()
	sw, encap := netnstest.StrongSwan{}, "yes"
	if from == charon6 {
		sw, encap = netnstest.NeedStrongSwan6(t), "no"
	} else {
		netnstest.NeedStrongSwan(t)
	}
	tag := make([]byte, 3)
	rand.Read(tag)
	id := hex.EncodeToString(tag)
	gwNS, cNS, natNS := "tcpipc-swgw-"+id, "tcpipc-swc-"+id, "tcpipc-swn-"+id
	nss := []string{gwNS, cNS}
	if nat != noNAT {
		nss = append(nss, natNS)
	}
	for _, ns := range nss {
		netnstest.Run(t, "ip", "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	}
	local := "192.0.2.10"
	vgw, vc := "swg"+id, "swc"+id
	if nat == noNAT {
		netnstest.Run(t, "ip", "link", "add", vgw, "netns", gwNS, "type", "veth", "peer", "name", vc, "netns", cNS)
		netnstest.Run(t, "ip", "-n", cNS, "addr", "add", "192.0.2.10/32", "dev", vc)
	} else {
		local = "10.77.0.2"
		vng, vnc := "swng"+id, "swnc"+id
		netnstest.Run(t, "ip", "link", "add", vgw, "netns", gwNS, "type", "veth", "peer", "name", vng, "netns", natNS)
		netnstest.Run(t, "ip", "link", "add", vnc, "netns", natNS, "type", "veth", "peer", "name", vc, "netns", cNS)
		netnstest.Run(t, "ip", "-n", natNS, "addr", "add", "192.0.2.10/32", "dev", vng)
		netnstest.Run(t, "ip", "-n", natNS, "addr", "add", "10.77.0.1/24", "dev", vnc)
		netnstest.Run(t, "ip", "-n", cNS, "addr", "add", "10.77.0.2/24", "dev", vc)
		netnstest.Run(t, "ip", "-n", cNS, "addr", "add", "192.0.2.10/32", "dev", "lo")
		for _, l := range []string{vng, vnc, "lo"} {
			netnstest.Run(t, "ip", "-n", natNS, "link", "set", l, "up")
		}
		netnstest.Run(t, "ip", "-n", natNS, "route", "add", dva1.String()+"/32", "dev", vng)
		netnstest.Run(t, "ip", "netns", "exec", natNS, "sysctl", "-qw", "net.ipv4.ip_forward=1")
		cmd := exec.Command("ip", "netns", "exec", natNS, "nft", "-f", "-")
		cmd.Stdin = strings.NewReader(fmt.Sprintf(nat.ruleset(), vng))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("nft: %v\n%s", err, out)
		}
	}
	netnstest.Run(t, "ip", "-n", gwNS, "addr", "add", dva1.String()+"/32", "dev", vgw)
	for _, l := range [][2]string{{gwNS, vgw}, {gwNS, "lo"}, {cNS, vc}, {cNS, "lo"}} {
		netnstest.Run(t, "ip", "-n", l[0], "link", "set", l[1], "up")
	}
	netnstest.Run(t, "ip", "-n", gwNS, "route", "add", "192.0.2.10/32", "dev", vgw)
	if nat != noNAT {
		netnstest.Run(t, "ip", "-n", cNS, "route", "add", dva1.String()+"/32", "via", "10.77.0.1", "src", "192.0.2.10")
	} else {
		netnstest.Run(t, "ip", "-n", cNS, "route", "add", dva1.String()+"/32", "dev", vc)
	}
	netnstest.Run(t, "ip", "netns", "exec", cNS, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6")

	// The sysplex, with its IPsec policy on the packet path, and a relay
	// between its LAN and DVA1's UDP ports in the gateway namespace.
	dir := t.TempDir()
	pcap, err := os.Create(filepath.Join(dir, "lan.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pcap.Close() })
	pw, err := link.NewPcapWriter(pcap, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	keys := &syncBuffer{}
	sx, err := New(figure9Plan(t), Options{Clock: clock.Real{}, XCF: xcf.Timing{Interval: 100 * time.Millisecond, Missed: 3}, IPsec: true,
		LANTap: pw.Tap(link.Out), KeyLog: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sx.Stop)
	if err := sx.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	servers := serveAPPA(t, sx)
	relayUDP(t, sx, gwNS, netip.MustParseAddr("192.0.2.10"))

	vici, charonLog := filepath.Join(dir, "charon.vici"), filepath.Join(dir, "charon.log")
	conf := charonConf(charonLog, vici)
	// What figure 9's KeyExchangeRule DVA1-client-net and its offers say.
	swan := fmt.Sprintf(`connections {
  dva1 {
    version = 2
    local_addrs = %[2]s
    remote_addrs = %[1]s
    rekey_time = 0
    encap = %[3]s
    dpd_delay = 1s
    proposals = aes128-sha256-prfsha256-ecp256
    local {
      auth = psk
      id = 192.0.2.10
    }
    remote {
      auth = psk
      id = %[1]s
    }
    children {
      app {
        local_ts = 192.0.2.10/32
        remote_ts = %[1]s/32
        esp_proposals = aes128gcm16
        start_action = none
        dpd_action = restart
      }
    }
  }
}
secrets {
  ike-1 {
    id-1 = 192.0.2.10
    id-2 = %[1]s
    secret = "figure9-demo-psk-0001"
  }
}
`, dva1, local, encap)
	for name, body := range map[string]string{"strongswan.conf": conf, "swanctl.conf": swan} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			if log, err := os.ReadFile(charonLog); err == nil {
				t.Logf("charon log:\n%s", log)
			}
		}
	})
	netnstest.StartGroup(t, sw.Charon(cNS, dir, filepath.Join(dir, "strongswan.conf")))
	waitFor(t, "charon's vici socket", func() bool { _, err := os.Stat(vici); return err == nil })
	swanctl := func(args ...string) string {
		argv := sw.Swanctl(dir, vici, args...)
		return netnstest.Run(t, argv[0], argv[1:]...)
	}
	swanctl("--load-all", "--file", filepath.Join(dir, "swanctl.conf"))
	swanctl("--initiate", "--child", "app", "--timeout", "10")
	// swanctl returns once charon has our IKE_AUTH answer; MVS1 installs
	// the child just after sending it (ikesa runs OnChildSA once the
	// message is handled; early.go holds ESP that overtakes it), so the
	// child may not be listed yet at that instant.
	waitFor(t, "MVS1's IKE SA and child after strongSwan initiated", func() bool {
		sas := sx.Stack("MVS1").IPsecSAs(dva1)
		return sas != nil && len(sas.IKE) == 1 && len(sas.Dynamic) == 1
	})
	return sx, swanDVA1{ns: cNS, log: charonLog, ctl: swanctl, pcap: pcap.Name(), keys: keys, plainESP: from == charon6, servers: servers}
}
