package ikesa

import (
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/tcpipc/tcpipc/internal/ike/certid"
	"github.com/tcpipc/tcpipc/internal/ike/ikecrypto"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// Credentials are what a daemon authenticates with certificates from: its
// own chain and private key, and the CA bundle the peers' chains must lead
// to. On z/OS they live in the stack's RACF key ring.
type Credentials struct {
	// Chain is our certificate first, then any intermediates to send.
	Chain []*x509.Certificate
	// Key is the private key of Chain[0]; it never prints.
	Key crypto.Signer
	// CAs are the trust anchors for the peers' certificates.
	CAs []*x509.Certificate
}

// Format keeps the private key out of formatted output.
func (c *Credentials) Format(f fmt.State, _ rune) {
	subject := "none"
	if c != nil && len(c.Chain) > 0 {
		subject = c.Chain[0].Subject.String()
	}
	fmt.Fprintf(f, "Credentials{%s, key [redacted]}", subject)
}

func (c *Credentials) leaf() *x509.Certificate {
	if c == nil || len(c.Chain) == 0 {
		return nil
	}
	return c.Chain[0]
}

// isSignature reports whether m authenticates with a certificate.
func isSignature(m wire.AuthMethod) bool {
	switch m {
	case wire.AuthRSASig, wire.AuthECDSA256, wire.AuthECDSA384, wire.AuthECDSA521, wire.AuthDigitalSig:
		return true
	}
	return false
}

// authMe is how we authenticate to p; zero means the pre-shared key.
func (p *Peer) authMe() wire.AuthMethod {
	if p.AuthMe == 0 {
		return wire.AuthSharedKeyMIC
	}
	return p.AuthMe
}

// validateCredentials checks what a certificate-using config needs: a
// key that fits the certificate and the AUTH method each peer names, an
// identity the certificate carries, and CAs when a peer may present one.
func (c *Config) validateCredentials() []error {
	var errs []error
	signs, verifies := false, false
	for _, p := range c.Peers {
		m := p.authMe()
		switch {
		case m == wire.AuthSharedKeyMIC:
		case !isSignature(m):
			errs = append(errs, fmt.Errorf("peer %q: %s is not an authentication method tcpipc supports", p.Name, m))
		default:
			signs = true
			if leaf := c.Credentials.leaf(); leaf != nil && m != wire.AuthDigitalSig {
				if got, err := ikecrypto.ClassicMethod(leaf.PublicKey); err != nil || got != m {
					errs = append(errs, fmt.Errorf("peer %q: %s needs a matching key, the certificate holds a %s key", p.Name, m, leaf.PublicKeyAlgorithm))
				}
			}
		}
		verifies = verifies || p.CertAuth
	}
	cr := c.Credentials
	if signs {
		leaf := cr.leaf()
		switch {
		case leaf == nil || cr.Key == nil:
			errs = append(errs, errors.New("a peer is authenticated by signature, but there is no certificate and key"))
		case !samePublicKey(leaf.PublicKey, cr.Key.Public()):
			errs = append(errs, errors.New("the private key does not belong to the certificate"))
		case !CertCarries(leaf, c.ID):
			errs = append(errs, fmt.Errorf("our identity %s is not in the certificate of %s", c.ID, leaf.Subject))
		}
	}
	if verifies && (cr == nil || len(cr.CAs) == 0) {
		errs = append(errs, errors.New("a peer may authenticate with a certificate, but there is no CA bundle"))
	}
	return errs
}

func samePublicKey(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

// CertCarries reports whether cert carries id (see certid.Carries).
func CertCarries(cert *x509.Certificate, id Identity) bool {
	return certid.Carries(cert, id.Type, id.Data)
}

// ourCertPayloads are the CERT payloads that carry our chain.
func (c *Credentials) certPayloads() []wire.Payload {
	var out []wire.Payload
	for _, cert := range c.Chain {
		out = append(out, &wire.Cert{PT: wire.PayloadCERT, Encoding: wire.CertX509Signature, Data: cert.Raw})
	}
	return out
}

// certRequest is the CERTREQ we send when a peer may authenticate with a
// certificate: the SHA-1 hashes of our CAs' public keys (RFC 7296 section
// 3.7). strongSwan sends its certificate only when asked this way.
func (c *Credentials) certRequest() *wire.Cert {
	var data []byte
	for _, ca := range c.CAs {
		h := sha1.Sum(ca.RawSubjectPublicKeyInfo)
		data = append(data, h[:]...)
	}
	return &wire.Cert{PT: wire.PayloadCERTREQ, Encoding: wire.CertX509Signature, Data: data}
}

// signatureHashes is our SIGNATURE_HASH_ALGORITHMS notification (RFC 7427
// section 4), sent in IKE_SA_INIT when we hold credentials.
func signatureHashes() *wire.Notify {
	var data []byte
	for _, h := range ikecrypto.SupportedHashes {
		data = binary.BigEndian.AppendUint16(data, uint16(h))
	}
	return &wire.Notify{NotifyType: wire.SIGNATURE_HASH_ALGORITHMS, Data: data}
}

// peerHashes reads the peer's SIGNATURE_HASH_ALGORITHMS, if it sent one.
func peerHashes(payloads []wire.Payload) []wire.HashAlgorithm {
	n := wire.FindNotify(payloads, wire.SIGNATURE_HASH_ALGORITHMS)
	if n == nil {
		return nil
	}
	var out []wire.HashAlgorithm
	for b := n.Data; len(b) >= 2; b = b[2:] {
		out = append(out, wire.HashAlgorithm(binary.BigEndian.Uint16(b)))
	}
	return out
}

// signsPSS reports whether we pad RFC 7427 RSA signatures with
// RSASSA-PSS: when our CA signed our certificate with RSASSA-PSS, the PKI
// has moved off PKCS#1 v1.5 and its peers verify PSS (strongSwan does so
// for any RSA key; it signs PSS itself with rsa_pss = yes). Otherwise we
// keep PKCS#1 v1.5, which every IKEv2 peer verifies.
func (c *Credentials) signsPSS() bool {
	leaf := c.leaf()
	if leaf == nil {
		return false
	}
	switch leaf.SignatureAlgorithm {
	case x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS:
		return true
	}
	return false
}

// authPayloads returns our AUTH payload, preceded by our CERT payloads
// when we sign, for IKE_AUTH with p; signed are the octets of
// ikecrypto.SignedOctets. With DigitalSignature we use RFC 7427 when the
// peer announced a hash we sign with (RSASSA-PSS as signsPSS says), and
// the classic method of our key otherwise, as strongSwan does.
func (sa *IKESA) authPayloads(p *Peer, signed []byte) ([]wire.Payload, error) {
	m := p.authMe()
	if m == wire.AuthSharedKeyMIC {
		return []wire.Payload{&wire.Auth{Method: m, Data: ikecrypto.PSKAuth(sa.algs.prf, p.PSK, signed)}}, nil
	}
	cr := sa.d.cfg.Credentials
	var hash crypto.Hash
	if m == wire.AuthDigitalSig {
		h, ok := ikecrypto.HashFor(cr.Key.Public(), sa.peerHashes)
		if ok {
			hash = h
		} else if m, _ = ikecrypto.ClassicMethod(cr.Key.Public()); m == 0 {
			return nil, fmt.Errorf("ikesa: no signature method for our key")
		}
	}
	data, err := ikecrypto.SignAuth(sa.d.rand, cr.Key, m, ikecrypto.Digital{Hash: hash, PSS: cr.signsPSS()}, signed)
	if err != nil {
		return nil, err
	}
	return append(cr.certPayloads(), &wire.Auth{Method: m, Data: data}), nil
}

// verifyAuth checks the peer's AUTH payload: a pre-shared key MIC when p
// has a key, or a signature by a certificate that chains to our CAs at the
// clock's time and carries the identity id the peer claimed. The error
// says why for the daemon's OnIKESA callback; the peer only ever hears
// AUTHENTICATION_FAILED.
func (sa *IKESA) verifyAuth(p *Peer, id *wire.ID, auth *wire.Auth, payloads []wire.Payload, signed []byte) error {
	if auth.Method == wire.AuthSharedKeyMIC {
		if len(p.PSK) == 0 {
			return fmt.Errorf("%w: peer %s used a pre-shared key, none is configured", ErrAuthFailed, p.Name)
		}
		if !ikecrypto.VerifyPSKAuth(sa.algs.prf, p.PSK, signed, auth.Data) {
			return fmt.Errorf("%w: pre-shared key of %s does not match", ErrAuthFailed, p.Name)
		}
		return nil
	}
	if !p.CertAuth || !isSignature(auth.Method) {
		return fmt.Errorf("%w: peer %s used %s, which its policy does not allow", ErrAuthFailed, p.Name, auth.Method)
	}
	leaf, err := sa.verifyChain(payloads)
	if err != nil {
		return fmt.Errorf("%w: peer %s: %v", ErrAuthFailed, p.Name, err)
	}
	if !CertCarries(leaf, Identity{Type: id.IDType, Data: id.Data}) {
		return fmt.Errorf("%w: peer %s: identity %s is not in its certificate %s", ErrAuthFailed, p.Name, idOf(id), leaf.Subject)
	}
	if err := ikecrypto.VerifyAuth(leaf.PublicKey, auth.Method, auth.Data, signed); err != nil {
		return fmt.Errorf("%w: peer %s: %s signature does not verify", ErrAuthFailed, p.Name, auth.Method)
	}
	return nil
}

// verifyChain parses the peer's CERT payloads (the first is its own, the
// rest intermediates) and verifies the chain against our CAs at the
// daemon clock's time, so tests can expire a certificate.
func (sa *IKESA) verifyChain(payloads []wire.Payload) (*x509.Certificate, error) {
	var certs []*x509.Certificate
	for _, pl := range payloads {
		c, ok := pl.(*wire.Cert)
		if !ok || c.PT != wire.PayloadCERT {
			continue
		}
		if c.Encoding != wire.CertX509Signature {
			return nil, fmt.Errorf("certificate encoding %d is not X.509", c.Encoding)
		}
		cert, err := x509.ParseCertificate(c.Data)
		if err != nil {
			return nil, fmt.Errorf("certificate: %v", err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, errors.New("no certificate sent")
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, ca := range sa.d.cfg.Credentials.CAs {
		roots.AddCert(ca)
	}
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: sa.d.clock.Now(),
		// Go's own extended key usage check knows no id-kp-ipsecIKE, so
		// it is off here and certid.IKEUsage applies RFC 4945's rules.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return nil, err
	}
	if err := certid.IKEUsage(certs[0]); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", certs[0].Subject, err)
	}
	return certs[0], nil
}
