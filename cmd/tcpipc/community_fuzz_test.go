package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// communityKey is the SNMP community FuzzCommunityNeverPrinted hides in
// a profile's SACONFIG statement.
const communityKey = "Wv8PcommSECRET03"

// communityPieces are the operands written before and after the
// community: SACONFIG's own keywords, numbers in and out of range, a word
// it does not know, a second COMMUNITY, line ends inside the statement.
var communityPieces = []string{"AGENT", "0", "161", "70000", "BOGUS", "ENABLED", "DISABLED", "COMMUNITY", "COMMUN",
	"OSASF", "SACACHETIME", "SETSENABLED", "\n  "}

// FuzzCommunityNeverPrinted runs every command that reads a profile, in
// every output format, on a sysplex whose profile has
// "SACONFIG <before> COMMUNITY <key> <after>" with operands chosen from
// communityPieces, whether or not they fit SACONFIG's grammar; no output
// may show the community. Seeds: testdata/fuzz/FuzzCommunityNeverPrinted.
func FuzzCommunityNeverPrinted(f *testing.F) {
	f.Add([]byte{0, 1}, []byte{})       // SACONFIG AGENT 0 COMMUNITY k
	f.Add([]byte{0}, []byte{})          // SACONFIG AGENT COMMUNITY k
	f.Add([]byte{4}, []byte{})          // SACONFIG BOGUS COMMUNITY k
	f.Add([]byte{5}, []byte{0, 2})      // a statement that fits
	f.Add([]byte{}, []byte{4, 7})       // trailing operands that do not
	f.Add([]byte{5, 12}, []byte{12, 3}) // across lines
	f.Fuzz(func(t *testing.T, before, after []byte) {
		words := func(b []byte) string {
			var s []string
			for _, c := range b {
				s = append(s, communityPieces[int(c)%len(communityPieces)])
			}
			return strings.Join(s, " ")
		}
		if len(before)+len(after) > 64 {
			return
		}
		text := "SACONFIG " + words(before) + " COMMUNITY " + communityKey + " " + words(after) + "\n"
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "sysplex.yaml"), "sysplex: FUZZ\nstacks:\n  - {name: SYSA, profile: PROFILE}\n")
		prof := filepath.Join(dir, "PROFILE")
		writeFile(t, prof, "IPCONFIG DYNAMICXCF 10.0.0.1 255.255.255.0 1\n"+text)
		for _, args := range [][]string{
			{"lint", dir}, {"lint", "--format", "json", dir}, {"lint", "--format", "sarif", dir},
			{"lint", "--format", "junit", dir}, {"lint", "--format", "github", dir},
			{"parse", prof}, {"parse", "--format", "json", prof}, {"parse", "--format", "summary", prof},
			{"model", dir}, {"model", "--format", "json", dir},
		} {
			var out, errb strings.Builder
			run(args, &out, &errb)
			if all := out.String() + errb.String(); strings.Contains(strings.ToUpper(all), strings.ToUpper(communityKey)) {
				t.Fatalf("tcpipc %s shows the community of\n%q\n%s", strings.Join(args, " "), text, all)
			}
		}
	})
}
