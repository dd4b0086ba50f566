package esp

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// The ESP test vectors of draft-mcgrew-gcm-test-01 (AES-GCM in ESP, RFC
// 4106). Each gives key ‖ salt, the explicit IV, the AAD (SPI ‖ sequence
// number: 8 bytes, or 12 with an extended sequence number) and the
// ciphertext ‖ ICV. Their plaintexts carry Next Header 1 whatever the
// payload is, so they are decapsulated in transport mode, where Next Header
// is not checked.
var gcmDraftVectors = []struct {
	name, key, iv, aad, ciphertext string
	payloadLen                     int
}{
	{"aes128 esn", "4c80cdefbb5d10da906ac73c3613a634 2e443b68", "4956ed7e3b244cfe", "00004321 87654321 00000000",
		"fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce61bc17d768fd9732 459018148f6cbe722fd04796562dfdb4", 68},
	{"aes128", "feffe9928665731c6d6a8f9467308308 cafebabe", "facedbaddecaf888", "0000a5f8 0000000a",
		"deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd1 83b70d3aa8bc6ee4c309e9d85a41ad4a", 62},
	{"aes256", "abbccddef00112233445566778899aababbccddef00112233445566778899aab 11223344", "0102030405060708", "4a2cbfe3 00000002",
		"ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763748a637985771d347f0545659f14e99def842d8e b335f4eecfdbf831824b4c4915956c96", 48},
	{"aes128 esn, high half 0", "abbccddef00112233445566778899aab decaf888", "cafedebaceface74", "00000100 00000000 00000001",
		"18a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c226f2127b27db35724e7845d68 651f57e65f354f75ff17015769623436", 73},
	{"aes256 esn", "abbccddef00112233445566778899aababbccddef00112233445566778899aab 73616c74", "616e640169766563", "17405e67 156f3126 dd0db99b",
		"f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57ff4d3a31ce673119e 451626c2415771e3b7eebca614c89b35", 38},
	{"aes128 seq 2^32-1, empty payload", "7d773d00c144c525ac619d18c84a3f47 d9664267", "43457e9182443bc6", "335467ae ffffffff",
		"437f866b cb3f699fe9b0822bac961c4504bef270", 0},
	{"aes256 esn seq 2^64-1", "6c6567616c697a656d6172696a75616e61616e64646f69746265666f72656961 7475726e", "333021696765746d", "796b6963 ffffffff ffffffff",
		"f97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a864cd3d78ca4ae68a32b42458fb57dbe821dcc63b9 d0937ba2945f669368661a329fb4c053", 48},
	{"aes128 esn, short", "4c80cdefbb5d10da906ac73c3613a634 22433c64", "4855ec7d3a234bfd", "00004321 87654321 00000007",
		"74752e8aeb5d873cd7c0f4acc36c4bff84b7d7b98f0ca8b6acda6894bc619069 ef9cbc28fe1b56a7c4e0d58c86cd2bc0", 28},
}

// TestGCMDraftVectors checks nonce and AAD construction, with and without
// ESN, against packets nobody in this project produced.
func TestGCMDraftVectors(t *testing.T) {
	h := func(s string) []byte { return hexBytes(strings.ReplaceAll(s, " ", "")) }
	for _, v := range gcmDraftVectors {
		t.Run(v.name, func(t *testing.T) {
			aad := h(v.aad)
			esn := len(aad) == 12
			spi := binary.BigEndian.Uint32(aad)
			seq := uint64(binary.BigEndian.Uint32(aad[4:]))
			if esn {
				seq = binary.BigEndian.Uint64(aad[4:])
			}
			// On the wire: SPI, low half of the sequence number, IV,
			// ciphertext and ICV.
			pkt := cat(aad[:4], aad[len(aad)-4:], h(v.iv), h(v.ciphertext))

			cfg := Config{SPI: spi, Mode: Transport, Cipher: AESGCM16, EncKey: h(v.key), ESN: esn}
			sa, err := NewSA(cfg)
			if err != nil {
				t.Fatal(err)
			}
			// Place the window just below seq so the high half is
			// inferred from it (RFC 4303 Appendix A2.2).
			sa.replay.top = seq - 1
			payload, next, err := sa.Decap(nil, pkt)
			if err != nil {
				t.Fatalf("Decap: %v", err)
			}
			if next != 1 || len(payload) != v.payloadLen {
				t.Fatalf("Decap gave next header %v and %d bytes, want 1 and %d", next, len(payload), v.payloadLen)
			}

			if esn {
				// Without ESN the AAD lacks the high half: the ICV must
				// fail, unless the low half alone is 0, which is refused
				// before any crypto.
				cfg.ESN = false
				sa, err := NewSA(cfg)
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := sa.Decap(nil, pkt); !errors.Is(err, ErrICV) && !errors.Is(err, ErrReplay) {
					t.Fatalf("Decap without ESN: %v, want ErrICV", err)
				}
			}
		})
	}
}
