package ikecrypto

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"os"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// vector is the strongSwan 5.9.8 known-answer test, with the IKE_AUTH pair
// of the same session.
type vector struct {
	Msg1, Msg2, Dh, Skeyseed, SkD, SkEi, SkEr, SkPi, SkPr string
	AuthI, AuthR, EspI, EspR, Psk, Idi, Idr               string
	Msg3, Msg4, Initiator, Responder                      string
}

func loadVector(t testing.TB) vector {
	t.Helper()
	var v vector
	for _, name := range []string{"ikev2-psk-x25519-aesgcm16-strongswan598.json", "ikev2-strongswan598-ike-auth.json"} {
		raw, err := os.ReadFile("../testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		// The file's keys are snake_case; map them onto the struct by hand.
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for k, dst := range map[string]*string{
			"msg1": &v.Msg1, "msg2": &v.Msg2, "dh": &v.Dh, "skeyseed": &v.Skeyseed, "sk_d": &v.SkD,
			"sk_ei": &v.SkEi, "sk_er": &v.SkEr, "sk_pi": &v.SkPi, "sk_pr": &v.SkPr, "auth_i": &v.AuthI,
			"auth_r": &v.AuthR, "esp_i": &v.EspI, "esp_r": &v.EspR, "psk": &v.Psk, "idi": &v.Idi, "idr": &v.Idr,
			"msg3": &v.Msg3, "msg4": &v.Msg4, "initiator": &v.Initiator, "responder": &v.Responder,
		} {
			if s, ok := m[k]; ok {
				*dst = s
			}
		}
	}
	return v
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) == 0 {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func decode(t testing.TB, b []byte) *wire.Message {
	t.Helper()
	m, err := wire.DecodeMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// negotiated picks the transforms of the single proposal in a response.
func negotiated(t testing.TB, m *wire.Message) (*Encr, *PRF, *DH) {
	t.Helper()
	sa := wire.Find(m.Payloads, wire.PayloadSA).(*wire.SA)
	var (
		encr *Encr
		prf  *PRF
		dh   *DH
		err  error
	)
	for _, tr := range sa.Proposals[0].Transforms {
		switch tr.Type {
		case wire.TransformENCR:
			encr, err = LookupEncr(wire.EncrID(tr.ID), int(tr.KeyLength))
		case wire.TransformPRF:
			prf, err = LookupPRF(wire.PRFID(tr.ID))
		case wire.TransformDH:
			dh, err = LookupDH(wire.DHGroup(tr.ID))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return encr, prf, dh
}

func expect(t *testing.T, name string, got []byte, wantHex string) {
	t.Helper()
	if want := unhex(t, wantHex); !bytes.Equal(got, want) {
		t.Errorf("%s = %x, want %x", name, got, want)
	}
}

// TestStrongSwanKAT reproduces every value of the strongSwan vector from
// its two IKE_SA_INIT messages and the DH shared secret.
func TestStrongSwanKAT(t *testing.T) {
	v := loadVector(t)
	msg1, msg2 := unhex(t, v.Msg1), unhex(t, v.Msg2)
	req, resp := decode(t, msg1), decode(t, msg2)
	encr, prf, dh := negotiated(t, resp)
	if encr.String() != "AES_GCM_16_128" || prf.ID != wire.PRF_HMAC_SHA2_256 || dh.ID != wire.Curve25519 {
		t.Fatalf("negotiated %s %s %s", encr, prf, dh)
	}
	ni := wire.Find(req.Payloads, wire.PayloadNonce).(*wire.Nonce).Data
	nr := wire.Find(resp.Payloads, wire.PayloadNonce).(*wire.Nonce).Data

	skeyseed := SKEYSEED(prf, ni, nr, unhex(t, v.Dh))
	expect(t, "SKEYSEED", skeyseed, v.Skeyseed)

	keys, err := DeriveIKEKeys(prf, encr, nil, skeyseed, ni, nr, resp.SPIi, resp.SPIr)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "SK_d", keys.D, v.SkD)
	expect(t, "SK_ei", keys.Ei, v.SkEi)
	expect(t, "SK_er", keys.Er, v.SkEr)
	expect(t, "SK_pi", keys.Pi, v.SkPi)
	expect(t, "SK_pr", keys.Pr, v.SkPr)
	if len(keys.Ai) != 0 || len(keys.Ar) != 0 {
		t.Errorf("SK_a of %d and %d bytes with AES-GCM", len(keys.Ai), len(keys.Ar))
	}

	psk := []byte(v.Psk)
	idi := (&wire.ID{PT: wire.PayloadIDi, IDType: wire.ID_FQDN, Data: []byte(v.Idi)}).Body()
	idr := (&wire.ID{PT: wire.PayloadIDr, IDType: wire.ID_FQDN, Data: []byte(v.Idr)}).Body()
	authI := PSKAuth(prf, psk, SignedOctets(prf, keys.Pi, msg1, nr, idi))
	authR := PSKAuth(prf, psk, SignedOctets(prf, keys.Pr, msg2, ni, idr))
	expect(t, "AUTH_i", authI, v.AuthI)
	expect(t, "AUTH_r", authR, v.AuthR)

	child, err := DeriveChildKeys(prf, keys.D, nil, ni, nr, encr, nil)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "ESP initiator to responder", child.EncrI, v.EspI)
	expect(t, "ESP responder to initiator", child.EncrR, v.EspR)
	if len(child.IntegI) != 0 || len(child.IntegR) != 0 {
		t.Errorf("ESP integrity keys with AES-GCM")
	}
}

// TestStrongSwanIKEAuth opens the session's IKE_AUTH messages with the
// derived SK_e keys and finds the AUTH values of the vector inside, and
// checks the NAT_DETECTION hashes of IKE_SA_INIT against the real addresses.
func TestStrongSwanIKEAuth(t *testing.T) {
	v := loadVector(t)
	msg1, msg2 := unhex(t, v.Msg1), unhex(t, v.Msg2)
	req, resp := decode(t, msg1), decode(t, msg2)
	encr, prf, _ := negotiated(t, resp)
	ni := wire.Find(req.Payloads, wire.PayloadNonce).(*wire.Nonce).Data
	nr := wire.Find(resp.Payloads, wire.PayloadNonce).(*wire.Nonce).Data
	keys, err := DeriveIKEKeys(prf, encr, nil, SKEYSEED(prf, ni, nr, unhex(t, v.Dh)), ni, nr, resp.SPIi, resp.SPIr)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, msg, auth, id string
		key                 Key
		idType              wire.PayloadType
		childSPI            uint32
	}{
		// Each side's SA carries its own inbound SPI: the initiator
		// receives on 0xb0816676, the responder on 0x309f6b20.
		{"request", v.Msg3, v.AuthI, v.Idi, keys.Ei, wire.PayloadIDi, 0xb0816676},
		{"response", v.Msg4, v.AuthR, v.Idr, keys.Er, wire.PayloadIDr, 0x309f6b20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewSKCipher(encr, nil, tc.key, nil)
			if err != nil {
				t.Fatal(err)
			}
			raw := unhex(t, tc.msg)
			inner, err := c.DecodeInner(raw, decode(t, raw))
			if err != nil {
				t.Fatal(err)
			}
			id, _ := wire.Find(inner, tc.idType).(*wire.ID)
			auth, _ := wire.Find(inner, wire.PayloadAUTH).(*wire.Auth)
			sa, _ := wire.Find(inner, wire.PayloadSA).(*wire.SA)
			if id == nil || auth == nil || sa == nil {
				t.Fatalf("inner payloads %v lack ID, AUTH or SA", inner)
			}
			if string(id.Data) != tc.id || id.IDType != wire.ID_FQDN {
				t.Errorf("ID %s %q", id.IDType, id.Data)
			}
			if auth.Method != wire.AuthSharedKeyMIC {
				t.Errorf("auth method %s", auth.Method)
			}
			expect(t, "AUTH", auth.Data, tc.auth)
			if spi := binary.BigEndian.Uint32(sa.Proposals[0].SPI); spi != tc.childSPI {
				t.Errorf("child SPI %#x, want %#x", spi, tc.childSPI)
			}
		})
	}

	// strongSwan with kernel-libipsec fakes its own source hash to force
	// NAT-T, but the destination hash covers our real address.
	initiator, responder := netip.MustParseAddrPort(v.Initiator), netip.MustParseAddrPort(v.Responder)
	for _, tc := range []struct {
		name string
		m    *wire.Message
		dst  netip.AddrPort
	}{{"request", req, responder}, {"response", resp, initiator}} {
		n := wire.FindNotify(tc.m.Payloads, wire.NAT_DETECTION_DESTINATION_IP)
		if got := NATDetectionHash(tc.m.SPIi, tc.m.SPIr, tc.dst); !bytes.Equal(got, n.Data) {
			t.Errorf("%s NAT_DETECTION_DESTINATION_IP = %x, hash of %s is %x", tc.name, n.Data, tc.dst, got)
		}
	}
}
