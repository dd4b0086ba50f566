package swsa

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSeedCorpusDecodes keeps the fuzz seeds meaningful: the valid ones
// decode (so the fuzzer starts from records, not noise), the others fail
// as their names say.
func TestSeedCorpusDecodes(t *testing.T) {
	want := map[string]bool{"figure9-tunnel": true, "nat-ah-pfs": true, "ipv6": true, "no-children": true, "version-2": false, "truncated": false}
	for name, ok := range want {
		raw, err := os.ReadFile(filepath.Join("testdata/fuzz/FuzzDecodeRecord", name))
		if err != nil {
			t.Fatal(err)
		}
		line := strings.Split(string(raw), "\n")[1]
		data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(line, "[]byte("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := Decode([]byte(data)); (err == nil) != ok {
			t.Errorf("%s: Decode error %v, want success %v", name, err, ok)
		}
	}
}
