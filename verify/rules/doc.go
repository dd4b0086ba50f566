// Package rules lists every lint rule of tcpipc. Each rule is a package of
// its own below this one, whose doc.go is the rule's documentation; All
// returns them in id order, and FrontEnd describes the ids the parsers and
// the model report, so `tcpipc rules`, `tcpipc explain`, the README's rule
// table and SARIF rule metadata cover every id a finding can carry.
package rules
