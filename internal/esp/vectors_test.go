package esp

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// loadESPSA reads a Wireshark esp_sa file into a SAD of tunnel mode SAs.
func loadESPSA(t *testing.T, path string) *SAD {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sad := NewSAD()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, r := range records {
		if len(r) != 8 {
			t.Fatalf("%s: want 8 fields, got %q", path, r)
		}
		if r[4] != "AES-GCM with 16 octet ICV [RFC4106]" || r[6] != "NULL" {
			t.Fatalf("%s: unexpected algorithms %q / %q", path, r[4], r[6])
		}
		spi, err := strconv.ParseUint(strings.TrimPrefix(r[3], "0x"), 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		sa, err := NewSA(Config{SPI: uint32(spi), Mode: Tunnel, Cipher: AESGCM16,
			EncKey: hexBytes(strings.TrimPrefix(r[5], "0x"))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sa.Close)
		if err := sad.Add(sa); err != nil {
			t.Fatal(err)
		}
	}
	return sad
}

// espInUDP returns the ESP packets in a capture of UDP port 4500 traffic,
// skipping IKE (non-ESP marker) and NAT keepalives (RFC 3948 §2).
func espInUDP(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	link, packets, err := readPcap(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out [][]byte
	for _, data := range packets {
		pkt := gopacket.NewPacket(data, link, gopacket.Default)
		udp, ok := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP)
		if !ok || udp.DstPort != 4500 {
			continue
		}
		b := udp.Payload
		if len(b) == 1 && b[0] == 0xff || len(b) >= 4 && b[0]|b[1]|b[2]|b[3] == 0 {
			continue
		}
		out = append(out, b)
	}
	return out
}

// TestDecapCaptures decrypts every ESP packet in the shared captures with
// the keys Wireshark uses for them: our synthetic packets and ones sent by
// strongSwan's libipsec.
func TestDecapCaptures(t *testing.T) {
	dir := vectorsDir(t)
	for _, tc := range []struct {
		name  string
		nESP  int
		inner gopacket.LayerType
	}{
		{"synthetic-esp-gcm", 6, layers.LayerTypeICMPv4},
		{"strongswan-libipsec-natt", 11, layers.LayerTypeTCP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sad := loadESPSA(t, filepath.Join(dir, tc.name+".esp_sa"))
			packets := espInUDP(t, filepath.Join(dir, tc.name+".pcap"))
			if len(packets) != tc.nESP {
				t.Fatalf("found %d ESP packets, want %d", len(packets), tc.nESP)
			}
			var buf []byte
			for i, p := range packets {
				inner, next, sa, err := sad.Decap(buf[:0], p)
				if err != nil {
					t.Fatalf("packet %d (SPI %#x seq %d): %v", i, Packet(p).SPI(), Packet(p).Seq(), err)
				}
				if next != ProtoIPv4 {
					t.Fatalf("packet %d: next header %v, want IPv4", i, next)
				}
				checkInnerIPv4(t, inner, tc.inner)
				if c := sa.Counters(); c.PacketsIn == 0 || c.BytesIn < uint64(len(inner)) {
					t.Errorf("packet %d: counters not updated: %+v", i, c)
				}
				buf = inner
			}
			if c := sad.Counters(); c != (SADCounters{}) {
				t.Errorf("SAD dropped packets: %+v", c)
			}
		})
	}
}

// checkInnerIPv4 fails unless b is exactly one IPv4 packet with a valid
// header checksum carrying a layer of type want that decodes cleanly.
func checkInnerIPv4(t *testing.T, b []byte, want gopacket.LayerType) {
	t.Helper()
	if ipv4Checksum(b[:int(b[0]&0x0f)*4]) != 0 {
		t.Fatalf("inner IPv4 header checksum wrong: % x", b[:20])
	}
	pkt := gopacket.NewPacket(b, layers.LayerTypeIPv4, gopacket.Default)
	if el := pkt.ErrorLayer(); el != nil {
		t.Fatalf("inner packet does not decode: %v", el.Error())
	}
	ip := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	if int(ip.Length) != len(b) {
		t.Fatalf("inner IPv4 total length %d, packet has %d bytes", ip.Length, len(b))
	}
	if pkt.Layer(want) == nil {
		t.Fatalf("inner packet has no %v layer: %v", want, pkt)
	}
}
