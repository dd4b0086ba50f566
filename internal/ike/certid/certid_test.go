package certid

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/testpki"
)

func TestCarries(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ca := testpki.NewCA(t, "CA", testpki.P256, now)
	leaf := ca.Issue(t, testpki.Leaf{Key: testpki.P256, Subject: pkix.Name{CommonName: "gw.example", Organization: []string{"Example"}, Country: []string{"US"}},
		DNS: []string{"gw.example"}, Emails: []string{"ops@example.com"}, IPs: []net.IP{net.ParseIP("192.0.2.1")}}, now).Cert
	cases := []struct {
		typ, value string
		want       bool
	}{
		{"X500DN", "CN=gw.example,O=Example,C=US", true},
		{"X500DN", "C=US, O=Example, CN=gw.example", true}, // certificate order
		{"X500DN", "cn=GW.example,o=example,c=us", true},   // case
		{"X500DN", "CN=gw.example,O=Example", false},       // an attribute short
		{"X500DN", "CN=other,O=Example,C=US", false},
		{"FQDN", "GW.EXAMPLE", true},
		{"FQDN", "other.example", false},
		{"USERFQDN", "ops@example.com", true},
		{"IPADDR", "192.0.2.1", true},
		{"IPADDR", "192.0.2.2", false},
		{"KEYID", "abc", false},
	}
	for _, c := range cases {
		typ, data, err := FromPolicy(c.typ, c.value)
		if err != nil {
			t.Fatalf("%s %s: %v", c.typ, c.value, err)
		}
		if got := Carries(leaf, typ, data); got != c.want {
			t.Errorf("Carries(%s %s) = %v, want %v", c.typ, c.value, got, c.want)
		}
	}
	if _, _, err := FromPolicy("X500DN", "no equals sign"); err == nil {
		t.Error("a DN without attribute=value parsed")
	}
	if _, _, err := FromPolicy("NAME", "x"); err == nil {
		t.Error("an unknown identity type converted")
	}
	want := []string{"X500DN CN=gw.example,O=Example,C=US", "FQDN gw.example", "USERFQDN ops@example.com", "IPADDR 192.0.2.1"}
	got := Names(leaf)
	if len(got) != len(want) {
		t.Fatalf("Names = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Names[%d] = %q, want %q", i, got[i], want[i])
		}
	}
}

// FuzzDN parses arbitrary distinguished names: never a panic, and a name
// that parses is the same DN as itself and renders again.
func FuzzDN(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		der, err := DN(s)
		if err != nil {
			return
		}
		if !SameDN(der, der) {
			t.Fatalf("%q is not the same DN as itself", s)
		}
		if _, ok := DNString(der); !ok {
			t.Fatalf("%q does not render", s)
		}
		// Oracle: only ASCII letters fold. Raising the ASCII letters keeps
		// the DN; raising every letter as Unicode does is a different DN
		// (or no DN) whenever it changed a byte the ASCII raise did not.
		if up, err := DN(asciiUpper(s)); err != nil || !SameDN(der, up) {
			t.Fatalf("%q is not the same DN with ASCII letters raised (%v)", s, err)
		}
		if uni := strings.ToUpper(s); uni != asciiUpper(s) {
			if other, err := DN(uni); err == nil && SameDN(der, other) {
				t.Fatalf("%q matched %q: Unicode folding", s, uni)
			}
		}
		// One more RDN is never the same DN.
		if longer, err := DN(s + ",CN=x"); err == nil && SameDN(der, longer) {
			t.Fatalf("%q matched itself with one more RDN", s)
		}
	})
}

