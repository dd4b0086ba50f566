package ipsec

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// writePcap writes captured datagrams as raw IPv4/UDP packets (LINKTYPE_RAW)
// with computed UDP checksums, as a kernel sending from our sockets would.
func writePcap(t testing.TB, path string, pkts []captured) {
	t.Helper()
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if err := w.WriteFileHeader(65535, layers.LinkTypeRaw); err != nil {
		t.Fatal(err)
	}
	for i, c := range pkts {
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, Id: uint16(i),
			SrcIP: c.src.Addr().AsSlice(), DstIP: c.dst.Addr().AsSlice()}
		udp := &layers.UDP{SrcPort: layers.UDPPort(c.src.Port()), DstPort: layers.UDPPort(c.dst.Port())}
		if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
			t.Fatal(err)
		}
		sb := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(sb, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
			ip, udp, gopacket.Payload(c.payload)); err != nil {
			t.Fatal(err)
		}
		data := sb.Bytes()
		ci := gopacket.CaptureInfo{Timestamp: c.at, CaptureLength: len(data), Length: len(data)}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tshark runs tshark on a capture with a private configuration directory
// holding the key tables, and returns its standard output.
func tshark(t testing.TB, bin, confDir string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "WIRESHARK_CONFIG_DIR="+confDir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// TestTsharkDecryptsSession captures a whole session on the public side of
// the NAT (IKE_SA_INIT on 500, IKE behind the marker on 4500, ESP in UDP,
// keepalives, a child rekey, an IKE rekey, a liveness check and the
// delete) and has Wireshark, an independent implementation, decrypt it
// with our key log: every ESP packet must have a good ICV and dissect as
// IP/UDP inside, every encrypted IKE message must decrypt, and nothing
// may raise an expert warning.
func TestTsharkDecryptsSession(t *testing.T) {
	bin, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tshark not on PATH; CI must install it (apt-get install tshark)")
		}
		t.Skip("tshark not on PATH; install it to cross-check IKE and ESP against Wireshark")
	}
	for _, tc := range []struct {
		name     string
		ike, esp string // strongSwan's notation; empty: the defaults
	}{
		{name: "defaults"},
		// The RFC 4868 sizes beyond SHA-256 and the largest NIST curve,
		// which z/OS policies name as HMAC_SHA2_512_256,
		// HMAC_SHA2_384_192 and Group21.
		{name: "sha512-ecp521", ike: "aes256-sha512-ecp521", esp: "aes128-sha384"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []topoOption
			if tc.ike != "" {
				opts = append(opts, withSuites(t, tc.ike, tc.esp))
			}
			decryptSession(t, bin, opts...)
		})
	}
}

