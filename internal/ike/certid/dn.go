package certid

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"
)

// dnAttrs are the attribute names a written distinguished name may use.
var dnAttrs = map[string]asn1.ObjectIdentifier{
	"CN": {2, 5, 4, 3}, "SERIALNUMBER": {2, 5, 4, 5}, "C": {2, 5, 4, 6}, "L": {2, 5, 4, 7},
	"ST": {2, 5, 4, 8}, "SP": {2, 5, 4, 8}, "STREET": {2, 5, 4, 9}, "O": {2, 5, 4, 10}, "OU": {2, 5, 4, 11},
	"T": {2, 5, 4, 12}, "TITLE": {2, 5, 4, 12}, "PC": {2, 5, 4, 17}, "POSTALCODE": {2, 5, 4, 17},
	"DC": {0, 9, 2342, 19200300, 100, 1, 25}, "UID": {0, 9, 2342, 19200300, 100, 1, 1},
	"E": {1, 2, 840, 113549, 1, 9, 1}, "EMAIL": {1, 2, 840, 113549, 1, 9, 1}, "EMAILADDRESS": {1, 2, 840, 113549, 1, 9, 1},
}

// DN returns the DER of a distinguished name (an ID_DER_ASN1_DN identity's data) written
// as z/OS policy writes an X500DN identity, "CN=gw,O=Example,C=US":
// attribute=value pairs separated by commas, a backslash escaping the
// next character. The DER keeps the written order; SameDN also accepts
// the reverse (SameDN), since people write DNs both ways round (RFC 4514 order and
// certificate order).
func DN(s string) ([]byte, error) {
	var rdns pkix.RDNSequence
	for _, part := range splitDN(s) {
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		oid := dnAttrs[asciiUpper(k)]
		if !ok || oid == nil || v == "" {
			return nil, fmt.Errorf("distinguished name %q: %q is not attribute=value with a known attribute", s, part)
		}
		rdns = append(rdns, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: v}})
	}
	if len(rdns) == 0 {
		return nil, fmt.Errorf("distinguished name %q is empty", s)
	}
	der, err := asn1.Marshal(rdns)
	if err != nil {
		return nil, fmt.Errorf("distinguished name %q: %w", s, err)
	}
	return der, nil
}

// asciiUpper raises the ASCII letters of s only, so that no Unicode
// letter (U+017F LONG S) stands for an attribute name's ASCII one.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}

// splitDN splits at commas not escaped by a backslash, removing escapes.
func splitDN(s string) []string {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case s[i] == ',' || s[i] == ';':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	if strings.TrimSpace(cur.String()) != "" || len(parts) > 0 {
		parts = append(parts, cur.String())
	}
	return parts
}

// dnAttr is one attribute of a relative distinguished name.
type dnAttr struct {
	oid   string
	value string
}

// rdnSets decodes a DER DN into its RDNs, each the attributes of one SET
// in a canonical order (a multi-valued RDN is a set, so the order of its
// attributes means nothing). ok is false for anything that is not a DN,
// for an empty DN and for an RDN without attributes, which X.501 forbids.
func rdnSets(der []byte) ([][]dnAttr, bool) {
	var rdns pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &rdns)
	if err != nil || len(rest) != 0 || len(rdns) == 0 {
		return nil, false
	}
	out := make([][]dnAttr, 0, len(rdns))
	for _, set := range rdns {
		if len(set) == 0 {
			return nil, false
		}
		attrs := make([]dnAttr, 0, len(set))
		for _, a := range set {
			attrs = append(attrs, dnAttr{a.Type.String(), attrValue(a.Value)})
		}
		slices.SortFunc(attrs, func(p, q dnAttr) int {
			if c := strings.Compare(p.oid, q.oid); c != 0 {
				return c
			}
			return strings.Compare(asciiLower(p.value), asciiLower(q.value))
		})
		out = append(out, attrs)
	}
	return out, true
}

// attrValue is an attribute's value as compared: a directory string as
// written (no trimming: " gw" is not "gw"), anything else tagged with its
// Go type so that it never equals a string.
func attrValue(v any) string {
	if s, ok := v.(string); ok {
		return "s" + s
	}
	return fmt.Sprintf("%T:%v", v, v)
}

// SameDN compares two DER DNs RDN by RDN, keeping the boundaries of
// multi-valued RDNs (CN=gw+O=Example is not CN=gw,O=Example): attribute
// types exactly, values with ASCII letters folded and every other byte
// exact, whatever ASCII string type each was encoded with. strongSwan
// folds PrintableString the same way; Unicode folding would let U+212A
// KELVIN SIGN stand for K. b may also be a in reverse order, as the
// README promises, because people write DNs both ways round (RFC 4514
// order and certificate order).
func SameDN(a, b []byte) bool {
	x, okA := rdnSets(a)
	y, okB := rdnSets(b)
	if !okA || !okB || len(x) != len(y) {
		return false
	}
	eq := func(x, y [][]dnAttr) bool {
		return slices.EqualFunc(x, y, func(p, q []dnAttr) bool {
			return slices.EqualFunc(p, q, func(p, q dnAttr) bool { return p.oid == q.oid && ASCIIEqualFold(p.value, q.value) })
		})
	}
	if eq(x, y) {
		return true
	}
	r := slices.Clone(y)
	slices.Reverse(r)
	return eq(x, r)
}

// ASCIIEqualFold reports whether a and b are equal with the ASCII letters
// A-Z and a-z folded; every other byte must be equal.
func ASCIIEqualFold(a, b string) bool {
	return len(a) == len(b) && asciiLower(a) == asciiLower(b)
}

// asciiLower lowers the ASCII letters of s only.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// DNString renders a DER DN for messages.
func DNString(der []byte) (string, bool) {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &rdns); err != nil || len(rest) != 0 {
		return "", false
	}
	return rdns.String(), true
}
