package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var cmpAddr = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

// strongSwanInit returns the IKE_SA_INIT request and response of the
// strongSwan known-answer vector.
func strongSwanInit(t testing.TB) (req, resp []byte) {
	t.Helper()
	raw, err := os.ReadFile("../testdata/ikev2-psk-x25519-aesgcm16-strongswan598.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Msg1, Msg2 string }
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	req, err1 := hex.DecodeString(v.Msg1)
	resp, err2 := hex.DecodeString(v.Msg2)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	return req, resp
}

func payloadTypes(ps []Payload) []PayloadType {
	var ts []PayloadType
	for _, p := range ps {
		ts = append(ts, p.Type())
	}
	return ts
}

func TestDecodeStrongSwanInit(t *testing.T) {
	req, resp := strongSwanInit(t)
	for _, tc := range []struct {
		name    string
		msg     []byte
		flags   Flags
		notifys []NotifyType
	}{
		{"request", req, FlagInitiator, []NotifyType{NAT_DETECTION_SOURCE_IP, NAT_DETECTION_DESTINATION_IP,
			IKEV2_FRAGMENTATION_SUPPORTED, SIGNATURE_HASH_ALGORITHMS, REDIRECT_SUPPORTED}},
		{"response", resp, FlagResponse, []NotifyType{NAT_DETECTION_SOURCE_IP, NAT_DETECTION_DESTINATION_IP,
			IKEV2_FRAGMENTATION_SUPPORTED, SIGNATURE_HASH_ALGORITHMS, CHILDLESS_IKEV2_SUPPORTED, MULTIPLE_AUTH_SUPPORTED}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := DecodeMessage(tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			if m.Exchange != IKE_SA_INIT || m.Flags != tc.flags || m.MessageID != 0 || m.SPIi != 0xb1e0c303c42f881b {
				t.Errorf("header: %s flags %s id %d SPIi %x", m.Exchange, m.Flags, m.MessageID, m.SPIi)
			}
			wantTypes := []PayloadType{PayloadSA, PayloadKE, PayloadNonce}
			for range tc.notifys {
				wantTypes = append(wantTypes, PayloadNotify)
			}
			if d := cmp.Diff(wantTypes, payloadTypes(m.Payloads)); d != "" {
				t.Fatalf("payload types (-want +got):\n%s", d)
			}
			for i, nt := range tc.notifys {
				if got := m.Payloads[3+i].(*Notify).NotifyType; got != nt {
					t.Errorf("notify %d is %s, want %s", i, got, nt)
				}
			}
			sa := m.Payloads[0].(*SA)
			want := []Proposal{{Number: 1, Protocol: ProtoIKE, Transforms: []Transform{
				{Type: TransformENCR, ID: uint16(ENCR_AES_GCM_16), KeyLength: 128},
				{Type: TransformPRF, ID: uint16(PRF_HMAC_SHA2_256)},
				{Type: TransformDH, ID: uint16(Curve25519)},
			}}}
			if d := cmp.Diff(want, sa.Proposals); d != "" {
				t.Errorf("proposals (-want +got):\n%s", d)
			}
			if ke := m.Payloads[1].(*KE); ke.Group != Curve25519 || len(ke.Data) != 32 {
				t.Errorf("KE group %s with %d bytes", ke.Group, len(ke.Data))
			}
			if n := m.Payloads[2].(*Nonce); len(n.Data) != 32 {
				t.Errorf("nonce of %d bytes", len(n.Data))
			}
			// strongSwan encodes canonically, so our encoding must be identical.
			got, err := m.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.msg) {
				t.Errorf("re-encoded message differs:\n got %x\nwant %x", got, tc.msg)
			}
		})
	}
}

func TestHeaderView(t *testing.T) {
	_, resp := strongSwanInit(t)
	h, err := ParseHeader(resp)
	if err != nil {
		t.Fatal(err)
	}
	if h.SPIi() != 0xb1e0c303c42f881b || h.SPIr() != 0xad29ad6f9fb502c3 || h.NextPayload() != PayloadSA ||
		h.Version() != Version || h.Exchange() != IKE_SA_INIT || !h.IsResponse() || h.FromInitiator() ||
		h.MessageID() != 0 || h.Length() != uint32(len(resp)) {
		t.Errorf("header fields wrong: %x", []byte(h))
	}
}

