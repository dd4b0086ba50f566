package ikesa

import (
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// covers reports whether the ID payload p is one of the identities the
// wildcard id stands for: an address of its range, or a name its pattern
// matches. Other types (a distinguished name, a key ID) never match a
// wildcard.
func (id Identity) covers(p *wire.ID) bool {
	if p.IDType != id.Type {
		return false
	}
	switch id.Type {
	case wire.ID_IPV4_ADDR, wire.ID_IPV6_ADDR:
		a, ok := netip.AddrFromSlice(p.Data)
		return ok && id.First.IsValid() && a.BitLen() == id.First.BitLen() &&
			id.First.Compare(a) <= 0 && a.Compare(id.Last) <= 0
	case wire.ID_FQDN, wire.ID_RFC822_ADDR:
		return globFold(string(id.Data), string(p.Data))
	}
	return false
}

// globFold reports whether name matches pattern, in which '*' stands for
// any run of characters (none included) and every other character for
// itself, ASCII letters without regard to case.
func globFold(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return equalFoldASCII(pattern, name)
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(name) < len(first)+len(last) || !equalFoldASCII(name[:len(first)], first) ||
		!equalFoldASCII(name[len(name)-len(last):], last) {
		return false
	}
	rest := name[len(first) : len(name)-len(last)]
	for _, part := range parts[1 : len(parts)-1] {
		i := indexFold(rest, part)
		if i < 0 {
			return false
		}
		rest = rest[i+len(part):]
	}
	return true
}

// equalFoldASCII is strings.EqualFold for ASCII letters only: a name
// with a letter that merely folds to an ASCII one (the long s, the Kelvin
// sign) is another name, not a spelling of it.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// indexFold is strings.Index without regard to ASCII case.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
