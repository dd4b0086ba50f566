package ipsec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sync"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/internal/secretfile"
)

// keyLog writes the two Wireshark key tables to one writer, a line at a
// time: esp_sa lines (8 quoted fields) for ESP SAs and
// ikev2_decryption_table lines (hex SPIs and keys, quoted algorithm names)
// for IKE SAs. A caller that wants Wireshark's two files splits the lines
// with SplitKeyLog. This is the only place keys are written anywhere.
type keyLog struct {
	mu     sync.Mutex
	w      io.Writer
	family string // "IPv4" or "IPv6", the outer address family
}

func family(a netip.Addr) string {
	if a.Is4() {
		return "IPv4"
	}
	return "IPv6"
}

func (k *keyLog) write(line string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	// A failing key log must not disturb the data plane.
	_, _ = io.WriteString(k.w, line+"\n")
}

// espCipherNames and espIntegNames are Wireshark's names for the ESP
// algorithms (epan/dissectors/packet-ipsec.c, as of 4.0).
var (
	espCipherNames = map[esp.Cipher]string{
		esp.AESGCM16: "AES-GCM with 16 octet ICV [RFC4106]",
		esp.AESCBC:   "AES-CBC [RFC3602]",
	}
	espIntegNames = map[esp.Integrity]string{
		esp.NoIntegrity:      "NULL",
		esp.HMACSHA1_96:      "HMAC-SHA-1-96 [RFC2404]",
		esp.HMACSHA2_256_128: "HMAC-SHA-256-128 [RFC4868]",
		esp.HMACSHA2_384_192: "HMAC-SHA-384-192 [RFC4868]",
		esp.HMACSHA2_512_256: "HMAC-SHA-512-256 [RFC4868]",
	}
)

// logESP writes the esp_sa line of one direction of a child. The addresses
// are wildcards: behind a NAT the outer addresses are not ours to know.
func (k *keyLog) logESP(spi uint32, c ikesa.ChildSA, encKey, integKey []byte) {
	k.write(fmt.Sprintf(`"%s","*","*","0x%08x","%s","0x%x","%s","%s"`, k.family, spi,
		espCipherNames[esp.Cipher(c.Encr)], encKey, espIntegNames[esp.Integrity(c.Integ)], hexOrEmpty(integKey)))
}

func hexOrEmpty(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return fmt.Sprintf("0x%x", b)
}

// ikeEncrName and ikeIntegName give Wireshark's names for IKE algorithms
// (epan/dissectors/packet-isakmp.c, as of 4.0).
func ikeEncrName(s ikesa.Suite) string {
	switch s.Encr {
	case wire.ENCR_AES_GCM_16:
		return fmt.Sprintf("AES-GCM-%d with 16 octet ICV [RFC5282]", s.KeyBits)
	case wire.ENCR_AES_CBC:
		return fmt.Sprintf("AES-CBC-%d [RFC3602]", s.KeyBits)
	}
	return s.Encr.String()
}

func ikeIntegName(i wire.IntegID) string {
	switch i {
	case wire.AUTH_NONE:
		return "NONE [RFC4306]"
	case wire.AUTH_HMAC_SHA1_96:
		return "HMAC_SHA1_96 [RFC2404]"
	case wire.AUTH_HMAC_SHA2_256_128:
		return "HMAC_SHA2_256_128 [RFC4868]"
	case wire.AUTH_HMAC_SHA2_384_192:
		return "HMAC_SHA2_384_192 [RFC4868]"
	case wire.AUTH_HMAC_SHA2_512_256:
		return "HMAC_SHA2_512_256 [RFC4868]"
	}
	return i.String()
}

// logIKE writes the ikev2_decryption_table line of an IKE SA; it is the
// daemon's OnKeys hook.
func (k *keyLog) logIKE(ev ikesa.IKESAKeys) {
	keys := ev.Keys
	k.write(fmt.Sprintf(`%016x,%016x,%x,%x,"%s",%x,%x,"%s"`, ev.ID.SPIi, ev.ID.SPIr,
		[]byte(keys.Ei), []byte(keys.Er), ikeEncrName(ev.Suite), []byte(keys.Ai), []byte(keys.Ar), ikeIntegName(ev.Suite.Integ)))
}

// SplitKeyLog sorts the lines of a key log into Wireshark's two tables,
// esp_sa and ikev2_decryption_table, each ready to be written to a file of
// that name in a Wireshark configuration directory.
func SplitKeyLog(log []byte) (espSA, ikev2 []byte) {
	for len(log) > 0 {
		line := log
		if i := bytes.IndexByte(log, '\n'); i >= 0 {
			line, log = log[:i+1], log[i+1:]
		} else {
			log = nil
		}
		if len(line) > 0 && line[0] == '"' {
			espSA = append(espSA, line...)
		} else {
			ikev2 = append(ikev2, line...)
		}
	}
	return espSA, ikev2
}

// KeyLogDir writes a key log as Wireshark's two tables, esp_sa and
// ikev2_decryption_table, in a directory (tshark reads them when it is
// the WIRESHARK_CONFIG_DIR). It is an io.Writer for Config.KeyLog, safe
// for concurrent use; the files are readable by their owner only.
type KeyLogDir struct {
	mu       sync.Mutex
	esp, ike *os.File
	partial  []byte
}

// NewKeyLogDir creates the directory if needed (mode 0700) and the two
// files in it (mode 0600, existing ones tightened and emptied). It refuses
// a directory group or others can use and a symbolic link in place of the
// directory or a file (see internal/secretfile).
func NewKeyLogDir(dir string) (*KeyLogDir, error) {
	if err := secretfile.MkdirPrivate(dir); err != nil {
		return nil, fmt.Errorf("key log: %w", err)
	}
	open := func(name string) (*os.File, error) {
		f, err := secretfile.Create(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("key log: %w", err)
		}
		return f, nil
	}
	esp, err := open("esp_sa")
	if err != nil {
		return nil, err
	}
	ike, err := open("ikev2_decryption_table")
	if err != nil {
		esp.Close()
		return nil, err
	}
	return &KeyLogDir{esp: esp, ike: ike}, nil
}

// Write sorts whole lines into the two files.
func (k *KeyLogDir) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.partial = append(k.partial, p...)
	i := bytes.LastIndexByte(k.partial, '\n')
	if i < 0 {
		return len(p), nil
	}
	espSA, ikev2 := SplitKeyLog(k.partial[:i+1])
	k.partial = append(k.partial[:0], k.partial[i+1:]...)
	if _, err := k.esp.Write(espSA); err != nil {
		return 0, err
	}
	if _, err := k.ike.Write(ikev2); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close closes both files.
func (k *KeyLogDir) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return errors.Join(k.esp.Close(), k.ike.Close())
}