// everyPayload has one of each payload type, with every optional field set.
func everyPayload() []Payload {
	return []Payload{
		&SA{Proposals: []Proposal{
			{Number: 1, Protocol: ProtoIKE, Transforms: []Transform{
				{Type: TransformENCR, ID: uint16(ENCR_AES_GCM_16), KeyLength: 256},
				{Type: TransformPRF, ID: uint16(PRF_HMAC_SHA2_384)},
				{Type: TransformDH, ID: uint16(ECP384)},
			}},
			{Number: 2, Protocol: ProtoESP, SPI: []byte{1, 2, 3, 4}, Transforms: []Transform{
				{Type: TransformENCR, ID: uint16(ENCR_AES_CBC), KeyLength: 128, Unknown: []Attribute{
					{Type: 17, TV: true, Value: []byte{0, 9}},
					{Type: 18, Value: []byte("variable")},
				}},
				{Type: TransformINTEG, ID: uint16(AUTH_HMAC_SHA1_96)},
				{Type: TransformESN, ID: uint16(ESNNo)},
			}},
		}},
		&KE{Group: MODP2048, Data: bytes.Repeat([]byte{0xaa}, 256)},
		&Nonce{Data: bytes.Repeat([]byte{7}, 32)},
		&ID{PT: PayloadIDi, IDType: ID_FQDN, Data: []byte("peer.example")},
		&ID{PT: PayloadIDr, IDType: ID_IPV4_ADDR, Data: []byte{192, 0, 2, 1}},
		&Cert{PT: PayloadCERT, Encoding: 4, Data: []byte{0x30, 0x82}},
		&Cert{PT: PayloadCERTREQ, Encoding: 4},
		&Auth{Method: AuthSharedKeyMIC, Data: bytes.Repeat([]byte{1}, 32)},
		&Notify{NotifyType: INVALID_KE_PAYLOAD, Data: []byte{0, 31}},
		&Notify{Protocol: ProtoESP, SPI: []byte{0, 0, 1, 0}, NotifyType: REKEY_SA},
		&Delete{Protocol: ProtoIKE},
		&Delete{Protocol: ProtoESP, SPISize: 4, SPIs: [][]byte{{0, 0, 1, 0}, {0, 0, 2, 0}}},
		&VendorID{Data: []byte("tcpipc")},
		&TS{PT: PayloadTSi, Selectors: []Selector{
			{TSType: TS_IPV4_ADDR_RANGE, EndPort: 65535,
				Start: netip.MustParseAddr("10.0.0.0"), End: netip.MustParseAddr("10.0.255.255")},
			{TSType: TS_IPV6_ADDR_RANGE, IPProtocol: 6, StartPort: 443, EndPort: 443,
				Start: netip.MustParseAddr("2001:db8::"), End: netip.MustParseAddr("2001:db8::ffff")},
			{TSType: 9, IPProtocol: 0, Opaque: []byte{1, 2, 3, 4, 5}},
		}},
		&TS{PT: PayloadTSr, Selectors: []Selector{
			{TSType: TS_IPV4_ADDR_RANGE, IPProtocol: 17, StartPort: 500, EndPort: 500,
				Start: netip.MustParseAddr("192.0.2.1"), End: netip.MustParseAddr("192.0.2.1")},
		}},
		&Raw{PT: PayloadCP, Body: []byte{1, 0, 0, 0}},
		&SK{NextInner: PayloadIDi, Body: bytes.Repeat([]byte{0x55}, 40)},
	}
}

func TestRoundTripEveryPayload(t *testing.T) {
	for _, p := range everyPayload() {
		t.Run(p.Type().String(), func(t *testing.T) {
			roundTrip(t, &Message{SPIi: 1, SPIr: 2, Exchange: IKE_AUTH, Flags: FlagInitiator, MessageID: 1, Payloads: []Payload{p}})
		})
	}
	t.Run("all in one message", func(t *testing.T) {
		m := &Message{SPIi: 1, SPIr: 2, Exchange: IKE_AUTH, Flags: FlagResponse, MessageID: 9, Payloads: everyPayload()}
		b, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeMessage(b)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(m, got, cmpAddr); d != "" {
			t.Errorf("round trip (-sent +decoded):\n%s", d)
		}
	})
}

