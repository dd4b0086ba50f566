// Package testpki makes throwaway certificate authorities and
// certificates for tests of certificate authentication: generated at test
// time with crypto/x509, so no private key is ever checked in.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// KeyType names the kinds of key a certificate can hold.
type KeyType string

const (
	RSA  KeyType = "rsa" // 2048 bits
	P256 KeyType = "p256"
	P384 KeyType = "p384"
)

// NewKey generates a private key of type kt.
func NewKey(t testing.TB, kt KeyType) crypto.Signer {
	t.Helper()
	var k crypto.Signer
	var err error
	switch kt {
	case RSA:
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case P256:
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case P384:
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		t.Fatalf("testpki: unknown key type %q", kt)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Pair is a certificate with its private key.
type Pair struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Leaf describes a certificate to issue. Zero NotBefore and NotAfter give
// a day before and a year after Now.
type Leaf struct {
	Key                 KeyType
	Subject             pkix.Name
	DNS, Emails         []string
	IPs                 []net.IP
	NotBefore, NotAfter time.Time
	// PSS has the CA sign with RSASSA-PSS and SHA-256 (its key must be
	// RSA), as a PKI that has moved off PKCS#1 v1.5 does.
	PSS bool
	// KeyUsage replaces digitalSignature when not zero; ExtKeyUsage and
	// UnknownExtKeyUsage add an extended key usage extension.
	KeyUsage           x509.KeyUsage
	ExtKeyUsage        []x509.ExtKeyUsage
	UnknownExtKeyUsage []asn1.ObjectIdentifier
}

var serial atomic.Int64

// NewCA returns a self-signed CA valid around now.
func NewCA(t testing.TB, name string, kt KeyType, now time.Time) *Pair {
	t.Helper()
	key := NewKey(t, kt)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)), Subject: pkix.Name{CommonName: name, Organization: []string{"tcpipc test"}},
		NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	return sign(t, tmpl, tmpl, key, key)
}

// Issue signs a certificate for l with ca.
func (ca *Pair) Issue(t testing.TB, l Leaf, now time.Time) *Pair {
	t.Helper()
	if l.NotBefore.IsZero() {
		l.NotBefore = now.Add(-24 * time.Hour)
	}
	if l.NotAfter.IsZero() {
		l.NotAfter = now.Add(365 * 24 * time.Hour)
	}
	key := NewKey(t, l.Key)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)), Subject: l.Subject, DNSNames: l.DNS, EmailAddresses: l.Emails, IPAddresses: l.IPs,
		NotBefore: l.NotBefore, NotAfter: l.NotAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: l.ExtKeyUsage, UnknownExtKeyUsage: l.UnknownExtKeyUsage,
	}
	if l.KeyUsage != 0 {
		tmpl.KeyUsage = l.KeyUsage
	}
	if l.PSS {
		tmpl.SignatureAlgorithm = x509.SHA256WithRSAPSS
	}
	return sign(t, tmpl, ca.Cert, key, ca.Key)
}

func sign(t testing.TB, tmpl, parent *x509.Certificate, key, parentKey crypto.Signer) *Pair {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Pair{Cert: cert, Key: key}
}

// CertPEM is the certificate as a PEM block.
func (p *Pair) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Cert.Raw})
}

// KeyPEM is the private key as a PKCS #8 PEM block.
func (p *Pair) KeyPEM(t testing.TB) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(p.Key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// WriteFiles writes p's certificate, key (mode 0600) and the CA bundle
// cas into dir as <name>.crt, <name>.key and <name>-ca.crt, and returns
// the three paths.
func (p *Pair) WriteFiles(t testing.TB, dir, name string, cas ...*Pair) (cert, key, ca string) {
	t.Helper()
	cert, key, ca = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key"), filepath.Join(dir, name+"-ca.crt")
	var bundle []byte
	for _, c := range cas {
		bundle = append(bundle, c.CertPEM()...)
	}
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{cert, p.CertPEM(), 0o644}, {key, p.KeyPEM(t), 0o600}, {ca, bundle, 0o644}} {
		if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	return cert, key, ca
}
