package certid

import (
	"crypto/x509/pkix"
	"net"
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
	})
}
