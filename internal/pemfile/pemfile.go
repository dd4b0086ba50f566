// Package pemfile reads the PEM files that stand for a RACF key ring: a
// certificate chain, a private key (PKCS #8, PKCS #1 or SEC 1; RSA or
// ECDSA P-256, P-384 or P-521) and a CA bundle. Lint and the runtime read
// them with the same code. Errors never quote a file's content, so a key
// file cannot reach a diagnostic or a log through them.
package pemfile

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
)

// Certificates reads every CERTIFICATE block of a PEM file, in order;
// other blocks are skipped.
func Certificates(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for n := 1; ; n++ {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d does not parse: %v", n, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM CERTIFICATE block")
	}
	return out, nil
}

// PrivateKey reads the first private key block of a PEM file.
func PrivateKey(data []byte) (crypto.Signer, error) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, errors.New("no PEM private key block")
		}
		var key any
		var err error
		switch b.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(b.Bytes)
		default:
			continue
		}
		if err != nil {
			// The parser's error may describe the content; say only
			// which block failed.
			return nil, fmt.Errorf("%s block does not parse", b.Type)
		}
		return signer(key, b.Type)
	}
}

func signer(key any, block string) (crypto.Signer, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return k, nil
		}
	}
	return nil, fmt.Errorf("%s block holds a key IKE cannot sign with (RSA or ECDSA P-256, P-384, P-521)", block)
}

// SamePublicKey reports whether two public keys are equal.
func SamePublicKey(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

// TooOpen reports whether a key file's mode lets its group or others
// read or write it.
func TooOpen(mode fs.FileMode) bool { return mode.Perm()&0o077 != 0 }
