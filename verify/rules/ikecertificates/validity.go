package ikecertificates

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/ike/certid"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
)

// expiryWarning is how far ahead lint warns of a certificate's end: a
// month leaves time to have a new one issued and added to the key ring.
const expiryWarning = 30 * 24 * time.Hour

// checkValidity reports a stack certificate that is not valid now, a
// chain that does not verify against the stack's own CA bundle (the
// stack could not verify a peer's certificate from the same CA either,
// and the peers, holding the same CAs, refuse ours), and a certificate of
// the chain that expires within expiryWarning. IKE checks the same at
// negotiation time (RFC 4945 section 5), so what lint reports here is
// what would fail on the wire.
func checkValidity(p *verify.Pass, s *model.Stack) {
	k := s.KeyRing
	leaf := k.Leaf()
	if leaf == nil {
		return // the file problem is reported at the manifest
	}
	at := now()
	if err := certid.IKEUsage(leaf); err != nil {
		d := p.Reportf(k.Files.Ranges["cert"], "%s: %s is refused by peers: %v", s.Name, describe(k), err)
		d.Detail = "Peers check an IKE certificate's key usages as RFC 4945 asks (tcpipc does too). Have it reissued with digitalSignature " +
			"and, if it has an extended key usage at all, id-kp-ipsecIKE (1.3.6.1.5.5.7.3.17)."
		return
	}
	if !leafValid(p, s, leaf, at) || len(k.CAs) == 0 {
		return
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots: pool(k.CAs), Intermediates: pool(k.Chain[1:]), CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, // certid.IKEUsage checked them, as the runtime does
	})
	if err != nil {
		d := p.Reportf(k.Files.Ranges["cert"], "%s: %s does not %s", s.Name, describe(k), chainProblem(k, err, at))
		d.Detail = "Peers that trust the same CAs refuse this certificate. Add the issuing CA (and any intermediate) to the CA bundle, " +
			"or have the certificate reissued by a CA the bundle holds and that is valid now."
		d.Related = []diag.Related{{Range: k.Files.Ranges["ca"], Message: "the CA bundle"}}
		return
	}
	for _, c := range chains[0][1:] {
		if left := c.NotAfter.Sub(at); left < expiryWarning {
			d := p.Reportf(k.Files.Ranges["ca"], "%s: CA certificate %s of key ring %s expires on %s, in %d days",
				s.Name, c.Subject, k.Files.Name, stamp(c.NotAfter), int(left/(24*time.Hour)))
			d.Severity = diag.Warning
			d.Detail = "Once it expires, neither this stack's certificate nor the peers' certificates from this CA verify. Add its successor to the bundle."
		}
	}
}

// leafValid reports the stack's own certificate outside its validity at
// at (an error) or close to its end (a warning), and says whether it is
// valid.
func leafValid(p *verify.Pass, s *model.Stack, leaf *x509.Certificate, at time.Time) bool {
	k := s.KeyRing
	rng := k.Files.Ranges["cert"]
	switch left := leaf.NotAfter.Sub(at); {
	case at.Before(leaf.NotBefore):
		d := p.Reportf(rng, "%s: %s is not valid until %s", s.Name, describe(k), stamp(leaf.NotBefore))
		d.Detail = "Peers refuse a certificate before its notBefore time. Check the clock of the issuing CA, or wait before deploying it."
		return false
	case left < 0:
		d := p.Reportf(rng, "%s: %s expired on %s", s.Name, describe(k), stamp(leaf.NotAfter))
		d.Detail = "Peers refuse an expired certificate: IKE SAs that authenticate with it fail. Have it renewed and replace the file."
		return false
	case left < expiryWarning:
		d := p.Reportf(rng, "%s: %s expires on %s, in %d days", s.Name, describe(k), stamp(leaf.NotAfter), int(left/(24*time.Hour)))
		d.Severity = diag.Warning
		d.Detail = "After that, IKE SAs that authenticate with it fail. Have it renewed and replace the file before then."
	}
	return true
}

// chainProblem words why leaf.Verify failed, naming the certificate at
// fault.
func chainProblem(k *model.KeyRing, err error, at time.Time) string {
	var inv x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired && inv.Cert != nil:
		when := "expired on " + stamp(inv.Cert.NotAfter)
		if at.Before(inv.Cert.NotBefore) {
			when = "is not valid until " + stamp(inv.Cert.NotBefore)
		}
		return fmt.Sprintf("verify: %s %s", whose(k, inv.Cert), when)
	case errors.As(err, &unknown):
		return "chain to a CA of its CA bundle " + k.Files.CA
	}
	return fmt.Sprintf("verify against its CA bundle %s: %v", k.Files.CA, err)
}

// whose names a certificate of the key ring's chain or CA bundle.
func whose(k *model.KeyRing, c *x509.Certificate) string {
	for _, ca := range k.CAs {
		if ca.Equal(c) {
			return fmt.Sprintf("CA certificate %s of its CA bundle %s", c.Subject, k.Files.CA)
		}
	}
	return fmt.Sprintf("intermediate certificate %s of %s", c.Subject, k.Files.Cert)
}

func describe(k *model.KeyRing) string {
	return fmt.Sprintf("certificate %s (%s) of key ring %s", k.Files.Cert, k.Leaf().Subject, k.Files.Name)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") }

func pool(certs []*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}
