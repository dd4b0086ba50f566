package report

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
)

// FingerprintKey is the SARIF partialFingerprints key of Fingerprint. The
// version changes whenever the fingerprint's inputs do, so old baselines
// and code-scanning alerts are not matched against a different hash.
const FingerprintKey = "tcpipcFingerprint/v1"

// Fingerprints returns one fingerprint per finding, in the order of ds.
//
// A fingerprint identifies a finding across unrelated edits: it hashes the
// rule id, the file (display path) and the normalised text of the source
// line the finding starts on — whitespace collapsed, case folded, an 80-column
// record's sequence number dropped — but not the line number. When that
// line's text is not in src, the finding's summary stands in for it. Findings
// with the same key are told apart by an occurrence counter taken in source
// order, which an insertion above them does not change. The result is 32
// lowercase hex digits.
func Fingerprints(ds diag.Diagnostics, src diag.Sources) []string {
	keys := make([]string, len(ds))
	for i, d := range ds {
		if d != nil {
			keys[i] = fingerprintKey(d, src)
		}
	}
	// Count occurrences in diag order so the counter never depends on the
	// order the rules ran in.
	order := make([]int, 0, len(ds))
	for i, d := range ds {
		if d != nil {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return diag.Compare(ds[a], ds[b]) })
	seen := map[string]int{}
	out := make([]string, len(ds))
	for _, i := range order {
		n := seen[keys[i]]
		seen[keys[i]] = n + 1
		sum := sha256.Sum256([]byte(keys[i] + "\x00" + strconv.Itoa(n)))
		out[i] = hex.EncodeToString(sum[:16])
	}
	return out
}

func fingerprintKey(d *diag.Diagnostic, src diag.Sources) string {
	text, ok := sourceLine(src, d.Range)
	kind := "line"
	if !ok {
		text, kind = d.Summary, "summary"
	}
	return strings.Join([]string{d.Rule, displayFile(d.Range), kind, normalise(text)}, "\x00")
}

// normalise folds case and collapses whitespace. It also drops digits in
// columns 73–80 of an 80-column record: ISPF renumbers those on every
// edit, and the stack ignores them, so they must not change a fingerprint.
func normalise(line string) string {
	if len(line) == 80 && isDigits(line[72:]) {
		line = line[:72]
	}
	return strings.ToLower(strings.Join(strings.Fields(line), " "))
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
