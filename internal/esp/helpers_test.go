package esp

import (
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
)

// Keys for tests. They are public on purpose.
var (
	gcm128Key = Key(hexBytes("00112233445566778899aabbccddeeff" + "cafebabe"))
	gcm256Key = Key(hexBytes("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" + "deadbeef"))
	cbc128Key = Key(hexBytes("0f0e0d0c0b0a09080706050403020100"))
	cbc256Key = Key(hexBytes("1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100"))
	sha1Key   = Key(hexBytes("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3"))
	sha256Key = Key(hexBytes("c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"))
	sha384Key = Key(hexBytes("404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f" +
		"606162636465666768696a6b6c6d6e6f"))
	sha512Key = Key(hexBytes("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f" +
		"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"))
)

func hexBytes(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// suite is one algorithm choice under test.
type suite struct {
	name      string
	cipher    Cipher
	encKey    Key
	integrity Integrity
	authKey   Key
}

var suites = []suite{
	{"gcm128", AESGCM16, gcm128Key, NoIntegrity, nil},
	{"gcm256", AESGCM16, gcm256Key, NoIntegrity, nil},
	{"cbc128-sha256", AESCBC, cbc128Key, HMACSHA2_256_128, sha256Key},
	{"cbc256-sha256", AESCBC, cbc256Key, HMACSHA2_256_128, sha256Key},
	{"cbc128-sha1", AESCBC, cbc128Key, HMACSHA1_96, sha1Key},
	{"cbc256-sha1", AESCBC, cbc256Key, HMACSHA1_96, sha1Key},
	{"cbc256-sha384", AESCBC, cbc256Key, HMACSHA2_384_192, sha384Key},
	{"cbc128-sha512", AESCBC, cbc128Key, HMACSHA2_512_256, sha512Key},
}

func (s suite) config(spi uint32, mode Mode, esn bool) Config {
	return Config{SPI: spi, Mode: mode, Cipher: s.cipher, EncKey: s.encKey,
		Integrity: s.integrity, AuthKey: s.authKey, ESN: esn,
		Clock: clock.NewManual(time.Unix(0, 0))}
}

// pair returns a sender and a receiver for the same SA, as the two peers
// would hold it.
func pair(t testing.TB, cfg Config) (out, in *SA) {
	t.Helper()
	out, err := NewSA(cfg)
	if err != nil {
		t.Fatal(err)
	}
	in, err = NewSA(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out, in
}

// ipv4UDP builds an IPv4/UDP packet carrying n payload bytes, with a
// correct header checksum and UDP checksum 0 (allowed for IPv4).
func ipv4UDP(n int) []byte {
	p := make([]byte, 28+n)
	p[0] = 0x45
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	binary.BigEndian.PutUint16(p[4:], 0x1234)
	p[8] = 64
	p[9] = 17
	copy(p[12:16], []byte{10, 99, 0, 2})
	copy(p[16:20], []byte{10, 1, 1, 1})
	binary.BigEndian.PutUint16(p[10:], ipv4Checksum(p[:20]))
	binary.BigEndian.PutUint16(p[20:], 40000)
	binary.BigEndian.PutUint16(p[22:], 7)
	binary.BigEndian.PutUint16(p[24:], uint16(8+n))
	for i := range n {
		p[28+i] = byte(i)
	}
	return p
}

// ipv6UDP builds an IPv6/UDP packet carrying n payload bytes.
func ipv6UDP(n int) []byte {
	p := make([]byte, 48+n)
	p[0] = 0x60
	binary.BigEndian.PutUint16(p[4:], uint16(8+n))
	p[6] = 17
	p[7] = 64
	p[8], p[9], p[23] = 0x20, 0x01, 1
	p[24], p[25], p[39] = 0x20, 0x01, 2
	binary.BigEndian.PutUint16(p[40:], 40000)
	binary.BigEndian.PutUint16(p[42:], 7)
	binary.BigEndian.PutUint16(p[44:], uint16(8+n))
	for i := range n {
		p[48+i] = byte(i)
	}
	return p
}

func ipv4Checksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// vectorsDir is testdata/vectors at the module root: the captures and key
// tables of the shared known-answer vectors, copied into the repository.
func vectorsDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	v := filepath.Join(dir, "testdata", "vectors")
	if _, err := os.Stat(v); err != nil {
		t.Fatalf("test vectors missing: %v", err)
	}
	return v
}
