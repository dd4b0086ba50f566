package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// e2eKey is the key FuzzSecretNeverPrinted hides in a policy file.
const e2eKey = "Zq7K3ySECRET0002"

// e2ePieces may stand between SharedKey and its key (see secretLine in
// grammar/policy's FuzzRedaction): blanks, one format word, continuation
// backslashes and line ends while the value has no key yet.
var e2ePieces = []string{" ", " Ascii ", " Hex ", " \\\n", "\n", "\r\n", "\n\n  "}

// FuzzSecretNeverPrinted runs every command that reads a policy file, in
// every output format, on a sysplex whose policy file is fuzzed around a
// SharedKey whose value, however it is written, is a known key; no output
// may show the key. Seeds: testdata/fuzz/FuzzSecretNeverPrinted.
func FuzzSecretNeverPrinted(f *testing.F) {
	f.Add("KeyExchangeRule r\n{\n", []byte{1}, "  KeyExchangeActionRef a\n}\n")
	f.Add("KeyExchangeRule r\n{\n", []byte{4, 1}, "}\n")
	f.Add("", []byte{1, 3, 5}, "{\n")
	f.Add("KeyExchangePolicy\n{\n  KeyExchangeRule\n  {\n", []byte{6, 2}, "  }\n}\n")
	f.Fuzz(func(t *testing.T, prefix string, sep []byte, suffix string) {
		if strings.Contains(prefix+suffix, e2eKey[:10]) || len(prefix)+len(suffix) > 4096 {
			return
		}
		var b strings.Builder
		b.WriteString(prefix + "\n  SharedKey ")
		format := false
		for _, c := range sep {
			p := e2ePieces[int(c)%len(e2ePieces)]
			if strings.TrimSpace(p) != "" && !strings.Contains(p, "\\") {
				if format {
					continue
				}
				format = true
			}
			b.WriteString(p)
		}
		b.WriteString(" " + e2eKey + "\n" + suffix)
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "sysplex.yaml"), "sysplex: FUZZ\nstacks:\n  - {name: SYSA, profile: PROFILE, policy: [SYSA.policy]}\n")
		writeFile(t, filepath.Join(dir, "PROFILE"), "IPCONFIG IPSECURITY DYNAMICXCF 10.0.0.1 255.255.255.0 1\n")
		pol := filepath.Join(dir, "SYSA.policy")
		if err := os.WriteFile(pol, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"lint", dir}, {"lint", "--format", "json", dir}, {"lint", "--format", "sarif", dir},
			{"lint", "--format", "junit", dir}, {"lint", "--format", "github", dir},
			{"parse", pol}, {"parse", "--format", "json", pol}, {"parse", "--format", "summary", pol},
			{"parse", "--kind", "profile", pol}, {"parse", "--kind", "iked", pol},
			{"model", dir}, {"model", "--format", "json", dir},
			{"compile", "--force", dir},
		} {
			var out, errb strings.Builder
			run(args, &out, &errb)
			if all := out.String() + errb.String(); strings.Contains(all, e2eKey[:10]) {
				t.Fatalf("tcpipc %s shows the key of\n%q\n%s", strings.Join(args, " "), b.String(), all)
			}
		}
	})
}