func TestInnerPayloadsRoundTrip(t *testing.T) {
	inner := everyPayload()
	inner = inner[:len(inner)-1] // no SK inside SK
	first, b, err := EncodePayloads(inner)
	if err != nil {
		t.Fatal(err)
	}
	if first != PayloadSA {
		t.Errorf("first payload %s, want SA", first)
	}
	got, err := DecodePayloads(first, b)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(inner, got, cmpAddr); d != "" {
		t.Errorf("round trip (-sent +decoded):\n%s", d)
	}
	_, skChain, _ := EncodePayloads([]Payload{&SK{NextInner: NoNextPayload}})
	if _, err := DecodePayloads(PayloadSK, skChain); err == nil {
		t.Error("SK inside SK decoded")
	}
	if first, b, err := EncodePayloads(nil); first != NoNextPayload || len(b) != 0 || err != nil {
		t.Errorf("empty chain: %s %x %v", first, b, err)
	}
}

// gp builds one payload: generic header then the body parts.
func gp(next PayloadType, critical bool, body ...[]byte) []byte {
	b := []byte{byte(next), 0, 0, 0}
	if critical {
		b[1] = 0x80
	}
	for _, part := range body {
		b = append(b, part...)
	}
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	return b
}

// msgWith wraps a payload chain in an IKE_AUTH header with the right length.
func msgWith(first PayloadType, chain ...[]byte) []byte {
	b := make([]byte, HeaderLen)
	b[7] = 1
	b[16], b[17], b[18], b[19] = byte(first), Version, byte(IKE_AUTH), byte(FlagInitiator)
	for _, c := range chain {
		b = append(b, c...)
	}
	binary.BigEndian.PutUint32(b[24:], uint32(len(b)))
	return b
}

// proposal builds a proposal substructure with an explicit length field.
func proposal(more byte, length int, spiSize, count byte, rest []byte) []byte {
	b := []byte{more, 0, 0, 0, 1, byte(ProtoESP), spiSize, count}
	binary.BigEndian.PutUint16(b[2:], uint16(length))
	return append(b, rest...)
}

// transform builds a transform substructure with an explicit length field.
func transform(more byte, length int, attrs []byte) []byte {
	b := []byte{more, 0, 0, 0, byte(TransformENCR), 0, 0, 20}
	binary.BigEndian.PutUint16(b[2:], uint16(length))
	return append(b, attrs...)
}

func selector(typ TSType, length int, rest []byte) []byte {
	b := []byte{byte(typ), 0, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(length))
	return append(b, rest...)
}

