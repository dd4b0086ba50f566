// Package suggest finds the "did you mean" for a misspelled keyword, the
// same way for every front end.
package suggest

import "strings"

// Closest returns the candidate a misspelled word most likely meant, or ""
// when none is close enough to be a typo. The comparison ignores case. A
// word that is the start of a candidate (three letters or more) counts as
// one edit away, and alts, when not nil, lists further spellings that count
// as the candidate (IBM's abbreviations of a profile keyword).
func Closest(word string, candidates []string, alts func(candidate string) []string) string {
	w := strings.ToUpper(word)
	// Short words need a closer match, long ones may carry more typos.
	limit := 2
	switch {
	case len(w) <= 4:
		limit = 1
	case len(w) >= 12:
		limit = 3
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		u := strings.ToUpper(c)
		d := Distance(w, u)
		if alts != nil {
			for _, a := range alts(c) {
				d = min(d, Distance(w, strings.ToUpper(a)))
			}
		}
		if strings.HasPrefix(u, w) && len(w) >= 3 {
			d = min(d, 1)
		}
		if d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance of two strings; strings longer than
// any keyword are simply far apart.
func Distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
