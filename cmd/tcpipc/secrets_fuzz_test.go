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

// e2eJoin is join as a separator between SharedKey and its value: at most
// four bytes, no line end, ending at a blank, no letter or digit after its
// first byte (which would make a word of the value); a blank when empty.
func e2eJoin(join string) string {
	var out []byte
	for i := 0; i < len(join) && len(out) < 4; i++ {
		c := join[i]
		if i > 0 && ('a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9') {
			break
		}
		if c != '\n' {
			out = append(out, c)
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == 0 {
			break
		}
	}
	if len(out) == 0 {
		return " "
	}
	return string(out)
}

// FuzzSecretNeverPrinted runs every command that reads a policy file, in
// every output format, on a sysplex whose policy file is fuzzed around a
// SharedKey anywhere on its line, joined to its value in any way, whose
// value, however it is written, is a known key; no output may show the
// key. Seeds: testdata/fuzz/FuzzSecretNeverPrinted.
func FuzzSecretNeverPrinted(f *testing.F) {
	f.Add("KeyExchangeRule r\n{\n", "  ", " ", []byte{1}, "  KeyExchangeActionRef a\n}\n")
	f.Add("KeyExchangeRule r\n{\n", "  ", " ", []byte{4, 1}, "}\n")
	f.Add("", "  ", " ", []byte{1, 3, 5}, "{\n")
	f.Add("KeyExchangePolicy\n{\n  KeyExchangeRule\n  {\n", "  ", " ", []byte{6, 2}, "  }\n}\n")
	f.Add("", "KeyExchangeRule r1 { ", " ", []byte{1}, "")
	f.Add("KeyExchangeRule r1\n{\n", "  ", "\u00a0", []byte{1}, "}\n")
	f.Add("", "KeyExchangeRule r1 ", ":", []byte{1}, "")
	f.Fuzz(func(t *testing.T, prefix, lead, join string, sep []byte, suffix string) {
		if strings.Contains(prefix+lead+join+suffix, e2eKey[:10]) || len(prefix)+len(suffix) > 4096 {
			return
		}
		// SharedKey anywhere on its line (lead has no line end and no
		// comment), joined to its value by any bytes that add no word of
		// the value (see joinBytes in grammar/policy's FuzzRedaction).
		lead = strings.NewReplacer("\n", "", "#", "").Replace(lead)
		var b strings.Builder
		b.WriteString(prefix + "\n" + lead + "SharedKey" + e2eJoin(join))
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