// malformed holds hand-made messages that must be refused; the fuzz seed
// corpus was generated from the same list.
var malformed = []struct {
	name   string
	msg    []byte
	notify NotifyType
	reason string
}{
	{"short header", make([]byte, 10), INVALID_SYNTAX, "shorter than the header"},
	{"major version 3", func() []byte { b := msgWith(NoNextPayload); b[17] = 0x30; return b }(), INVALID_MAJOR_VERSION, "major version 3"},
	{"length larger than datagram", func() []byte { b := msgWith(NoNextPayload); b[27]++; return b }(), INVALID_SYNTAX, "header length"},
	{"trailing bytes", append(msgWith(PayloadVendor, gp(NoNextPayload, false, []byte("v"))), 0), INVALID_SYNTAX, "header length"},
	{"bytes after last payload", msgWith(PayloadVendor, gp(NoNextPayload, false, []byte("v")), []byte{1, 2}), INVALID_SYNTAX, "after the last payload"},
	{"next payload with nothing left", msgWith(PayloadVendor, gp(PayloadKE, false, []byte("v"))), INVALID_SYNTAX, "generic header needs 4"},
	{"payload length 3", msgWith(PayloadVendor, []byte{0, 0, 0, 3}), INVALID_SYNTAX, "payload length 3"},
	{"payload length past end", msgWith(PayloadVendor, []byte{0, 0, 0, 9, 1}), INVALID_SYNTAX, "payload length 9"},
	{"unknown critical payload", msgWith(200, gp(NoNextPayload, true, []byte{1})), UNSUPPORTED_CRITICAL_PAYLOAD, "critical"},
	{"SK not last", msgWith(PayloadSK, gp(PayloadVendor, false, make([]byte, 20)), gp(NoNextPayload, false, nil)), INVALID_SYNTAX, "SK payload is not the last"},
	{"SKF not last", msgWith(PayloadSKF, gp(PayloadVendor, false, make([]byte, 20)), gp(NoNextPayload, false, nil)), INVALID_SYNTAX, "SKF payload is not the last"},
	{"SKF without numbers", msgWith(PayloadSKF, gp(PayloadIDi, false, []byte{0, 1})), INVALID_SYNTAX, "fragment number and total need 4"},
	{"SKF fragment 0", msgWith(PayloadSKF, gp(PayloadIDi, false, []byte{0, 0, 0, 2, 9, 9})), INVALID_SYNTAX, "fragment 0 of 2"},
	{"SKF fragment past total", msgWith(PayloadSKF, gp(PayloadIDi, false, []byte{0, 3, 0, 2, 9, 9})), INVALID_SYNTAX, "fragment 3 of 2"},
	{"empty SA", msgWith(PayloadSA, gp(NoNextPayload, false, nil)), INVALID_SYNTAX, "no proposals"},
	{"proposal shorter than its SPI", msgWith(PayloadSA, gp(NoNextPayload, false,
		proposal(0, 8, 4, 0, []byte{1, 2, 3, 4}))), INVALID_SYNTAX, "proposal length 8, SPI size 4"},
	{"proposal longer than SA", msgWith(PayloadSA, gp(NoNextPayload, false,
		proposal(0, 40, 0, 0, nil))), INVALID_SYNTAX, "proposal length 40"},
	{"proposal header cut", msgWith(PayloadSA, gp(NoNextPayload, false, []byte{0, 0, 0, 8})), INVALID_SYNTAX, "proposal header needs 8"},
	{"transform count too high", msgWith(PayloadSA, gp(NoNextPayload, false,
		proposal(0, 16, 0, 2, transform(0, 8, nil)))), INVALID_SYNTAX, "says 2 transforms, holds 1"},
	{"transform length 7", msgWith(PayloadSA, gp(NoNextPayload, false,
		proposal(0, 16, 0, 1, transform(0, 7, nil)))), INVALID_SYNTAX, "transform length 7"},
	{"transform past proposal", msgWith(PayloadSA, gp(NoNextPayload, false,
		proposal(2, 16, 0, 1, transform(0, 12, nil)), []byte{0x80, 14, 0, 128})), INVALID_SYNTAX, "transform length 12, 8 bytes left"},
	{"transform marked more at end", msgWith(PayloadSA, gp(NoNextPayload, false,
		proposal(0, 16, 0, 1, transform(3, 8, nil)))), INVALID_SYNTAX, "marked not last"},
	{"proposal marked last with more", msgWith(PayloadSA, gp(NoNextPayload, false,
		proposal(0, 16, 0, 1, transform(0, 8, nil)), proposal(0, 16, 0, 1, transform(0, 8, nil)))), INVALID_SYNTAX, "marked last but more"},
	{"bad substructure marker", msgWith(PayloadSA, gp(NoNextPayload, false,
		proposal(5, 16, 0, 1, transform(0, 8, nil)))), INVALID_SYNTAX, "last-substructure value 5"},
	{"TLV attribute past transform", msgWith(PayloadSA, gp(NoNextPayload, false,
		proposal(0, 20, 0, 1, transform(0, 12, []byte{0, 17, 0, 9})))), INVALID_SYNTAX, "attribute length 9"},
	{"attribute header cut", msgWith(PayloadSA, gp(NoNextPayload, false,
		proposal(0, 18, 0, 1, transform(0, 10, []byte{0x80, 14})))), INVALID_SYNTAX, "attribute header needs 4"},
	{"key length as TLV", msgWith(PayloadSA, gp(NoNextPayload, false,
		proposal(0, 22, 0, 1, transform(0, 14, []byte{0, 14, 0, 2, 0, 128})))), INVALID_SYNTAX, "not in TV form"},
	{"key length twice", msgWith(PayloadSA, gp(NoNextPayload, false,
		proposal(0, 24, 0, 1, transform(0, 16, []byte{0x80, 14, 0, 128, 0x80, 14, 1, 0})))), INVALID_SYNTAX, "given twice"},
	{"KE without data", msgWith(PayloadKE, gp(NoNextPayload, false, []byte{0, 31, 0, 0})), INVALID_SYNTAX, "need a group"},
	{"nonce of 15 bytes", msgWith(PayloadNonce, gp(NoNextPayload, false, make([]byte, 15))), INVALID_SYNTAX, "nonce of 15"},
	{"nonce of 257 bytes", msgWith(PayloadNonce, gp(NoNextPayload, false, make([]byte, 257))), INVALID_SYNTAX, "nonce of 257"},
	{"ID header cut", msgWith(PayloadIDi, gp(NoNextPayload, false, []byte{2, 0})), INVALID_SYNTAX, "ID header needs 4"},
	{"AUTH without data", msgWith(PayloadAUTH, gp(NoNextPayload, false, []byte{2, 0, 0, 0})), INVALID_SYNTAX, "need a method"},
	{"CERT without encoding", msgWith(PayloadCERT, gp(NoNextPayload, false, nil)), INVALID_SYNTAX, "no encoding"},
	{"notify header cut", msgWith(PayloadNotify, gp(NoNextPayload, false, []byte{0, 0, 0x40})), INVALID_SYNTAX, "notify header needs 4"},
	{"notify SPI past end", msgWith(PayloadNotify, gp(NoNextPayload, false, []byte{3, 4, 0x40, 0x09, 1, 2})), INVALID_SYNTAX, "SPI size 4, 2 bytes left"},
	{"delete count times size", msgWith(PayloadDelete, gp(NoNextPayload, false, []byte{3, 4, 0, 3, 0, 0, 1, 0, 0, 0, 2, 0})), INVALID_SYNTAX, "3 SPIs of 4 bytes in 8"},
	{"ESP delete with 8-byte SPIs", msgWith(PayloadDelete, gp(NoNextPayload, false, []byte{3, 8, 0, 0})), INVALID_SYNTAX, "SPI size 8"},
	{"IKE delete with SPIs", msgWith(PayloadDelete, gp(NoNextPayload, false, []byte{1, 0, 0, 2})), INVALID_SYNTAX, "IKE SA delete"},
	{"delete header cut", msgWith(PayloadDelete, gp(NoNextPayload, false, []byte{3})), INVALID_SYNTAX, "delete header needs 4"},
	{"TS without selectors", msgWith(PayloadTSi, gp(NoNextPayload, false, []byte{0, 0, 0, 0})), INVALID_SYNTAX, "no traffic selectors"},
	{"TS header cut", msgWith(PayloadTSi, gp(NoNextPayload, false, []byte{1})), INVALID_SYNTAX, "TS header needs 4"},
	{"IPv4 selector of 15 bytes", msgWith(PayloadTSi, gp(NoNextPayload, false,
		append([]byte{1, 0, 0, 0}, selector(TS_IPV4_ADDR_RANGE, 15, make([]byte, 11))...))), INVALID_SYNTAX, "length 15, want 16"},
	{"IPv6 selector of 16 bytes", msgWith(PayloadTSr, gp(NoNextPayload, false,
		append([]byte{1, 0, 0, 0}, selector(TS_IPV6_ADDR_RANGE, 16, make([]byte, 12))...))), INVALID_SYNTAX, "length 16, want 40"},
	{"selector past payload", msgWith(PayloadTSi, gp(NoNextPayload, false,
		append([]byte{1, 0, 0, 0}, selector(TS_IPV4_ADDR_RANGE, 16, make([]byte, 8))...))), INVALID_SYNTAX, "selector length 16, 12 bytes left"},
	{"selector count too high", msgWith(PayloadTSi, gp(NoNextPayload, false,
		append([]byte{2, 0, 0, 0}, selector(TS_IPV4_ADDR_RANGE, 16, make([]byte, 12))...))), INVALID_SYNTAX, "says 2 selectors, payload holds 1"},
	{"selector header cut", msgWith(PayloadTSi, gp(NoNextPayload, false, []byte{1, 0, 0, 0, 7, 0})), INVALID_SYNTAX, "selector header needs 4"},
}

