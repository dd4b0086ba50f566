package compile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/tcpipc/tcpipc/whatif"
)

// TestSWSACertificates checks that compile and whatif agree with lint's
// IKE001 on seed 003's condition: a backup whose certificate does not
// carry the identity the owner signs as cannot re-authenticate after a
// takeover, so the DVIPA's SAs are not recovered; with a certificate
// carrying it they are. The plan names the key files and never holds
// their content.
func TestSWSACertificates(t *testing.T) {
	ar, err := txtar.ParseFile("../verify/rules/ikecertificates/testdata/silent.txtar")
	if err != nil {
		t.Fatal(err)
	}
	other, err := txtar.ParseFile("../verify/rules/ikecertificates/testdata/fires.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		sysb   string // SYSB's certificate and key, from the fires fixture or silent's
		reason bool
	}{
		{"backup presents the identity", "", false},
		{"backup's certificate lacks it", "other", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := slices.Clone(ar.Files)
			if tc.sysb != "" {
				for _, f := range other.Files {
					if f.Name == "in/certs/other.crt" {
						files = append(files, txtar.File{Name: "in/certs/sysb.crt", Data: f.Data})
					}
					if f.Name == "in/certs/other-key.pem" {
						files = append(files, txtar.File{Name: "in/certs/sysb.key", Data: f.Data})
					}
				}
			}
			for _, f := range files {
				name, ok := strings.CutPrefix(f.Name, "in/")
				if !ok {
					continue
				}
				data := string(f.Data)
				if strings.HasSuffix(name, ".policy") {
					data = withSignatureOffer(data)
				}
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			p, _ := Compile(load(t, dir))
			if err := p.Validate(); err != nil {
				t.Fatalf("the plan does not validate: %v", err)
			}
			doc, _ := json.Marshal(p)
			if strings.Contains(string(doc), "PRIVATE KEY") || !strings.Contains(string(doc), `"key":"certs/sysb.key"`) {
				t.Fatalf("the plan holds key material or misses the key file reference:\n%s", doc)
			}
			d := p.DVIPA(mustAddr(t, "10.9.9.1"))
			codes := reasonCodes(d.SWSA.Reasons)
			if got := slices.Contains(codes, "peer-credentials"); got != tc.reason {
				t.Errorf("SWSA reasons %v (%v): peer-credentials %v, want %v", codes, d.SWSA.Reasons, got, tc.reason)
			}
			out, err := whatif.Derive(p, whatif.Scenario{Failed: []string{"SYSA"}})
			if err != nil {
				t.Fatal(err)
			}
			sa := saOf(t, out, "10.9.9.1")
			if want := map[bool]string{true: "lost", false: "recovered"}[tc.reason]; sa.Status != want {
				t.Errorf("whatif: SAs %s (%v), want %s", sa.Status, reasonCodes(sa.Reasons), want)
			}
			// Nor can new SAs be negotiated: whatif must not promise them.
			if tc.reason && !strings.Contains(sa.Note, "authentication") {
				t.Errorf("whatif note %q does not say new negotiations fail", sa.Note)
			}
		})
	}
}

// withSignatureOffer is withOffer for the certificate fixtures.
func withSignatureOffer(policy string) string {
	psk := withOffer(strings.Replace(policy, "HowToAuthMe DigitalSignature", "HowToAuthMe PresharedKey", 1))
	return strings.Replace(psk, "HowToAuthMe PresharedKey", "HowToAuthMe DigitalSignature", 1)
}
