package ipsec

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/testkit/netnstest"
)

// TestPlainESPOverRealSockets runs two of our endpoints in two network
// namespaces joined by a veth pair, on real sockets (UDPConn: UDP 500 and
// 4500, and a raw socket for IP protocol 50), with no NAT between them.
// Both directions carry plain ESP; tcpdump on the wire and tshark with our
// key log show every ESP frame as IP protocol 50, decrypted with a good
// ICV, and none in UDP.
func TestPlainESPOverRealSockets(t *testing.T) {
	netnstest.NeedStrongSwan(t) // root, ip; charon itself is not used
	tag := make([]byte, 3)
	rand.Read(tag)
	id := hex.EncodeToString(tag)
	gwNS, cNS := "tcpipc-pgw-"+id, "tcpipc-pc-"+id
	for _, ns := range []string{gwNS, cNS} {
		run(t, "ip", "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	}
	vgw, vc := "pgw"+id, "pc"+id
	run(t, "ip", "link", "add", vgw, "netns", gwNS, "type", "veth", "peer", "name", vc, "netns", cNS)
	run(t, "ip", "-n", gwNS, "addr", "add", ssGW.String()+"/24", "dev", vgw)
	run(t, "ip", "-n", cNS, "addr", "add", ssClient.String()+"/24", "dev", vc)
	for _, l := range [][2]string{{gwNS, vgw}, {gwNS, "lo"}, {cNS, vc}, {cNS, "lo"}} {
		run(t, "ip", "-n", l[0], "link", "set", l[1], "up")
	}
	capture := startCapture(t, gwNS, vgw, filepath.Join(t.TempDir(), "plain.pcap"))

	clientSPD, err := NewSPD(Filter{Name: "to-apps", Local: PrefixRange(netip.MustParsePrefix("10.99.0.2/32")),
		Remote: PrefixRange(netip.MustParsePrefix("10.1.1.0/24")), Action: ActionIPsec, Tunnel: Tunnel{Peer: "gw"}})
	if err != nil {
		t.Fatal(err)
	}
	gwSPD, err := NewSPD(Filter{Name: "clients", Local: PrefixRange(netip.MustParsePrefix("10.1.1.0/24")),
		Remote: PrefixRange(netip.MustParsePrefix("10.99.0.0/16")), Action: ActionIPsec, Tunnel: Tunnel{Peer: "client"}})
	if err != nil {
		t.Fatal(err)
	}
	var gwKeys syncBuffer
	gotClient := make(chan []byte, 64)
	self := make(chan *Endpoint, 1)
	gw, err := New(Config{Local: ssGW, ID: ikesa.FQDN("gw.example"), SPD: gwSPD, Conn: listenInNetns(t, gwNS, ssGW), KeyLog: &gwKeys,
		Peers: []Peer{{Name: "client", Addr: ssClient, ID: ikesa.FQDN("peer.example"), PSK: testPSK,
			LocalTS:  []netip.Prefix{netip.MustParsePrefix("10.1.1.0/24")},
			RemoteTS: []netip.Prefix{netip.MustParsePrefix("10.99.0.0/16")}}},
		OnCleartext: func(p []byte) { e := <-self; self <- e; e.Outbound(reply(p)) }})
	if err != nil {
		t.Fatal(err)
	}
	self <- gw
	t.Cleanup(func() { gw.Close() })
	client, err := New(Config{Local: ssClient, ID: ikesa.FQDN("peer.example"), SPD: clientSPD, Conn: listenInNetns(t, cNS, ssClient),
		Peers: []Peer{{Name: "gw", Addr: ssGW, ID: ikesa.FQDN("gw.example"), PSK: testPSK,
			LocalTS:  []netip.Prefix{netip.MustParsePrefix("10.99.0.2/32")},
			RemoteTS: []netip.Prefix{netip.MustParsePrefix("10.1.1.0/24")}}},
		OnCleartext: func(p []byte) { gotClient <- p }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })

	for i := range 10 {
		pkt := udp4(clientIn, appAddr, 40000, 7, fmt.Appendf(nil, "plain %d", i))
		if v := client.Outbound(pkt); v != Protected && v != Queued {
			t.Fatalf("packet %d: %v", i, v)
		}
		if got := recv(t, gotClient, "the echo"); !bytes.Equal(got, reply(pkt)) {
			t.Fatalf("echo % x, want % x", got, reply(pkt))
		}
	}
	l := gw.SAs()
	if len(l.IKE) != 1 || l.IKE[0].NATLocal || l.IKE[0].NATRemote {
		t.Errorf("IKE SAs %+v: want one, without NAT", l.IKE)
	}
	pcapFile := capture.stop()
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := exec.Command("tcpdump", "-n", "-r", pcapFile).CombinedOutput()
			t.Logf("capture:\n%s", out)
		}
	})
	frames := tsharkESP(t, pcapFile, gwKeys.Bytes())
	if len(frames) < 20 {
		t.Fatalf("tshark saw %d ESP frames, want >= 20: %+v", len(frames), frames)
	}
	for _, f := range frames {
		if f.ipProto != "50" || f.inUDP() || f.icvGood != "1" || !strings.Contains(f.protocols, "esp:ip:udp") {
			t.Errorf("ESP frame %+v: want IP protocol 50, not in UDP, decrypted with a good ICV", f)
		}
	}
	noDropsExcept(t, gw)
	noDropsExcept(t, client)
}