func TestDecodeRejectsMalformed(t *testing.T) {
	for _, tc := range malformed {
		t.Run(tc.name, func(t *testing.T) {
			m, err := DecodeMessage(tc.msg)
			if err == nil {
				t.Fatalf("decoded %+v", m)
			}
			notify, data, ok := NotifyFor(err)
			if !ok || notify != tc.notify {
				t.Fatalf("error %v maps to %s, want %s", err, notify, tc.notify)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("error %q does not mention %q", err, tc.reason)
			}
			if notify == UNSUPPORTED_CRITICAL_PAYLOAD && !bytes.Equal(data, []byte{200}) {
				t.Errorf("notify data %x, want the payload type c8", data)
			}
		})
	}
}

// TestSKFRoundTrip: an Encrypted Fragment payload (RFC 7383) decodes as
// it was encoded; only the first fragment keeps its next payload type.
func TestSKFRoundTrip(t *testing.T) {
	for _, f := range []*SKF{
		{NextInner: PayloadIDi, Number: 1, Total: 3, Body: []byte{1, 2, 3}},
		{Number: 3, Total: 3, Body: []byte{4, 5}},
	} {
		roundTrip(t, &Message{SPIi: 1, SPIr: 2, Exchange: IKE_AUTH, Flags: FlagInitiator, MessageID: 1, Payloads: []Payload{f}})
	}
	m := &Message{SPIi: 1, SPIr: 2, Exchange: IKE_AUTH, Payloads: []Payload{&SKF{NextInner: PayloadAUTH, Number: 2, Total: 2}}}
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := DecodeMessage(b); err != nil || got.Payloads[0].(*SKF).NextInner != NoNextPayload {
		t.Errorf("a later fragment's next payload: %+v, %v", got, err)
	}
}

