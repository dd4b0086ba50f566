package profile

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"

	"github.com/tcpipc/tcpipc/grammar/source"
)

// TestLexAdvisesHugePages checks that the token array of a large profile
// is eligible for transparent huge pages (THPeligible in the kernel's map
// of the process), where the system hands that choice to programs.
func TestLexAdvisesHugePages(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !strings.Contains(string(mode), "[madvise]") {
		t.Skipf("transparent huge pages are not left to madvise here (%q)", strings.TrimSpace(string(mode)))
	}
	lx := Lex(source.New("p", generateProfile(100_000), source.UTF8))
	middle := uintptr(unsafe.Pointer(&lx.Tokens[len(lx.Tokens)/2]))
	eligible, found := thpEligible(t, middle)
	if !found {
		t.Fatalf("no mapping of the process holds the token array at %#x", middle)
	}
	if !eligible {
		t.Errorf("the token array of %d tokens is not eligible for huge pages", len(lx.Tokens))
	}
}

// thpEligible reads /proc/self/smaps for the mapping holding addr.
func thpEligible(t *testing.T, addr uintptr) (eligible, found bool) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 && strings.Contains(line, "-") && !strings.HasSuffix(strings.Fields(line)[0], ":") {
			in = lo <= addr && addr < hi
			continue
		}
		if in && strings.HasPrefix(line, "THPeligible:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "THPeligible:")) == "1", true
		}
	}
	return false, false
}
