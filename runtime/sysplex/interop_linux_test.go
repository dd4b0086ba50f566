package sysplex

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/netnstest"
	"github.com/tcpipc/tcpipc/runtime/lan"
)

// TestStrongSwanToRunningSysplex: strongSwan (charon with kernel-libipsec,
// in its own network namespace, at 192.0.2.10 as figure 9's key exchange
// rule expects) initiates IKEv2 with the rule's pre-shared key to DVA1 of
// a running figure 9 sysplex, and TCP to APP A on port 60 passes through
// the child SA: MVS1 decrypts, distributes to its targets, and encrypts
// the replies. strongSwan then rekeys the child and the IKE SA, checks
// liveness (DPD), and terminates; a connection lives through all of it,
// and when APP A writes on it afterwards MVS1 initiates IKE to strongSwan. The sysplex's LAN reaches the namespace through a relay of
// UDP 500 and 4500 on DVA1's address in a second namespace.
func TestStrongSwanToRunningSysplex(t *testing.T) {
	sx, swan := startStrongSwanDVA1(t, noNAT, hostCharon)
	cNS, swanctl, servers := swan.ns, swan.ctl, swan.servers

	// TCP from strongSwan's namespace to APP A through the child SA, one
	// connection kept open across the rekeys.
	kept := dialInNetns(t, cNS, netip.AddrPortFrom(dva1, 60))
	defer kept.Close()
	echoOnce(t, kept, "from strongSwan")
	for i := 0; i < 3; i++ {
		c := dialInNetns(t, cNS, netip.AddrPortFrom(dva1, 60))
		echoOnce(t, c, fmt.Sprintf("from strongSwan %d", i))
		c.Close()
	}
	// strongSwan rekeys the child, then the IKE SA; traffic carries on.
	oldSPI := sx.Stack("MVS1").IPsecSAs(dva1).Dynamic[0].InboundSPI
	swanctl("--rekey", "--child", "app")
	waitFor(t, "the child rekeyed on MVS1", func() bool {
		for _, d := range sx.Stack("MVS1").IPsecSAs(dva1).Dynamic {
			if d.Active && d.InboundSPI != oldSPI {
				return true
			}
		}
		return false
	})
	echoOnce(t, kept, "after the child rekey")
	oldIKE := sx.Stack("MVS1").IPsecSAs(dva1).IKE[0].ID
	swanctl("--rekey", "--ike", "dva1")
	waitFor(t, "the IKE SA rekeyed on MVS1", func() bool {
		ike := sx.Stack("MVS1").IPsecSAs(dva1).IKE
		return len(ike) == 1 && ike[0].ID != oldIKE
	})
	echoOnce(t, kept, "after the IKE rekey")
	// Liveness: strongSwan's DPD (every second) keeps being answered.
	time.Sleep(2500 * time.Millisecond)
	echoOnce(t, kept, "after liveness checks")
	if out := swanctl("--list-sas"); !strings.Contains(out, "app: ") || !strings.Contains(out, "INSTALLED") || !strings.Contains(out, "ESTABLISHED") {
		t.Fatalf("strongSwan's SAs:\n%s", out)
	}
	swanctl("--terminate", "--ike", "dva1", "--timeout", "10")
	waitFor(t, "MVS1 to delete the SAs", func() bool {
		sas := sx.Stack("MVS1").IPsecSAs(dva1)
		return sas != nil && len(sas.IKE) == 0
	})

	// The reverse: APP A writes on the connection that outlived the SAs;
	// MVS1 needs an SA for it and initiates IKE to strongSwan, which
	// answers as responder, and the bytes arrive through the new child.
	server := serverConnOf(t, servers, kept.LocalAddr())
	if _, err := io.WriteString(server, "from APP A"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len("from APP A"))
	kept.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(kept, buf); err != nil || string(buf) != "from APP A" {
		t.Fatalf("after MVS1 initiated: %q, %v", buf, err)
	}
	if ike := sx.Stack("MVS1").IPsecSAs(dva1).IKE; len(ike) != 1 || !ike[0].Initiator {
		t.Fatalf("MVS1's IKE SAs after it initiated: %+v", ike)
	}
	echoOnce(t, kept, "both ways again")
}

// serverConnOf finds APP A's side of a client connection.
func serverConnOf(t *testing.T, servers map[string]*echoServer, client net.Addr) net.Conn {
	t.Helper()
	var conns []net.Conn
	for _, e := range servers {
		e.mu.Lock()
		for c := range e.open {
			conns = append(conns, c)
		}
		e.mu.Unlock()
	}
	// Closed connections stay in the servers' maps and may have no
	// remote address any more.
	for _, c := range conns {
		if ra := c.RemoteAddr(); ra != nil && ra.String() == client.String() {
			return c
		}
	}
	t.Fatalf("no server connection for %s", client)
	return nil
}