func TestUnknownNonCriticalPayloadIsKept(t *testing.T) {
	b := msgWith(200, gp(PayloadVendor, false, []byte{9, 9}), gp(NoNextPayload, false, []byte("v")))
	m, err := DecodeMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []Payload{&Raw{PT: 200, Body: []byte{9, 9}}, &VendorID{Data: []byte("v")}}
	if d := cmp.Diff(want, m.Payloads); d != "" {
		t.Errorf("payloads (-want +got):\n%s", d)
	}
	if again, _ := m.Encode(); !bytes.Equal(again, b) {
		t.Errorf("re-encoded %x, want %x", again, b)
	}
}

func TestEncodeRefusesInvalid(t *testing.T) {
	for name, p := range map[string]Payload{
		"SA without proposals":  &SA{},
		"short nonce":           &Nonce{Data: []byte{1}},
		"ID typed as KE":        &ID{PT: PayloadKE},
		"TS without selectors":  &TS{PT: PayloadTSi},
		"IPv6 address in v4 TS": &TS{PT: PayloadTSi, Selectors: []Selector{{TSType: TS_IPV4_ADDR_RANGE, Start: netip.IPv6Loopback(), End: netip.IPv6Loopback()}}},
		"delete SPI size wrong": &Delete{Protocol: ProtoESP, SPISize: 4, SPIs: [][]byte{{1, 2}}},
		"IKE delete with SPIs":  &Delete{Protocol: ProtoIKE, SPISize: 0, SPIs: [][]byte{{}}},
		"TV attribute 3 bytes":  &SA{Proposals: []Proposal{{Transforms: []Transform{{Unknown: []Attribute{{Type: 1, TV: true, Value: []byte{1, 2, 3}}}}}}}},
		"oversized vendor ID":   &VendorID{Data: make([]byte, 70000)},
	} {
		t.Run(name, func(t *testing.T) {
			m := &Message{Exchange: IKE_AUTH, Payloads: []Payload{p}}
			if b, err := m.Encode(); err == nil {
				t.Errorf("encoded %x", b)
			}
		})
	}
	m := &Message{Payloads: []Payload{&SK{}, &VendorID{}}}
	if _, err := m.Encode(); err == nil {
		t.Error("encoded SK before another payload")
	}
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{IKE_SA_INIT.String(), "IKE_SA_INIT"},
		{ExchangeType(99).String(), "ExchangeType(99)"},
		{(FlagInitiator | FlagResponse).String(), "IR"},
		{Flags(0).String(), "-"},
		{PayloadNotify.String(), "N"},
		{AUTHENTICATION_FAILED.String(), "AUTHENTICATION_FAILED"},
		{NotifyType(40000).String(), "Notify(40000)"},
		{Transform{Type: TransformENCR, ID: 20, KeyLength: 128}.String(), "AES_GCM_16_128"},
		{Proposal{Number: 1, Protocol: ProtoESP, Transforms: []Transform{{Type: TransformESN}}}.String(), "#1 ESP[NO_ESN]"},
		{Curve25519.String(), "CURVE25519"},
		{ID_FQDN.String(), "ID_FQDN"},
		{AuthSharedKeyMIC.String(), "SHARED_KEY_MIC"},
		{TS_IPV6_ADDR_RANGE.String(), "TS_IPV6_ADDR_RANGE"},
		{ProtoESP.String(), "ESP"},
		{PRF_HMAC_SHA2_256.String(), "PRF_HMAC_SHA2_256"},
		{AUTH_HMAC_SHA2_256_128.String(), "HMAC_SHA2_256_128"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if !INVALID_SYNTAX.IsError() || INITIAL_CONTACT.IsError() {
		t.Error("IsError wrong")
	}
}

// roundTrip encodes m and checks that it decodes as it was.
func roundTrip(t *testing.T, m *Message) {
	t.Helper()
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(m, got, cmpAddr); d != "" {
		t.Errorf("round trip (-sent +decoded):\n%s", d)
	}
}
