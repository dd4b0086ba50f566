package sysplex

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/netnstest"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// TestStrongSwanSWSABehindNAT: strongSwan, the client of figure 9's DVA1,
// keeps a TCP connection to APP A on a target. With encap = yes it fakes
// NAT detection (RFC 7296 §2.23), so MVS1 records it as behind NAT. MVS1
// fails: MVS5 reads the record and does not initiate to a peer behind NAT,
// as z/OS does not (IBM: SA recovery on a DVIPA move only where IKE can be
// the initiator); it reports why, and strongSwan's dead-peer detection
// renegotiates with MVS5 itself; the connection carries on.
func TestStrongSwanSWSABehindNAT(t *testing.T) {
	netnstest.NeedStrongSwan(t)
	tag := make([]byte, 3)
	rand.Read(tag)
	id := hex.EncodeToString(tag)
	gwNS, cNS := "tcpipc-swgw-"+id, "tcpipc-swc-"+id
	for _, ns := range []string{gwNS, cNS} {
		netnstest.Run(t, "ip", "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	}
	vgw, vc := "swg"+id, "swc"+id
	netnstest.Run(t, "ip", "link", "add", vgw, "netns", gwNS, "type", "veth", "peer", "name", vc, "netns", cNS)
	netnstest.Run(t, "ip", "-n", gwNS, "addr", "add", dva1.String()+"/32", "dev", vgw)
	netnstest.Run(t, "ip", "-n", cNS, "addr", "add", "192.0.2.10/32", "dev", vc)
	for _, l := range [][2]string{{gwNS, vgw}, {gwNS, "lo"}, {cNS, vc}, {cNS, "lo"}} {
		netnstest.Run(t, "ip", "-n", l[0], "link", "set", l[1], "up")
	}
	netnstest.Run(t, "ip", "-n", gwNS, "route", "add", "192.0.2.10/32", "dev", vgw)
	netnstest.Run(t, "ip", "-n", cNS, "route", "add", dva1.String()+"/32", "dev", vc)
	netnstest.Run(t, "ip", "netns", "exec", cNS, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6")

	// The sysplex, with its IPsec policy on the packet path, and a relay
	// between its LAN and DVA1's UDP ports in the gateway namespace.
	sx, err := New(figure9Plan(t), Options{Clock: clock.Real{}, XCF: xcf.Timing{Interval: 100 * time.Millisecond, Missed: 3}, IPsec: true})
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

	dir := t.TempDir()
	vici, charonLog := filepath.Join(dir, "charon.vici"), filepath.Join(dir, "charon.log")
	conf := fmt.Sprintf(`charon {
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
    kernel-libipsec { allow_peer_ts = yes }
    socket-default { fwmark = 0x42 }
    kernel-netlink { fwmark = !0x42 }
  }
}
`, charonLog, vici)
	// What figure 9's KeyExchangeRule DVA1-client-net and its offers say.
	swan := fmt.Sprintf(`connections {
  dva1 {
    version = 2
    local_addrs = 192.0.2.10
    remote_addrs = %[1]s
    rekey_time = 0
    encap = yes
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
`, dva1)
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
	netnstest.StartGroup(t, exec.Command("ip", "netns", "exec", cNS, "unshare", "-m", "sh", "-c",
		fmt.Sprintf("mount -t tmpfs tmpfs /run && STRONGSWAN_CONF=%s exec %s", filepath.Join(dir, "strongswan.conf"), netnstest.Charon)))
	waitFor(t, "charon's vici socket", func() bool { _, err := os.Stat(vici); return err == nil })
	swanctl := func(args ...string) string {
		return netnstest.Run(t, "swanctl", append(args, "--uri", "unix://"+vici)...)
	}
	swanctl("--load-all", "--file", filepath.Join(dir, "swanctl.conf"))
	swanctl("--initiate", "--child", "app", "--timeout", "10")
	if sas := sx.Stack("MVS1").IPsecSAs(dva1); sas == nil || len(sas.IKE) != 1 || len(sas.Dynamic) != 1 {
		t.Fatalf("MVS1's tunnels after strongSwan initiated: %+v", sas)
	}

	// Two connections: round robin puts the second on MVS2.
	first := dialInNetns(t, cNS, netip.AddrPortFrom(dva1, 60))
	defer first.Close()
	kept := dialInNetns(t, cNS, netip.AddrPortFrom(dva1, 60))
	defer kept.Close()
	echoOnce(t, kept, "before the takeover")
	_ = servers
	if err := sx.Fail("MVS1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("timeline:\n%s", timelineText(sx))
		}
	})
	waitFor(t, "MVS5's SWSA outcome", func() bool { return lastOutcome(sx, "MVS5") != nil })
	o := lastOutcome(sx, "MVS5")
	if len(o.Recovered) != 0 || len(o.NotRecovered) != 1 || o.NotRecovered[0].Reasons[0].Code != "peer-behind-nat" {
		t.Fatalf("MVS5's outcome %+v", o)
	}
	if tl := timelineText(sx); !strings.Contains(tl, "not recovered: peer-behind-nat") {
		t.Fatalf("timeline:\n%s", tl)
	}
	// strongSwan's DPD finds the old SA dead and starts again, with MVS5.
	waitFor(t, "strongSwan to renegotiate with MVS5", func() bool {
		sas := sx.Stack("MVS5").IPsecSAs(dva1)
		return sas != nil && len(sas.Dynamic) > 0
	})
	err = nil
	for range 5 {
		if err = tryEcho(kept, "after the takeover"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("the connection on %s after the takeover: %v", "MVS2", err)
	}
}