// decryptSession is TestTsharkDecryptsSession with one choice of suites.
func decryptSession(t *testing.T, bin string, opts ...topoOption) {
	tp := newTopo(t, append(opts, withEcho(), withLiveness(0, 30*time.Second))...)
	var cp capture
	cp.install(tp.net)
	tp.establish(t)
	recv(t, tp.client.got, "echo")
	exchange := func(n int) {
		for range n {
			pkt := udp4(clientIn, appAddr, 40000, 7, []byte("through the tunnel"))
			tp.client.e.Outbound(pkt)
			recv(t, tp.gw.got, "packet")
			recv(t, tp.client.got, "echo")
		}
	}
	exchange(3)
	tp.clk.Advance(30 * time.Second) // keepalive from the client, liveness from the gateway
	eventually(t, "liveness answer", func() bool { return tp.gw.e.Stats().LivenessOK == 1 })

	old := tp.client.e.SAs().Dynamic[0].InboundSPI
	if err := tp.client.e.Daemon().Lookup(tp.client.e.SAs().IKE[0].ID).RekeyChild(old, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, "child rekeyed", func() bool {
		d := tp.client.e.SAs().Dynamic
		return len(d) == 1 && d[0].InboundSPI != old && len(tp.gw.e.SAs().Dynamic) == 1
	})
	exchange(3)
	done := make(chan error, 1)
	if err := tp.gw.e.Daemon().Lookup(tp.gw.e.SAs().IKE[0].ID).Rekey(func(err error) { done <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	exchange(3)
	tp.client.e.Daemon().Lookup(tp.client.e.SAs().IKE[0].ID).Delete()
	eventually(t, "all SAs deleted", func() bool { return len(tp.gw.e.SAs().IKE) == 0 && len(tp.client.e.SAs().IKE) == 0 })

	dir := t.TempDir()
	pcap := filepath.Join(dir, "session.pcap")
	pkts := cp.all()
	writePcap(t, pcap, pkts)
	conf := filepath.Join(dir, "wireshark")
	if err := os.Mkdir(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	espSA, ikev2 := SplitKeyLog(tp.client.keylog.Bytes())
	if err := os.WriteFile(filepath.Join(conf, "esp_sa"), espSA, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "ikev2_decryption_table"), ikev2, 0o600); err != nil {
		t.Fatal(err)
	}
	if t.Failed() {
		return
	}
	base := []string{"-r", pcap, "-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE"}

	// Per packet: what tshark made of it.
	out := tshark(t, bin, conf, append(base, "-T", "fields", "-E", "separator=/t",
		"-e", "frame.number", "-e", "udp.dstport", "-e", "esp.spi", "-e", "esp.icv_good",
		"-e", "isakmp.exchangetype", "-e", "isakmp.enc.decrypted", "-e", "frame.protocols")...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(pkts) {
		t.Fatalf("tshark shows %d packets, we captured %d", len(lines), len(pkts))
	}
	var esps, ikes, encrypted, keepalives int
	for _, line := range lines {
		f := strings.Split(line, "\t")
		if len(f) != 7 {
			t.Fatalf("unexpected tshark line %q", line)
		}
		spi, icvGood, exch, decrypted, protos := f[2], f[3], f[4], f[5], f[6]
		switch {
		case spi != "":
			esps++
			if icvGood != "1" || !strings.Contains(protos, "esp:ip:udp") {
				t.Errorf("ESP frame %s: icv_good=%q protocols %s", f[0], icvGood, protos)
			}
		case exch != "":
			ikes++
			if exch != "34" {
				encrypted++
				if decrypted == "" {
					t.Errorf("IKE frame %s (exchange %s) not decrypted: %s", f[0], exch, protos)
				}
			}
		case strings.HasSuffix(protos, "udpencap"):
			keepalives++
		default:
			t.Errorf("frame %s not recognised: %s", f[0], protos)
		}
	}
	// At least: 10 exchanges of 2 ESP each; IKE_SA_INIT and IKE_AUTH,
	// liveness, child rekey and its delete, IKE rekey and its delete,
	// the final delete, each a request and a response.
	if esps < 20 || ikes < 14 || encrypted != ikes-2 || keepalives < 1 {
		t.Errorf("tshark saw %d ESP, %d IKE (%d encrypted), %d keepalives", esps, ikes, encrypted, keepalives)
	}

	t.Logf("tshark decrypted %d ESP packets and %d IKE messages (%d encrypted), and saw %d keepalives", esps, ikes, encrypted, keepalives)

	// Nothing wrong by Wireshark's judgement: no bad ICV, no warnings.
	if bad := tshark(t, bin, conf, append(base, "-Y", `esp.icv_bad == 1 || _ws.expert.severity >= "Warning"`)...); strings.TrimSpace(bad) != "" {
		t.Errorf("tshark reports problems:\n%s", bad)
	}
	// And a wrong key must be noticed, or the checks above prove nothing:
	// flip one bit of every SK_ei and of every ESP key, and of every
	// integrity key where there is one (with AES-CBC a wrong cipher key
	// alone leaves the ICVs good).
	corrupt := func(table []byte, cipherKey, integKey int) []byte {
		var out []string
		for line := range strings.SplitSeq(strings.TrimSpace(string(table)), "\n") {
			f := strings.Split(line, ",")
			for _, field := range []int{cipherKey, integKey} {
				// The key is bare hex in ikev2 lines, "0x…" quoted in esp_sa.
				key := strings.TrimPrefix(strings.Trim(f[field], `"`), "0x")
				b, err := hex.DecodeString(key)
				if err != nil || len(b) == 0 && field == cipherKey {
					t.Fatalf("key field %d of %q: %v", field, line, err)
				}
				if len(b) > 0 {
					b[0] ^= 1
					f[field] = strings.Replace(f[field], key, hex.EncodeToString(b), 1)
				}
			}
			out = append(out, strings.Join(f, ","))
		}
		return []byte(strings.Join(out, "\n") + "\n")
	}
	if err := os.WriteFile(filepath.Join(conf, "ikev2_decryption_table"), corrupt(ikev2, 2, 5), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "esp_sa"), corrupt(espSA, 5, 7), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := tshark(t, bin, conf, append(base, "-Y", `esp.icv_bad == 1 || _ws.expert.severity >= "Warning"`)...)
	if n := len(strings.Split(strings.TrimSpace(bad), "\n")); n < esps+encrypted/2 {
		t.Errorf("with corrupted keys tshark flags only %d frames, so its silence above means little:\n%s", n, bad)
	}
}
