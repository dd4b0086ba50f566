// Package certid decides whether an X.509 certificate carries an IKE
// identity: a distinguished name as its subject, an FQDN, RFC 822 address
// or IP address among its subjectAltNames. The IKE daemon uses it on the
// wire (ID payloads) and lint on the policy's identities as z/OS writes
// them (X500DN, FQDN, USERFQDN, IPADDR), so both decide alike. IBM says
// a signing host's local identity must be in its certificate and that
// KeyID is for pre-shared keys only (z/OS Communications Server IP
// Configuration Guide, "Identity information"); how z/OS compares a DN we
// could not find, so DNs compare as strongSwan and LDAP compare them.
package certid

import (
	"crypto/x509"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// Carries reports whether cert names the identity of type t with data:
// a distinguished name is its subject (SameDN), an FQDN or RFC 822
// address one of its subjectAltName entries (compared with ASCII letters folded, as
// DNS names and mail domains are; no Unicode folding), an address one of its IP address
// entries. Key IDs are never in a certificate.
func Carries(cert *x509.Certificate, t wire.IDType, data []byte) bool {
	switch t {
	case wire.ID_DER_ASN1_DN:
		return SameDN(cert.RawSubject, data)
	case wire.ID_FQDN:
		return slices.ContainsFunc(cert.DNSNames, func(n string) bool { return ASCIIEqualFold(n, string(data)) })
	case wire.ID_RFC822_ADDR:
		return slices.ContainsFunc(cert.EmailAddresses, func(n string) bool { return ASCIIEqualFold(n, string(data)) })
	case wire.ID_IPV4_ADDR, wire.ID_IPV6_ADDR:
		a, ok := netip.AddrFromSlice(data)
		return ok && slices.ContainsFunc(cert.IPAddresses, func(ip net.IP) bool {
			b, ok := netip.AddrFromSlice(ip)
			return ok && b.Unmap() == a.Unmap()
		})
	}
	return false
}

// FromPolicy converts a z/OS policy identity (IdentityType and value of a
// LocalIdentity or RemoteIdentity) into its ID payload type and data.
func FromPolicy(typ, value string) (wire.IDType, []byte, error) {
	switch strings.ToUpper(typ) {
	case "IPADDR":
		a, err := netip.ParseAddr(value)
		if err != nil {
			return 0, nil, err
		}
		if a.Is4() {
			return wire.ID_IPV4_ADDR, a.AsSlice(), nil
		}
		return wire.ID_IPV6_ADDR, a.AsSlice(), nil
	case "FQDN":
		return wire.ID_FQDN, []byte(value), nil
	case "USERFQDN":
		return wire.ID_RFC822_ADDR, []byte(value), nil
	case "X500DN":
		der, err := DN(value)
		return wire.ID_DER_ASN1_DN, der, err
	case "KEYID":
		return wire.ID_KEY_ID, []byte(value), nil
	}
	return 0, nil, &unknownType{typ}
}

type unknownType struct{ typ string }

func (e *unknownType) Error() string { return "identity type " + e.typ + " is not supported" }

// Names lists the identities cert carries, in policy notation ("X500DN
// CN=gw,O=Example", "FQDN gw.example", "USERFQDN ops@example",
// "IPADDR 10.1.1.1"), for messages and plans.
func Names(cert *x509.Certificate) []string {
	var out []string
	if s, ok := DNString(cert.RawSubject); ok && s != "" {
		out = append(out, "X500DN "+s)
	}
	for _, n := range cert.DNSNames {
		out = append(out, "FQDN "+n)
	}
	for _, n := range cert.EmailAddresses {
		out = append(out, "USERFQDN "+n)
	}
	for _, ip := range cert.IPAddresses {
		if a, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, "IPADDR "+a.Unmap().String())
		}
	}
	return out
}
