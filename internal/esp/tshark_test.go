package esp

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Our algorithms by the names Wireshark's esp_sa table uses.
var tsharkCipher = map[Cipher]string{
	AESGCM16: "AES-GCM with 16 octet ICV [RFC4106]",
	AESCBC:   "AES-CBC [RFC3602]",
}

var tsharkIntegrity = map[Integrity]string{
	NoIntegrity:      "NULL",
	HMACSHA1_96:      "HMAC-SHA-1-96 [RFC2404]",
	HMACSHA2_256_128: "HMAC-SHA-256-128 [RFC4868]",
	HMACSHA2_384_192: "HMAC-SHA-384-192 [RFC4868]",
	HMACSHA2_512_256: "HMAC-SHA-512-256 [RFC4868]",
}

// TestTsharkDecryptsEncap has Wireshark, an independent implementation,
// check our packets: it must find every ICV good and dissect the payload.
func TestTsharkDecryptsEncap(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tshark not on PATH; CI must install it (apt-get install tshark)")
		}
		t.Skip("tshark not on PATH; install it to cross-check ESP against Wireshark")
	}

	type flow struct {
		s     suite
		mode  Mode
		spi   uint32
		proto string // what tshark must show after esp
	}
	var flows []flow
	for i, s := range suites {
		flows = append(flows, flow{s, Tunnel, 0x10000 + uint32(i), "esp:ip:udp"})
	}
	flows = append(flows, flow{suites[0], Transport, 0x20000, "esp:udp"})

	var packets [][]byte
	args := []string{"-r", "", // file name set below
		"-o", "esp.enable_encryption_decode:TRUE",
		"-o", "esp.enable_authentication_check:TRUE",
		"-T", "fields", "-E", "separator=/t",
		"-e", "esp.spi", "-e", "esp.sequence", "-e", "esp.icv_good", "-e", "frame.protocols"}
	want := map[string]string{} // "spi/seq" → protocols
	for _, f := range flows {
		cfg := f.s.config(f.spi, f.mode, false)
		sa, err := NewSA(cfg)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, "-o", "uat:esp_sa:"+espSALine(f.spi, cfg))
		for n := range 3 {
			inner := ipv4UDP(10 + 7*n)
			next := ProtoIPv4
			if f.mode == Transport {
				inner, next = inner[20:], ProtoUDP
			}
			wire, err := sa.Encap(nil, inner, next)
			if err != nil {
				t.Fatal(err)
			}
			packets = append(packets, ipv4UDP4500(wire))
			want[fmt.Sprintf("0x%08x/%d", f.spi, n+1)] = f.proto
		}
	}

	dir := t.TempDir()
	pcap := filepath.Join(dir, "esp.pcap")
	var buf bytes.Buffer
	if err := writePcap(&buf, packets); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pcap, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	args[1] = pcap
	conf := filepath.Join(dir, "wireshark")
	if err := os.Mkdir(conf, 0o755); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tshark, args...)
	// An empty profile keeps the user's own settings out of the test.
	cmd.Env = append(os.Environ(), "WIRESHARK_CONFIG_DIR="+conf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, stderr.String())
	}

	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(packets) {
		t.Fatalf("tshark printed %d lines for %d packets:\n%s", len(lines), len(packets), out)
	}
	for _, line := range lines {
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			t.Fatalf("unexpected tshark line %q", line)
		}
		key := f[0] + "/" + f[1]
		proto, ok := want[key]
		if !ok {
			t.Errorf("tshark saw unexpected SPI/sequence %s", key)
			continue
		}
		delete(want, key)
		if f[2] != "1" {
			t.Errorf("%s: esp.icv_good = %q, want 1", key, f[2])
		}
		if !strings.Contains(f[3], proto) {
			t.Errorf("%s: protocols %q, want %q dissected", key, f[3], proto)
		}
	}
	for key := range want {
		t.Errorf("tshark did not show ESP packet %s", key)
	}
}

// espSALine writes one line of Wireshark's esp_sa table (8 quoted CSV
// fields) for an SA. GCM keys are key ‖ salt, as Config holds them.
func espSALine(spi uint32, c Config) string {
	return fmt.Sprintf(`"IPv4","*","*","0x%08x","%s","0x%s","%s","%s"`,
		spi, tsharkCipher[c.Cipher], hex.EncodeToString(c.EncKey),
		tsharkIntegrity[c.Integrity], authKeyField(c.AuthKey))
}

func authKeyField(k Key) string {
	if len(k) == 0 {
		return ""
	}
	return "0x" + hex.EncodeToString(k)
}

// ipv4UDP4500 wraps an ESP packet in IPv4 and UDP port 4500 with a zero
// UDP checksum (RFC 3948 §2.1).
func ipv4UDP4500(esp []byte) []byte {
	p := make([]byte, 28+len(esp))
	p[0] = 0x45
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	p[8] = 64
	p[9] = 17
	copy(p[12:16], []byte{192, 0, 2, 2})
	copy(p[16:20], []byte{192, 0, 2, 1})
	binary.BigEndian.PutUint16(p[10:], ipv4Checksum(p[:20]))
	binary.BigEndian.PutUint16(p[20:], 4500)
	binary.BigEndian.PutUint16(p[22:], 4500)
	binary.BigEndian.PutUint16(p[24:], uint16(8+len(esp)))
	copy(p[28:], esp)
	return p
}