func dialInNetns(t *testing.T, ns string, ap netip.AddrPort) net.Conn {
	t.Helper()
	var c net.Conn
	netnstest.InNetns(t, ns, func() (err error) {
		c, err = net.DialTimeout("tcp", ap.String(), 10*time.Second)
		return err
	})
	return c
}

// relayUDP joins the sysplex's LAN and a real network: UDP 500 and 4500
// on DVA1's address in namespace ns go onto the LAN as IPv4/UDP packets,
// and the LAN's packets for peer leave through those sockets; plain ESP
// (IP protocol 50) goes both ways through a raw socket. (strongSwan 5.9.8's
// kernel-libipsec always asks for ESP in UDP, so only a peer with raw ESP
// uses it.)
func relayUDP(t *testing.T, sx *Sysplex, ns string, peer netip.Addr) {
	t.Helper()
	socks := map[uint16]*net.UDPConn{}
	var raw *net.IPConn
	netnstest.InNetns(t, ns, func() (err error) {
		for _, port := range []uint16{lan.IKEPort, lan.NATTPort} {
			c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(dva1, port)))
			if err != nil {
				return err
			}
			socks[port] = c
		}
		raw, err = net.ListenIP("ip4:50", &net.IPAddr{IP: dva1.AsSlice()})
		return err
	})
	relay, err := sx.Fabric().Attach("relay", func(pkt []byte) error {
		if src, esp, ok := lan.ParseESP(pkt); ok && src == dva1 {
			_, err := raw.WriteToIP(esp, &net.IPAddr{IP: peer.AsSlice()})
			return err
		}
		// The endpoint answers from DVA1:500 or :4500 to the peer's port.
		peerPort, _, payload, ok := lan.ParseUDP(pkt)
		sock := socks[portOfSource(pkt)]
		if src, _ := lan.Source(pkt); !ok || src != dva1 || sock == nil {
			return nil
		}
		_, err := sock.WriteToUDPAddrPort(payload, netip.AddrPortFrom(peer, peerPort))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	relay.Advertise(peer)
	for port, c := range socks {
		go func() {
			buf := make([]byte, 65535)
			for {
				n, from, err := c.ReadFromUDPAddrPort(buf)
				if err != nil {
					return
				}
				pkt := lan.UDPPacket(netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), netip.AddrPortFrom(dva1, port), buf[:n])
				_ = relay.Send(context.Background(), pkt)
			}
		}()
	}
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := raw.ReadFromIP(buf)
			if err != nil {
				return
			}
			src, _ := netip.AddrFromSlice(from.IP)
			_ = relay.Send(context.Background(), lan.ESPPacket(src.Unmap(), dva1, buf[:n]))
		}
	}()
	t.Cleanup(func() {
		relay.Detach()
		raw.Close()
		for _, c := range socks {
			c.Close()
		}
	})
}

// portOfSource is the UDP source port of an IPv4/UDP packet.
func portOfSource(pkt []byte) uint16 {
	hl := int(pkt[0]&0xf) * 4
	if len(pkt) < hl+4 {
		return 0
	}
	return uint16(pkt[hl])<<8 | uint16(pkt[hl+1])
}

// charonConf is the strongswan.conf of the interop tests' charon: its log
// file and VICI socket, and the kernel-libipsec set-up a peer needs whose
// IKE peer is also its tunnel's far end (the DVIPA).
func charonConf(logPath, viciPath string) string {
	return fmt.Sprintf(`charon {
  load = random nonce openssl gcm aes sha1 sha2 hmac kdf pem pkcs1 x509 pubkey curve25519 gmp kernel-libipsec kernel-netlink socket-default vici
  retransmit_timeout = 1.0
  retransmit_tries = 2
  filelog {
    log {
      path = %s
      flush_line = yes
      default = 1
      ike = 2
    }
  }
  plugins {
    vici { socket = unix://%s }
    # The DVIPA is both the IKE peer and the tunnel's far end (figure 9's
    # rule protects traffic to DVA1 itself): let libipsec route it, and
    # keep IKE and ESP-in-UDP (marked) out of the TUN route's table.
    # raw_esp (strongSwan 5.9.11 and later; 5.9.8 ignores it) sends ESP
    # as IP protocol 50 when there is no NAT and encap = no.
    kernel-libipsec {
      allow_peer_ts = yes
      raw_esp = yes
    }
    socket-default { fwmark = 0x42 }
    kernel-netlink { fwmark = !0x42 }
  }
}
`, logPath, viciPath)
}
