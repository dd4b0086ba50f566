package compile

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/whatif"
)

// TestSWSAPeerCredentials checks that compile and whatif agree with lint's
// SWSA013: when the owner and the backup of a protected DVIPA authenticate
// a peer with different pre-shared keys or identities, the DVIPA is not
// SWSA-eligible and a takeover loses its SAs (the peer's authentication
// fails); when they agree, the SAs are recovered. The plan never holds the
// key without --include-secrets.
func TestSWSAPeerCredentials(t *testing.T) {
	ar, err := txtar.ParseFile("../verify/rules/peercredentials/testdata/fires.txtar")
	if err != nil {
		t.Fatal(err)
	}
	sameID := func(s string) string {
		return strings.Replace(s, "Identity Fqdn dva1.example.com", "Identity IpAddr 10.9.9.1", 1)
	}
	sameKey := func(s string) string { return strings.Replace(s, "secret-two", "secret-one", 1) }
	// The owner's key "secret-one" as its bytes in hexadecimal: IKE uses
	// the bytes, so the keys are the same.
	sameKeyHex := func(s string) string {
		return strings.Replace(s, "Ascii secret-two", "Hex 7365637265742d6f6e65", 1)
	}
	for _, tc := range []struct {
		name   string
		b      func(string) string // edits SYSB's policy
		reason bool                // a peer-credentials reason expected
	}{
		{"key and identity differ", func(s string) string { return s }, true},
		{"key differs", sameID, true},
		{"identity differs", sameKey, true},
		{"same credentials", func(s string) string { return sameID(sameKey(s)) }, false},
		{"same key written in hex", func(s string) string { return sameID(sameKeyHex(s)) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range ar.Files {
				name, ok := strings.CutPrefix(f.Name, "in/")
				if !ok {
					continue
				}
				data := string(f.Data)
				if strings.HasSuffix(name, ".policy") {
					data = withOffer(data)
				}
				if name == "b.policy" {
					data = tc.b(data)
				}
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p, _ := Compile(load(t, dir))
			doc, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(doc), "secret-") {
				t.Fatal("the plan holds a pre-shared key without --include-secrets")
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("the plan does not validate: %v", err)
			}
			d := p.DVIPA(mustAddr(t, "10.9.9.1"))
			codes := reasonCodes(d.SWSA.Reasons)
			if got := slices.Contains(codes, "peer-credentials"); got != tc.reason {
				t.Errorf("SWSA reasons %v: peer-credentials %v, want %v", codes, got, tc.reason)
			}
			if d.SWSA.Eligible == tc.reason {
				t.Errorf("eligible %v with reasons %v", d.SWSA.Eligible, codes)
			}
			out, err := whatif.Derive(p, whatif.Scenario{Failed: []string{"SYSA"}})
			if err != nil {
				t.Fatal(err)
			}
			sa := saOf(t, out, "10.9.9.1")
			if want := map[bool]string{true: "lost", false: "recovered"}[tc.reason]; sa.Status != want {
				t.Errorf("whatif: SAs %s (%v), want %s", sa.Status, reasonCodes(sa.Reasons), want)
			}
			// New SAs cannot be negotiated either: the holder fails the
			// peer's authentication, so whatif must not promise them.
			if tc.reason && !strings.Contains(sa.Note, "authentication") {
				t.Errorf("whatif note %q does not say new negotiations fail", sa.Note)
			}
		})
	}
}

func reasonCodes(rs []plan.Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Stack+":"+r.Code)
	}
	for i := range out {
		out[i] = out[i][strings.Index(out[i], ":")+1:]
	}
	return out
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func saOf(t *testing.T, out *whatif.Outcome, addr string) whatif.SAState {
	t.Helper()
	for _, d := range out.DVIPAs {
		if d.Addr.String() == addr {
			return d.AfterFailure.SA
		}
	}
	t.Fatalf("whatif says nothing of %s", addr)
	return whatif.SAState{}
}

// withOffer gives the fixture's key exchange action an IKEv2 offer, so
// that nothing but the credentials stands between it and SWSA.
func withOffer(policy string) string {
	policy = strings.Replace(policy, "    HowToAuthMe PresharedKey\n", "    HowToAuthMe PresharedKey\n    KeyExchangeOfferRef ike\n", 1)
	return policy + `KeyExchangeOffer ike
{
  HowToEncrypt AES_CBC KeyLength 128
  HowToVerifyMsgs HMAC_SHA2_256_128
  PseudoRandomFunction HMAC_SHA2_256
  DHGroup Group19
}
`
}
