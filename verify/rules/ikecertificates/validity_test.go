package ikecertificates

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/testkit/testpki"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

// TestValidityAtLintTime lints silent.txtar, whose certificates and CA
// are valid from 2026-01-01 to 2126-01-01, at other times through the
// rule's clock: before that every certificate is not yet valid, after it
// every one has expired (errors), and within 30 days of the end each is
// about to expire (a warning, for the CA too). Both stacks are reported,
// in the manifest; an invalid certificate once, not again for its chain.
func TestValidityAtLintTime(t *testing.T) {
	cases := []struct {
		name string
		now  time.Time
		sev  diag.Severity
		want string // regexp, once per stack
	}{
		{"valid", time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC), 0, ""},
		{"thirty-one days left", time.Date(2125, 12, 1, 0, 0, 0, 0, time.UTC), 0, ""},
		{"not yet valid", time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), diag.Error,
			`^SYS[AB]: certificate certs/sys[ab]\.crt \(CN=dva1\.example\.com,O=TEST ONLY\) of key ring IKED/IKEDRING is not valid until 2026-01-01 00:00:00 UTC$`},
		{"expired", time.Date(2126, 1, 2, 0, 0, 0, 0, time.UTC), diag.Error,
			`^SYS[AB]: certificate certs/sys[ab]\.crt \(CN=dva1\.example\.com,O=TEST ONLY\) of key ring IKED/IKEDRING expired on 2126-01-01 00:00:00 UTC$`},
		{"expiring", time.Date(2125, 12, 15, 0, 0, 0, 0, time.UTC), diag.Warning,
			`^SYS[AB]: (certificate certs/sys[ab]\.crt \(CN=dva1\.example\.com,O=TEST ONLY\)|CA certificate CN=TEST ONLY tcpipc fixture CA) of key ring IKED/IKEDRING expires on 2126-01-01 00:00:00 UTC, in 17 days$`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			setNow(t, c.now)
			ds := lintArchive(t, "testdata/silent.txtar", nil)
			if c.want == "" {
				if len(ds) != 0 {
					t.Errorf("findings:\n%s", diag.FormatText(ds, nil))
				}
				return
			}
			re := regexp.MustCompile(c.want)
			stacks := map[string]bool{}
			for _, d := range ds {
				if !re.MatchString(d.Summary) || d.Severity != c.sev || d.Rule != "IKE001" {
					t.Errorf("unexpected finding %s %q", d.Severity, d.Summary)
					continue
				}
				if !strings.HasSuffix(d.Range.File, "sysplex.yaml") {
					t.Errorf("finding at %s, want the manifest", d.Range.File)
				}
				stacks[d.Summary[:4]] = true
			}
			if want := map[diag.Severity]int{diag.Error: 2, diag.Warning: 4}[c.sev]; len(stacks) != 2 || len(ds) != want {
				t.Errorf("%d findings for %v, want %d for SYSA and SYSB:\n%s", len(ds), stacks, want, diag.FormatText(ds, nil))
			}
		})
	}
}

// TestExpiredCA: SYSA's CA expires ten years on, its certificate twenty.
// Eleven years on the certificate is valid but its chain is not: the rule
// names the expired CA, once, and SYSB (whose files are the fixtures) is
// silent.
func TestExpiredCA(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	ca := testpki.NewCA(t, "TEST ONLY short-lived CA", testpki.P256, t0) // valid ten years
	leaf := ca.Issue(t, testpki.Leaf{Key: testpki.P256, Subject: pkix.Name{CommonName: "dva1.example.com", Organization: []string{"TEST ONLY"}},
		DNS: []string{"dva1.example.com"}, NotAfter: t0.AddDate(20, 0, 0)}, t0)
	files := map[string][]byte{"certs/sysa.crt": leaf.CertPEM(), "certs/sysa.key": leaf.KeyPEM(t), "certs/sysa-ca.crt": ca.CertPEM()}
	setNow(t, t0.AddDate(11, 0, 0))
	ds := lintArchive(t, "testdata/silent.txtar", files, "certs/ca.crt", "certs/sysa-ca.crt")
	caEnd := ca.Cert.NotAfter.UTC().Format("2006-01-02 15:04:05 MST")
	want := regexp.MustCompile(`^SYSA: certificate certs/sysa\.crt \(CN=dva1\.example\.com,O=TEST ONLY\) of key ring IKED/IKEDRING does not verify: ` +
		`CA certificate CN=TEST ONLY short-lived CA,O=tcpipc test of its CA bundle certs/sysa-ca\.crt expired on ` + caEnd + `$`)
	if len(ds) != 1 || !want.MatchString(ds[0].Summary) || ds[0].Severity != diag.Error {
		t.Errorf("findings:\n%s", diag.FormatText(ds, nil))
	}
	setNow(t, ca.Cert.NotAfter.Add(-10*24*time.Hour-time.Hour))
	ds = lintArchive(t, "testdata/silent.txtar", files, "certs/ca.crt", "certs/sysa-ca.crt")
	want = regexp.MustCompile(`^SYSA: CA certificate CN=TEST ONLY short-lived CA,O=tcpipc test of key ring IKED/IKEDRING expires on ` + caEnd + `, in 10 days$`)
	if len(ds) != 1 || !want.MatchString(ds[0].Summary) || ds[0].Severity != diag.Warning {
		t.Errorf("findings:\n%s", diag.FormatText(ds, nil))
	}
}

