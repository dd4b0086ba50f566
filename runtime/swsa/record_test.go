package swsa

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpipc/tcpipc/plan"
)

// TestWireFormIsStable pins the v1 wire form: a record encodes to the
// checked-in bytes and decodes back to itself. A change here is a format
// change (rewrite with TCPIPC_UPDATE=1 and think about Version).
func TestWireFormIsStable(t *testing.T) {
	r := sample(10)
	got, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	const file = "testdata/record-v1.json"
	if os.Getenv("TCPIPC_UPDATE") != "" {
		var buf bytes.Buffer
		_ = json.Indent(&buf, got, "", "  ")
		buf.WriteByte('\n')
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(compact.String(), string(got)); diff != "" {
		t.Errorf("wire form changed (-file +encoded):\n%s", diff)
	}
	back, err := Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, back, cmpOpts...); diff != "" {
		t.Errorf("decode(encode) differs:\n%s", diff)
	}
}

// TestDecodeRefuses feeds one bad field at a time; each is refused with
// an error naming it.
func TestDecodeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(r *Record)
		want   string
	}{
		{"version", func(r *Record) { r.Version = "tcpipc.swsa/v2" }, `unknown SWSA record version "tcpipc.swsa/v2"`},
		{"tunnel id", func(r *Record) { r.TunnelID = "a/b" }, "tunnelId"},
		{"vpn action", func(r *Record) { r.VPNAction = "" }, "vpnAction"},
		{"writer", func(r *Record) { r.Writer = "mvs1" }, "writer"},
		{"written", func(r *Record) { r.Written = time.Time{} }, "written: missing"},
		{"local identity type", func(r *Record) { r.Local.Type = "EMAIL" }, "identity type"},
		{"identity control character", func(r *Record) { r.Peer.Identity = Identity{Type: "FQDN", Value: "a\x1b[2Jb"} }, "control character"},
		{"IPADDR identity", func(r *Record) { r.Local.Value = "host" }, "not an address"},
		{"peer family", func(r *Record) { r.Peer.Addr = netip.MustParseAddrPort("[2001:db8::1]:500") }, "family"},
		{"peer port", func(r *Record) { r.Peer.Addr = netip.AddrPortFrom(r.Peer.Addr.Addr(), 0) }, "port 0"},
		{"peer is the DVIPA", func(r *Record) { r.Peer.Addr = netip.AddrPortFrom(dva1, 500) }, "unicast"},
		{"ike version", func(r *Record) { r.IKE.Version = "IKEv3" }, "IKEv1 or IKEv2"},
		{"ike spi", func(r *Record) { r.IKE.SPIi = 0 }, "spii"},
		{"ike lifetime", func(r *Record) { r.IKE.LifetimeSeconds = 0 }, "lifetime"},
		{"ike without DH", func(r *Record) { r.IKE.Transforms = r.IKE.Transforms[:3] }, "no DH transform"},
		{"ike DH none", func(r *Record) { r.IKE.Transforms[3].ID = plan.DHNone }, "Diffie-Hellman"},
		{"two ENCR", func(r *Record) { r.IKE.Transforms[1] = r.IKE.Transforms[0] }, "two ENCR"},
		{"unknown transform id", func(r *Record) { r.IKE.Transforms[1].ID = 99 }, "PRF transform id 99 unknown"},
		{"AES key length", func(r *Record) { r.IKE.Transforms[0].KeyLength = 100 }, "key length 100"},
		{"key length on PRF", func(r *Record) { r.IKE.Transforms[1].KeyLength = 128 }, "takes no key length"},
		{"CBC without integrity", func(r *Record) { r.IKE.Transforms = append(r.IKE.Transforms[:2], r.IKE.Transforms[3]) }, "needs an integrity"},
		{"GCM with integrity", func(r *Record) {
			r.Children[0].Transforms = append(r.Children[0].Transforms, plan.Transform{Type: plan.TypeINTEG, ID: plan.IntegHMACSHA1_96})
		}, "combined-mode"},
		{"PRF in ESP", func(r *Record) { r.Children[0].Transforms[1] = r.IKE.Transforms[1] }, `type "PRF" not allowed`},
		{"child protocol", func(r *Record) { r.Children[0].Protocol = "IPCOMP" }, "ESP or AH"},
		{"child mode", func(r *Record) { r.Children[0].Mode = "BEET" }, "TUNNEL or TRANSPORT"},
		{"AH in UDP", func(r *Record) {
			r.Children[0].Protocol, r.Children[0].Encap = "AH", "UDP"
		}, "AH cannot be encapsulated"},
		{"reserved SPI", func(r *Record) { r.Children[0].InboundSPI = 255 }, "reserved"},
		{"SPI twice", func(r *Record) { r.Children = append(r.Children, r.Children[0]) }, "SPI used twice"},
		{"pfs none", func(r *Record) { r.Children[0].PFS = &plan.Transform{Type: plan.TypeDH, ID: plan.DHNone} }, "pfs"},
		{"child lifetime", func(r *Record) { r.Children[0].LifetimeSeconds = MaxLifetimeSeconds + 1 }, "lifetime"},
		{"local selector misses the DVIPA", func(r *Record) {
			r.Children[0].Local[0].Start = dvb1
			r.Children[0].Local[0].End = dvb1
		}, "no selector covers 201.2.10.11"},
		{"selector backwards", func(r *Record) { r.Children[0].Remote[0].Start = netip.MustParseAddr("192.0.2.200") }, "end before start"},
		{"selector ports backwards", func(r *Record) { r.Children[0].Remote[0].StartPort = 70; r.Children[0].Remote[0].EndPort = 7 }, "ports 70-7"},
		{"no selectors", func(r *Record) { r.Children[0].Remote = nil }, "0 traffic selectors"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sample(10)
			tc.change(r)
			data, err := json.Marshal(r) // bypasses Encode's own check
			if err != nil {
				t.Fatal(err)
			}
			_, err = Decode(data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Decode: got %v, want an error with %q", err, tc.want)
			}
			if _, err := Encode(r); err == nil {
				t.Fatal("Encode wrote an invalid record")
			}
		})
	}
}

