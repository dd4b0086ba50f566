// Package expect checks diagnostics against inline expectations written in
// the input files' own comment syntax, in the style of
// golang.org/x/tools/go/analysis/analysistest:
//
//	VIPABACKUP 300 10.1.1.1   ; want "rank 300 is outside 1-254"
//	  IpFilterRule Missing    # want "undefined"
//
// Each `want` holds one or more quoted regular expressions; each must match
// the summary (or "RULE: summary") of a distinct diagnostic starting on that
// line. Diagnostics without an expectation fail the test just as
// expectations without a diagnostic do.
package expect