func setNow(t *testing.T, at time.Time) {
	old := now
	now = func() time.Time { return at }
	t.Cleanup(func() { now = old })
}

// lintArchive writes a txtar's in/ files to a directory (mode 0600),
// replacing those named in files and adding the rest, and runs the rule
// over it. In the manifest, the first occurrence of each oldNew[i] is
// replaced by oldNew[i+1] (SYSA's lines come first).
func lintArchive(t *testing.T, path string, files map[string][]byte, oldNew ...string) diag.Diagnostics {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	all := map[string][]byte{}
	for _, f := range ar.Files {
		all[strings.TrimPrefix(f.Name, "in/")] = f.Data
	}
	for name, data := range files {
		all[name] = data
	}
	manifest := string(all["sysplex.yaml"])
	for i := 0; i+1 < len(oldNew); i += 2 {
		manifest = strings.Replace(manifest, oldNew[i], oldNew[i+1], 1)
	}
	all["sysplex.yaml"] = []byte(manifest)
	for name, data := range all {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sx, front := model.Load(dir, model.Options{})
	ds, err := verify.Run(sx, []*verify.Rule{Rule})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range front {
		if d.Severity >= diag.Warning {
			ds = append(ds, d)
		}
	}
	return ds
}

// TestKeyUsage: the stack's own certificate must be one peers accept
// (RFC 4945 sections 5.1.3.2 and 5.1.3.12): a key usage without
// digitalSignature, or an extended key usage for TLS only, is an error
// at SYSA; SYSB (the fixtures) is silent.
func TestKeyUsage(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	ca := testpki.NewCA(t, "TEST ONLY usage CA", testpki.P256, t0)
	cases := []struct {
		name string
		leaf testpki.Leaf
		want string
	}{
		{"key encipherment", testpki.Leaf{KeyUsage: x509.KeyUsageKeyEncipherment}, "digitalSignature"},
		{"server auth", testpki.Leaf{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, "id-kp-ipsecIKE"},
		{"ipsecIKE", testpki.Leaf{UnknownExtKeyUsage: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 17}}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.leaf.Key, c.leaf.Subject, c.leaf.DNS = testpki.P256, pkix.Name{CommonName: "dva1.example.com", Organization: []string{"TEST ONLY"}}, []string{"dva1.example.com"}
			leaf := ca.Issue(t, c.leaf, t0)
			files := map[string][]byte{"certs/sysa.crt": leaf.CertPEM(), "certs/sysa.key": leaf.KeyPEM(t), "certs/sysa-ca.crt": ca.CertPEM()}
			setNow(t, t0.AddDate(0, 1, 0))
			ds := lintArchive(t, "testdata/silent.txtar", files, "certs/ca.crt", "certs/sysa-ca.crt")
			if c.want == "" {
				if len(ds) != 0 {
					t.Errorf("findings:\n%s", diag.FormatText(ds, nil))
				}
				return
			}
			if len(ds) != 1 || !strings.HasPrefix(ds[0].Summary, "SYSA: certificate certs/sysa.crt") || !strings.Contains(ds[0].Summary, c.want) || ds[0].Severity != diag.Error {
				t.Errorf("findings, want one error at SYSA saying %q:\n%s", c.want, diag.FormatText(ds, nil))
			}
		})
	}
}
