package pemfile

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/testpki"
)

func TestReadBack(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ca := testpki.NewCA(t, "CA", testpki.P256, now)
	for _, kt := range []testpki.KeyType{testpki.RSA, testpki.P256, testpki.P384} {
		leaf := ca.Issue(t, testpki.Leaf{Key: kt, DNS: []string{"gw.example"}}, now)
		certs, err := Certificates(append(leaf.CertPEM(), ca.CertPEM()...))
		if err != nil || len(certs) != 2 || !certs[0].Equal(leaf.Cert) {
			t.Fatalf("%s: chain read back as %d certificates, %v", kt, len(certs), err)
		}
		key, err := PrivateKey(leaf.KeyPEM(t))
		if err != nil || !SamePublicKey(key.Public(), leaf.Cert.PublicKey) {
			t.Fatalf("%s: key read back wrong: %v", kt, err)
		}
	}
}

// TestKeyErrorsQuoteNothing: a broken key file's error names the block,
// never its bytes.
func TestKeyErrorsQuoteNothing(t *testing.T) {
	secret := []byte("SECRETSECRETSECRET")
	bad := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: secret})
	_, err := PrivateKey(bad)
	if err == nil {
		t.Fatal("garbage parsed as a key")
	}
	if strings.Contains(err.Error(), "SECRET") || bytes.Contains([]byte(err.Error()), bad[30:40]) {
		t.Errorf("error quotes the file: %v", err)
	}
	if _, err := Certificates([]byte("not pem")); err == nil {
		t.Error("a file without certificates read")
	}
}

// FuzzPEM reads arbitrary files as certificates and as keys: no panic, and
// a key that reads is a signer whose error-free public half exists.
func FuzzPEM(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if certs, err := Certificates(data); err == nil {
			for _, c := range certs {
				if _, err := x509.ParseCertificate(c.Raw); err != nil {
					t.Fatal(err)
				}
			}
		}
		if key, err := PrivateKey(data); err == nil && key.Public() == nil {
			t.Fatal("a key without a public half")
		}
	})
}