// derDN builds a DER DN from RDN sets of (attribute OID, value) written
// directly, so that tests can make what DN's parser never makes.
func derDN(t testing.TB, sets ...pkix.RelativeDistinguishedNameSET) []byte {
	t.Helper()
	der, err := asn1.Marshal(pkix.RDNSequence(sets))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestSameDNNoLookalike: a DN that differs from another only by a
// Unicode letter that folds to an ASCII one, by RDN set boundaries, by
// spaces around a value or by being empty is a different subject.
func TestSameDNNoLookalike(t *testing.T) {
	cn, o := asn1.ObjectIdentifier{2, 5, 4, 3}, asn1.ObjectIdentifier{2, 5, 4, 10}
	atv := func(oid asn1.ObjectIdentifier, v string) pkix.AttributeTypeAndValue {
		return pkix.AttributeTypeAndValue{Type: oid, Value: v}
	}
	set := func(a ...pkix.AttributeTypeAndValue) pkix.RelativeDistinguishedNameSET { return a }
	base := derDN(t, set(atv(cn, "Kgw")), set(atv(o, "Example")))
	cases := []struct {
		name string
		der  []byte
		want bool
	}{
		{"ascii case", derDN(t, set(atv(cn, "kGW")), set(atv(o, "EXAMPLE"))), true},
		{"reverse order", derDN(t, set(atv(o, "Example")), set(atv(cn, "Kgw"))), true},
		{"kelvin sign", derDN(t, set(atv(cn, "\u212Agw")), set(atv(o, "Example"))), false},
		{"multi-valued", derDN(t, set(atv(cn, "Kgw"), atv(o, "Example"))), false},
		{"trailing space", derDN(t, set(atv(cn, "Kgw ")), set(atv(o, "Example"))), false},
		{"empty set", derDN(t, set(atv(cn, "Kgw")), set(), set(atv(o, "Example"))), false},
	}
	for _, c := range cases {
		if got := SameDN(base, c.der); got != c.want {
			t.Errorf("%s: SameDN = %v, want %v", c.name, got, c.want)
		}
	}
	longS := derDN(t, set(atv(cn, "gw")), set(atv(o, "\u017Fite")))
	if SameDN(longS, derDN(t, set(atv(cn, "gw")), set(atv(o, "site")))) {
		t.Error("U+017F LONG S matched s")
	}
	multi := derDN(t, set(atv(cn, "gw"), atv(o, "Example")))
	if !SameDN(multi, derDN(t, set(atv(o, "Example"), atv(cn, "gw")))) {
		t.Error("a multi-valued RDN's attribute order mattered")
	}
	empty := derDN(t, set())
	if SameDN(empty, empty) {
		t.Error("a DN of one empty RDN matched itself")
	}
	if _, _, err := FromPolicy("X500DN", "\u017Ft=x"); err == nil {
		t.Error("U+017F LONG S spelled the attribute ST")
	}
}

// TestIKEUsage: RFC 4945's key usage rules for an IKE end entity.
func TestIKEUsage(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ca := testpki.NewCA(t, "CA", testpki.P256, now)
	cases := []struct {
		name string
		leaf testpki.Leaf
		ok   bool
	}{
		{"digitalSignature", testpki.Leaf{}, true},
		{"nonRepudiation", testpki.Leaf{KeyUsage: x509.KeyUsageContentCommitment}, true},
		{"keyEncipherment only", testpki.Leaf{KeyUsage: x509.KeyUsageKeyEncipherment}, false},
		{"ipsecIKE", testpki.Leaf{UnknownExtKeyUsage: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 17}}}, true},
		{"any", testpki.Leaf{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}, true},
		{"serverAuth only", testpki.Leaf{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, false},
		{"serverAuth and ipsecIKE", testpki.Leaf{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			UnknownExtKeyUsage: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 17}}}, true},
		{"ipsecEndSystem (RFC 2459's, not IKE's)", testpki.Leaf{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageIPSECEndSystem}}, false},
	}
	for _, c := range cases {
		c.leaf.Key, c.leaf.Subject = testpki.P256, pkix.Name{CommonName: "gw"}
		cert := ca.Issue(t, c.leaf, now).Cert
		if err := IKEUsage(cert); (err == nil) != c.ok {
			t.Errorf("%s: IKEUsage = %v, want ok %v", c.name, err, c.ok)
		}
	}
}
