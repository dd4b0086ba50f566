package certid

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"slices"
)

// ipsecIKE is id-kp-ipsecIKE (RFC 4945 section 5.1.3.12), the extended
// key usage for IKE; Go's x509 leaves it among the unknown ones.
var ipsecIKE = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 17}

// IKEUsage checks a certificate's key usages as RFC 4945 asks of an IKE
// peer's end-entity certificate: a KeyUsage extension, when present, must
// allow digitalSignature or nonRepudiation (section 5.1.3.2), and an
// extended key usage, when present, must contain id-kp-ipsecIKE or
// anyExtendedKeyUsage (section 5.1.3.12, the receiver's logic; libreswan
// tests the same). A certificate for TLS only (serverAuth) is refused:
// the RFC's receiver logic leaves no room for it.
func IKEUsage(cert *x509.Certificate) error {
	if cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return errors.New("its key usage allows neither digitalSignature nor nonRepudiation (RFC 4945 section 5.1.3.2)")
	}
	if len(cert.ExtKeyUsage) == 0 && len(cert.UnknownExtKeyUsage) == 0 {
		return nil
	}
	if slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageAny) ||
		slices.ContainsFunc(cert.UnknownExtKeyUsage, ipsecIKE.Equal) {
		return nil
	}
	return errors.New("its extended key usage has neither id-kp-ipsecIKE nor anyExtendedKeyUsage (RFC 4945 section 5.1.3.12)")
}
