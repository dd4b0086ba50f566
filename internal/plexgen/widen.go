package plexgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"

	"github.com/tcpipc/tcpipc/plan"
)

// Widen returns a copy of a generated sysplex's compiled plan with total
// DVIPAs instead of one per stack: DVIPA k (0-based) is a copy of stack
// (k mod Stacks)+1's, so every stack owns, distributes and backs up
// total/Stacks of them in the same ring. The first Stacks keep their
// addresses (DVIPA(i)); the others get Widened(k).
//
// It works on the plan, not the profiles, because the runtime's tests
// see plans only (internal/repo TestRuntimeTestsSeePlansOnly) and a
// compiled 32×2,000 plan is too large to check in; TestWidenAgreesWithCompile
// shows the copy equals the compiler's plan of profiles generated with
// PerStack copies.
func Widen(p *plan.Plan, total int) (*plan.Plan, error) {
	n := len(p.DVIPAs)
	if n == 0 || total < n || total > n*(1<<16) {
		return nil, fmt.Errorf("plexgen: cannot widen %d DVIPAs to %d", n, total)
	}
	templates := make([][]byte, n)
	for i := range p.DVIPAs {
		b, err := json.Marshal(p.DVIPAs[i])
		if err != nil {
			return nil, err
		}
		templates[i] = b
	}
	out := *p
	out.DVIPAs = make([]plan.DVIPA, total)
	for k := range total {
		tpl := templates[k%n]
		if k >= n {
			// The address is in the DVIPA's field and in the texts
			// that explain it (notes, SWSA reasons).
			tpl = replaceAddr(tpl, p.DVIPAs[k%n].Addr.String(), Widened(k/n, p.DVIPAs[k%n].Addr).String())
		}
		// A fresh decode per copy: no two DVIPAs share a slice.
		if err := json.Unmarshal(tpl, &out.DVIPAs[k]); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// replaceAddr replaces the address old by new in text wherever it stands
// alone: not where it begins a longer address (201.2.20.1 in 201.2.20.10).
func replaceAddr(text []byte, old, new string) []byte {
	var out []byte
	for {
		i := bytes.Index(text, []byte(old))
		if i < 0 {
			return append(out, text...)
		}
		end := i + len(old)
		whole := (i == 0 || !isAddrByte(text[i-1])) && (end == len(text) || !isAddrByte(text[end]))
		out = append(out, text[:i]...)
		if whole {
			out = append(out, new...)
		} else {
			out = append(out, old...)
		}
		text = text[end:]
	}
}

func isAddrByte(b byte) bool { return b >= '0' && b <= '9' }

// Widened is copy j (1-based) of a DVIPA 201.2.20.i: 201.3+j/256.j%256.i,
// in the same /26 position as the original.
func Widened(j int, of netip.Addr) netip.Addr {
	b := of.As4()
	return netip.AddrFrom4([4]byte{201, byte(3 + j/256), byte(j % 256), b[3]})
}

// copyOf is copy j of a DVIPA, the DVIPA itself for j = 0.
func copyOf(j int, of netip.Addr) netip.Addr {
	if j == 0 {
		return of
	}
	return Widened(j, of)
}