// TestDecodeRefusesMalformed covers what is wrong with the bytes rather
// than a field.
func TestDecodeRefusesMalformed(t *testing.T) {
	good, _ := Encode(sample(10))
	for name, tc := range map[string]struct {
		data string
		want string
	}{
		"no version":     {`{"dvipa":"201.2.10.11"}`, "no version"},
		"version number": {`{"version":1}`, "SWSA record"},
		"not json":       {`{`, "SWSA record"},
		"trailing data":  {string(good) + ` {}`, "after top-level value"},
		"unknown field":  {strings.Replace(string(good), `"writer"`, `"sharedKey":"x","writer"`, 1), `unknown field "sharedKey"`},
		"too big":        {`{"version":"` + strings.Repeat("x", MaxRecordBytes) + `"}`, "at most"},
	} {
		if _, err := Decode([]byte(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", name, err, tc.want)
		}
	}
	if _, err := Decode([]byte(`{"version":"tcpipc.swsa/v0"}`)); !errors.Is(err, ErrVersion) {
		t.Errorf("an old version is not ErrVersion: %v", err)
	}
}

// keyish matches field names that could hold key material. KeyLength (the
// size of a negotiated cipher's key, part of the transform) is the one
// allowed name that says "key".
var keyish = regexp.MustCompile(`(?i)key|secret|psk|nonce|seed|skey|cookie|password|material`)

// TestRecordHoldsNoKeys walks the record type: no byte slices or arrays
// (where key bytes would go), no maps or interfaces (where anything
// could), and no field whose name suggests a key.
func TestRecordHoldsNoKeys(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		switch typ {
		case reflect.TypeFor[netip.Addr](), reflect.TypeFor[netip.AddrPort](), reflect.TypeFor[time.Time]():
			return // values, not containers
		}
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice:
			if typ.Elem().Kind() == reflect.Uint8 {
				t.Errorf("%s is a byte slice", path)
			}
			walk(path+"[]", typ.Elem())
		case reflect.Array:
			t.Errorf("%s is an array", path)
		case reflect.Map, reflect.Interface, reflect.Func, reflect.Chan:
			t.Errorf("%s is a %s: it could hold anything", path, typ.Kind())
		case reflect.Struct:
			for f := range typ.Fields() {
				if keyish.MatchString(f.Name) && f.Name != "KeyLength" {
					t.Errorf("%s.%s: a field named like key material", path, f.Name)
				}
				walk(path+"."+f.Name, f.Type)
			}
		}
	}
	walk("Record", reflect.TypeFor[Record]())
	walk("Event", reflect.TypeFor[Event]())
}
